//! Warnings that keep an explanation from being silently all zero or silently not a Shapley value. The report
//! document carries their `Display` texts.

use std::fmt;

use crate::options::Level;
use whylm_shapley::Method;

/// Something the reader of an explanation should know.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// The masker gave the model the unmasked input for every masked coalition: every attribution is 0.
    MaskerChangedNothing {
        level: Level,
        masker: String,
        masked_rows: usize,
    },
    /// Masking every feature left every score as it was: the attributions sum to 0.
    NoScoreChange { level: Level, masker: String },
    /// Leave-one-out values were asked for; they are not Shapley values.
    NotShapley { level: Level },
    /// Banzhaf values were asked for (banzhaf, contextcite): they answer another question than Shapley values.
    BanzhafValues { level: Level, method: Method },
    /// The target could not be split off the text before it and was tokenized on its own.
    TargetTokenizedAlone { target: String },
    /// `--attention` was asked for but the backend cannot return attention.
    AttentionUnsupported { reason: String },
    /// A refined level's parts do not add up to their unit's value at the coarser level.
    RefinementGap {
        level: Level,
        inconsistent: usize,
        units: usize,
        largest: f64,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::MaskerChangedNothing {
                level,
                masker,
                masked_rows,
            } => write!(
                f,
                "{level} level: the {masker} masker left every input unchanged (all {masked_rows} masked \
                 coalitions gave the model the unmasked prompt), so every attribution is 0 by construction; use \
                 another masker (delete removes tokens outright)"
            ),
            Warning::NoScoreChange { level, masker } => write!(
                f,
                "{level} level: v(N) equals v(∅) for every target token (masking all features with the {masker} \
                 masker does not change any score), so the attributions sum to 0; try another masker or score, \
                 or check that the prompt can influence the target"
            ),
            Warning::NotShapley { level } => write!(
                f,
                "{level} level: leave-one-out values are not Shapley values; they need not sum to v(N) − v(∅)"
            ),
            Warning::BanzhafValues { level, method } => write!(
                f,
                "{level} level: method {method} shows Banzhaf values, not Shapley values: each unit's average \
                 effect on the score when the other units are kept or dropped at random (half of them each time); \
                 they need not sum to v(N) − v(∅)"
            ),
            Warning::AttentionUnsupported { reason } => write!(
                f,
                "no attention in this report: {reason}; the Shapley values do not need it (use the embedded \
                 runtime, a GGUF file or model directory, for attention views)"
            ),
            Warning::RefinementGap {
                level,
                inconsistent,
                units,
                largest,
            } => write!(
                f,
                "{level} level: the parts of {inconsistent} of the {units} split units do not sum to the unit's \
                 value at the coarser level within their standard error (largest gap {largest:.4}): the parts \
                 interact with one another or with the other units, or the budget is short; raise --max-evals \
                 or read the parts' values as a split of a different game"
            ),
            Warning::TargetTokenizedAlone { target } => write!(
                f,
                "the target {target:?} merges with the end of the prompt into one token, so it was tokenized on \
                 its own; end the prompt (or suffix) where the target's first token begins to score exactly the \
                 tokens the model would read"
            ),
        }
    }
}

/// What a level's explanation looked like, as far as the warnings care.
pub struct LevelOutcome<'a> {
    pub level: Level,
    pub masker: &'a str,
    pub method: Method,
    pub base: &'a [f64],
    pub full: &'a [f64],
    /// Coalitions with at least one feature masked that were evaluated, and how many changed the model input.
    pub masked_rows: usize,
    pub changed_rows: usize,
}

/// Scores closer than this (relative to their size) count as equal: batches of different composition may round
/// the same row differently in the last bits.
const SAME_SCORE: f64 = 1e-6;

/// The warnings for one level (empty when all is well).
pub fn level_warnings(o: &LevelOutcome<'_>) -> Vec<Warning> {
    let mut out = Vec::new();
    let (level, masker) = (o.level, o.masker.to_string());
    if o.masked_rows > 0 && o.changed_rows == 0 {
        out.push(Warning::MaskerChangedNothing {
            level,
            masker,
            masked_rows: o.masked_rows,
        });
    } else if !o.base.is_empty()
        && o.base
            .iter()
            .zip(o.full)
            .all(|(b, f)| (b - f).abs() <= SAME_SCORE * (1.0 + b.abs().max(f.abs())))
    {
        out.push(Warning::NoScoreChange { level, masker });
    }
    match o.method {
        Method::LeaveOneOut => out.push(Warning::NotShapley { level }),
        Method::Banzhaf | Method::ContextCite => out.push(Warning::BanzhafValues {
            level,
            method: o.method,
        }),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome<'a>(base: &'a [f64], full: &'a [f64], masked: usize, changed: usize) -> LevelOutcome<'a> {
        LevelOutcome {
            level: Level::Word,
            masker: "hide",
            method: Method::Exact,
            base,
            full,
            masked_rows: masked,
            changed_rows: changed,
        }
    }

    #[test]
    fn an_unchanging_masker_is_reported() {
        let w = level_warnings(&outcome(&[1.0], &[1.0], 7, 0));
        assert_eq!(w.len(), 1);
        assert!(w[0].to_string().contains("left every input unchanged"));
        assert!(w[0].to_string().starts_with("word level: the hide masker"));
    }

    #[test]
    fn equal_base_and_full_values_are_reported_only_when_every_token_is_equal() {
        let w = level_warnings(&outcome(&[1.0, -2.0], &[1.0, -2.0 + 1e-9], 7, 7));
        assert_eq!(w.len(), 1);
        assert!(w[0].to_string().contains("v(N) equals v(∅)"));
        assert!(level_warnings(&outcome(&[1.0, -2.0], &[1.0, -1.5], 7, 7)).is_empty());
    }

    #[test]
    fn leave_one_out_is_flagged() {
        let mut o = outcome(&[0.0], &[1.0], 3, 3);
        o.method = Method::LeaveOneOut;
        assert!(level_warnings(&o)[0].to_string().contains("not Shapley values"));
        o.method = Method::ContextCite;
        let said = level_warnings(&o)[0].to_string();
        assert!(said.contains("method contextcite shows Banzhaf values"), "{said}");
    }
}
