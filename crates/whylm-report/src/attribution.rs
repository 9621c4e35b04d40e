//! Views of a level's attributions: one target token, or the whole target sequence (the sum over target tokens,
//! which is what "explain the whole continuation" means because Shapley values are linear in the game).

use crate::document::{LevelExplanation, ReportDoc};

/// Which output an attribution is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The sum of the scores of all target tokens.
    Sequence,
    /// One target token, by index into `target_tokens`.
    Token(usize),
}

/// A feature with its attribution to one selection, as listed by [`LevelExplanation::top_features`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankedFeature {
    /// Index into the level's `features`.
    pub index: usize,
    pub value: f64,
    /// Standard error; for the sequence an upper bound (see [`LevelExplanation::std_errs`]).
    pub std_err: Option<f64>,
}

impl LevelExplanation {
    /// Sequence-level attribution of every feature: `Σ_t phi[i][t]`.
    pub fn sequence_phi(&self) -> Vec<f64> {
        self.phi.iter().map(|row| row.iter().sum()).collect()
    }

    /// Attribution of every feature to the selection (empty entries read as 0 for a token index out of range).
    pub fn values(&self, selection: Selection) -> Vec<f64> {
        match selection {
            Selection::Sequence => self.sequence_phi(),
            Selection::Token(t) => self
                .phi
                .iter()
                .map(|row| row.get(t).copied().unwrap_or(0.0))
                .collect(),
        }
    }

    /// Standard errors for the selection, when the method estimated them. For the sequence this is
    /// `Σ_t std_err[i][t]`, an upper bound that holds whatever the correlation between the per-token estimates
    /// (they share coalitions, so summing variances would understate it).
    pub fn std_errs(&self, selection: Selection) -> Option<Vec<f64>> {
        let std_err = self.std_err.as_ref()?;
        Some(match selection {
            Selection::Sequence => std_err.iter().map(|row| row.iter().sum()).collect(),
            Selection::Token(t) => std_err
                .iter()
                .map(|row| row.get(t).copied().unwrap_or(0.0))
                .collect(),
        })
    }

    /// v(∅) for the selection.
    pub fn base(&self, selection: Selection) -> f64 {
        pick(&self.base_value, selection)
    }

    /// v(N) for the selection.
    pub fn full(&self, selection: Selection) -> f64 {
        pick(&self.full_value, selection)
    }

    /// The `k` features with the largest |attribution| to the selection, largest first (ties: prompt order).
    pub fn top_features(&self, selection: Selection, k: usize) -> Vec<RankedFeature> {
        let values = self.values(selection);
        let std_errs = self.std_errs(selection);
        let mut ranked: Vec<RankedFeature> = values
            .iter()
            .enumerate()
            .map(|(index, &value)| RankedFeature {
                index,
                value,
                std_err: std_errs.as_ref().and_then(|s| s.get(index).copied()),
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.value
                .abs()
                .total_cmp(&a.value.abs())
                .then(a.index.cmp(&b.index))
        });
        ranked.truncate(k);
        ranked
    }
}

fn pick(values: &[f64], selection: Selection) -> f64 {
    match selection {
        Selection::Sequence => values.iter().sum(),
        Selection::Token(t) => values.get(t).copied().unwrap_or(0.0),
    }
}

impl ReportDoc {
    /// The level with this name ("token", "word", "sentence", ...).
    pub fn level(&self, name: &str) -> Option<&LevelExplanation> {
        self.levels.iter().find(|level| level.level == name)
    }

    /// Every selection a reader can pick: the sequence, then each target token.
    pub fn selections(&self) -> Vec<Selection> {
        std::iter::once(Selection::Sequence)
            .chain((0..self.target_tokens.len()).map(Selection::Token))
            .collect()
    }
}
