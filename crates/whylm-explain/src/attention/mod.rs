//! `--attention`: attention views beside the Shapley values, from one extra forward pass of the unmasked input and
//! target, aggregated to every level's features, with their agreement: per target token the Spearman correlation
//! with the Shapley values and whether the top features coincide, and per view (and for the Shapley values) the
//! top-k removal drop, so the reader sees which view predicts what the model does.

mod agreement;
mod removal;
mod views;

pub use agreement::{column, feature_weights, ranking, spearman, top};
pub use removal::{removal_drops, REMOVAL_KS};
pub use views::{token_views, TokenView, ViewKind};

use crate::error::ExplainError;
use crate::explanation::Explanation;
use crate::level::{level_game, LevelResult};
use crate::model::ExplainModel;
use whylm_backend::{AttentionProbs, BackendError, ScoreKind};
use whylm_report::{AttentionSummary, AttentionView, FullAttention, ViewLevel};

/// What asking the backend for attention gave.
#[derive(Debug, Clone)]
pub enum AttentionOutcome {
    Summary(Box<AttentionSummary>),
    /// The backend cannot return attention; its one-line reason.
    Unsupported(String),
}

/// The attention part of the report for `explanation`; `full` adds the whole tensor. `batch_size`: coalitions per
/// evaluation of the removal drops (None: the backend's hint).
pub fn attention_summary(
    m: &ExplainModel<'_>,
    explanation: &Explanation,
    full: bool,
    batch_size: Option<usize>,
) -> Result<AttentionOutcome, ExplainError> {
    let prepared = &explanation.prepared;
    let inputs = prepared.encoding.ids.len();
    let targets = prepared.target_ids.len();
    let ids: Vec<u32> = prepared
        .encoding
        .ids
        .iter()
        .chain(&prepared.target_ids)
        .copied()
        .collect();
    let probs = match m.backend.attention(&ids) {
        Ok(probs) => probs,
        Err(BackendError::Unsupported(why)) => return Ok(AttentionOutcome::Unsupported(why)),
        Err(e) => return Err(e.into()),
    };
    let token_views = token_views(&probs, inputs, targets)
        .map_err(|why| BackendError::Failed(format!("the backend's attention is unusable: {why}")))?;
    let batch = batch_size.unwrap_or_else(|| m.backend.batch_hint(ids.len(), targets).clamp(1, 256));
    let mut views: Vec<AttentionView> = token_views
        .iter()
        .map(|v| AttentionView {
            kind: v.kind.name().to_string(),
            layer: v.kind.layer(),
            head: v.kind.head(),
            levels: Vec::new(),
        })
        .collect();
    let mut shapley_removal_drop = Vec::new();
    for level in &explanation.levels {
        let (entries, shapley) = level_agreement(m, explanation, level, &token_views, batch)?;
        for (view, entry) in views.iter_mut().zip(entries) {
            view.levels.push(entry);
        }
        shapley_removal_drop.push(shapley);
    }
    let last = probs.layers.saturating_sub(1);
    let last_mean = token_views
        .iter()
        .find(|v| v.kind == ViewKind::Mean { layer: last })
        .map(|v| v.target_to_input.clone())
        .unwrap_or_default();
    Ok(AttentionOutcome::Summary(Box::new(AttentionSummary {
        layer: last,
        target_to_input: last_mean,
        num_layers: probs.layers,
        num_heads: probs.heads,
        views,
        shapley_removal_drop,
        full: full.then(|| full_attention(ids, &probs)),
    })))
}

/// Every view's entry at one level, and the Shapley values' own removal drops.
fn level_agreement(
    m: &ExplainModel<'_>,
    explanation: &Explanation,
    level: &LevelResult,
    token_views: &[TokenView],
    batch: usize,
) -> Result<(Vec<ViewLevel>, Vec<whylm_report::ViewRemovalDrop>), ExplainError> {
    let feature_tokens: Vec<Vec<usize>> = level.features.iter().map(|f| f.tokens.clone()).collect();
    let phi = &level.explanation.phi;
    let targets = explanation.prepared.target_ids.len();
    let shapley_top: Vec<Option<usize>> = (0..targets).map(|t| top(&column(phi, t))).collect();
    let mut entries: Vec<ViewLevel> = Vec::with_capacity(token_views.len());
    let mut rankings = vec![ranking(&totals(phi.iter().map(|r| r.as_slice())))];
    for view in token_views {
        let weights = feature_weights(&view.target_to_input, &feature_tokens);
        let spearman = (0..targets)
            .map(|t| spearman(&weights[t], &column(phi, t)))
            .collect();
        let top_match = (0..targets)
            .map(|t| top(&weights[t]).is_some() && top(&weights[t]) == shapley_top[t])
            .collect();
        rankings.push(ranking(&column_totals(&weights, feature_tokens.len())));
        entries.push(ViewLevel {
            weights,
            spearman,
            top_match,
            removal_drop: Vec::new(),
        });
    }
    let mut game = level_game(m, &explanation.prepared, feature_tokens, ScoreKind::LogProb)?;
    let mut drops =
        removal_drops(&mut game, &rankings, &REMOVAL_KS, batch).map_err(whylm_shapley::ShapleyError::from)?;
    let shapley = drops.remove(0);
    for (entry, d) in entries.iter_mut().zip(drops) {
        entry.removal_drop = d;
    }
    Ok((entries, shapley))
}

/// Row sums: a feature's total over the target tokens, for `phi[feature][target]`.
fn totals<'a>(rows: impl Iterator<Item = &'a [f64]>) -> Vec<f64> {
    rows.map(|r| r.iter().sum()).collect()
}

/// Column sums of `weights[target][feature]`.
fn column_totals(weights: &[Vec<f64>], features: usize) -> Vec<f64> {
    (0..features)
        .map(|i| weights.iter().map(|row| row[i]).sum())
        .collect()
}

fn full_attention(ids: Vec<u32>, probs: &AttentionProbs) -> FullAttention {
    let len = probs.len;
    let layer = |l: usize| -> Vec<Vec<Vec<f32>>> {
        (0..probs.heads)
            .map(|h| {
                (0..len)
                    .map(|q| probs.row(l, h, q).map(<[f32]>::to_vec).unwrap_or_default())
                    .collect()
            })
            .collect()
    };
    FullAttention {
        ids,
        probs: (0..probs.layers).map(layer).collect(),
    }
}
