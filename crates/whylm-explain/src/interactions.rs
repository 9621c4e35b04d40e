//! `--interactions K`: the pairwise Shapley interaction index of a level's top K features (by
//! |phi| summed over the target tokens), on the same language-model game as the level's phi.
//! Exact when the game is small enough (2^n fits), sampled with standard errors otherwise.

use crate::error::ExplainError;
use crate::options::Level;
use crate::request::ExplainRequest;
use whylm_shapley::{interactions, Explanation, Game, InteractionSettings, Interactions};

/// The level's interactions, or None when not asked for. `batch_size` is the level's.
pub fn level_interactions<G: Game + ?Sized>(
    game: &mut G,
    request: &ExplainRequest,
    explanation: &Explanation,
    level: Level,
    batch_size: usize,
) -> Result<Option<Interactions>, ExplainError> {
    let Some(k) = request.interactions else {
        return Ok(None);
    };
    let features = explanation.phi.len();
    if k < 2 || k > features {
        return Err(ExplainError::InteractionCount {
            asked: k,
            features,
            level: level.name(),
        });
    }
    let settings = InteractionSettings {
        max_evals: request.interaction_evals,
        exact_limit: request
            .exact_limit
            .min(InteractionSettings::default().exact_limit),
        batch_size: batch_size.max(1),
        seed: request.seed,
    };
    let players = top_by_total(&explanation.phi, k);
    Ok(Some(interactions(game, &players, &settings)?))
}

/// The `k` features with the largest |sum over targets of phi|, strongest first (ties: lower index).
pub fn top_by_total(phi: &[Vec<f64>], k: usize) -> Vec<usize> {
    let total = |i: usize| phi[i].iter().sum::<f64>().abs();
    let mut order: Vec<usize> = (0..phi.len()).collect();
    order.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));
    order.truncate(k);
    order
}
