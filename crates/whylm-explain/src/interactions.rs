//! `--interactions K`: the pairwise Shapley interaction index of a level's top K features (by
//! |phi| summed over the target tokens), on the same language-model game as the level's phi.
//! Exact when the game is small enough (2^n fits), sampled with standard errors otherwise; either way
//! the coalitions the level's Shapley run already evaluated are reused, so `--interaction-evals` is a
//! budget of the interactions' own. Each pair also gets its coalition values at the two extreme
//! contexts (every other feature masked, every other feature kept), for the report to show.

use crate::error::ExplainError;
use crate::options::Level;
use crate::request::ExplainRequest;
use whylm_report::PairValues;
use whylm_shapley::{
    interactions_reusing, Coalition, Explanation, Game, InteractionSettings, Interactions, KnownValues,
};

/// Most coalitions the level's Shapley run records for the interactions to reuse (2^16: every coalition of a
/// game small enough for the exact index, with room to spare).
pub const RECORDED_COALITIONS: usize = 1 << 16;

/// The interactions of a level and the coalition values of each pair.
#[derive(Debug, Clone)]
pub struct LevelInteractions {
    pub found: Interactions,
    pub pair_values: Vec<PairValues>,
}

/// The level's interactions, or None when not asked for. `batch_size` is the level's; `known` holds the
/// coalition values the level's Shapley run evaluated.
pub fn level_interactions<G: Game + ?Sized>(
    game: &mut G,
    request: &ExplainRequest,
    explanation: &Explanation,
    level: Level,
    batch_size: usize,
    known: &KnownValues,
) -> Result<Option<LevelInteractions>, ExplainError> {
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
    let found = interactions_reusing(game, &players, &settings, known)?;
    let pair_values = pair_values(game, &found, known, batch_size)?;
    Ok(Some(LevelInteractions { found, pair_values }))
}

/// The `k` features with the largest |sum over targets of phi|, strongest first (ties: lower index).
pub fn top_by_total(phi: &[Vec<f64>], k: usize) -> Vec<usize> {
    let total = |i: usize| phi[i].iter().sum::<f64>().abs();
    let mut order: Vec<usize> = (0..phi.len()).collect();
    order.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));
    order.truncate(k);
    order
}

/// For every pair of `found`, the eight coalition values [neither, a, b, both] alone and in context, summed over
/// the outputs; values in `known` are not evaluated again.
fn pair_values<G: Game + ?Sized>(
    game: &mut G,
    found: &Interactions,
    known: &KnownValues,
    batch_size: usize,
) -> Result<Vec<PairValues>, ExplainError> {
    let n = game.num_players();
    let mut coalitions: Vec<Coalition> = Vec::with_capacity(8 * found.pairs.len());
    for pair in &found.pairs {
        for base in [Coalition::empty(n), Coalition::full(n)] {
            let mut neither = base.clone();
            neither.remove(pair.a);
            neither.remove(pair.b);
            let mut only_a = neither.clone();
            only_a.insert(pair.a);
            let mut only_b = neither.clone();
            only_b.insert(pair.b);
            let mut both = only_a.clone();
            both.insert(pair.b);
            coalitions.extend([neither, only_a, only_b, both]);
        }
    }
    let totals = totals_reusing(game, &coalitions, known, batch_size)?;
    Ok(found
        .pairs
        .iter()
        .zip(totals.chunks(8))
        .map(|(pair, v)| PairValues {
            a: pair.a,
            b: pair.b,
            alone: [v[0], v[1], v[2], v[3]],
            in_context: [v[4], v[5], v[6], v[7]],
        })
        .collect())
}

/// Each coalition's value summed over the outputs, from `known` where it is there, else evaluated (once each).
fn totals_reusing<G: Game + ?Sized>(
    game: &mut G,
    coalitions: &[Coalition],
    known: &KnownValues,
    batch_size: usize,
) -> Result<Vec<f64>, ExplainError> {
    let t = game.num_outputs().max(1);
    let mut fresh: std::collections::HashMap<Coalition, f64> = std::collections::HashMap::new();
    let mut missing: Vec<Coalition> = Vec::new();
    for c in coalitions {
        if known.get(c).is_none() && !fresh.contains_key(c) {
            fresh.insert(c.clone(), 0.0);
            missing.push(c.clone());
        }
    }
    for chunk in missing.chunks(batch_size.max(1)) {
        let values = game.evaluate(chunk).map_err(whylm_shapley::ShapleyError::from)?;
        for (c, row) in chunk.iter().zip(values.chunks(t)) {
            fresh.insert(c.clone(), row.iter().sum());
        }
    }
    Ok(coalitions
        .iter()
        .map(|c| {
            known
                .get(c)
                .map_or_else(|| fresh.get(c).copied().unwrap_or(0.0), |v| v.iter().sum())
        })
        .collect())
}
