//! Antithetic permutation sampling: each random permutation is walked together with its reverse,
//! adding each player's marginal contribution as it joins. A permutation costs n - 1 coalitions
//! (v(empty) and v(full) are shared); the std error comes from the spread across pairs.

use std::collections::HashSet;

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::budget::per_player_default;
use super::estimate::{ends, zeros, Estimate};
use super::spec::{no_limits, BudgetRules, Spec};
use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::{Evaluator, RowId};
use crate::method::Method;
use crate::moments::Moments;

pub(crate) const SPEC: Spec = Spec {
    method: Method::Permutation,
    name: "permutation",
    aliases: &[],
    description: "antithetic permutation sampling: unbiased, with std errors; can stop at a target std error",
    budget: BudgetRules {
        // One permutation: n - 1 new coalitions, plus v(empty) and v(full). Below the 2n of an
        // antithetic pair, a single walk (efficient, unbiased, but without a std error).
        minimum: |n| n + 1,
        default: per_player_default,
        limits: no_limits,
    },
    needs_hierarchy: false,
    run: |ev, job| estimate(ev, job.budget, job.target_std_err, job.rng),
};

/// Pairs needed before a target std error is trusted: fewer gives a too noisy spread.
const MIN_PAIRS_FOR_TARGET: usize = 4;

/// One antithetic pair: a permutation and the coalitions its prefixes and its reverse's prefixes form.
struct Pair {
    order: Vec<usize>,
    /// Prefixes of `order` of length 1..n-1, then prefixes of the reverse of length 1..n-1.
    coalitions: Vec<Coalition>,
}

fn draw_pair(n: usize, rng: &mut ChaCha8Rng) -> Pair {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let mut coalitions = Vec::with_capacity(2 * n.saturating_sub(1));
    let mut prefix = Coalition::empty(n);
    for &p in &order[..n - 1] {
        prefix.insert(p);
        coalitions.push(prefix.clone());
    }
    let mut suffix = Coalition::empty(n);
    for &p in order[1..].iter().rev() {
        suffix.insert(p);
        coalitions.push(suffix.clone());
    }
    Pair { order, coalitions }
}

fn estimate(
    ev: &mut Evaluator,
    budget: usize,
    target_std_err: Option<f64>,
    rng: &mut ChaCha8Rng,
) -> Result<Estimate, ShapleyError> {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let (base_id, full_id) = ends(ev)?;
    let base = ev.row(base_id).to_vec();
    let full = ev.row(full_id).to_vec();
    if n == 1 {
        let phi = vec![full.iter().zip(&base).map(|(f, b)| f - b).collect()];
        return Ok(Estimate {
            phi,
            std_err: Some(zeros(1, t)),
            base,
            full,
        });
    }
    // Pairs of tiny games cost nothing once every coalition is cached; this bounds the loop.
    let max_pairs = (budget / 2).max(1);
    let mut moments = Moments::zeros(n * t);
    let mut pair_estimate = vec![0.0; n * t];
    'sampling: loop {
        let (planned, out_of_budget) = plan_batch(ev, budget, moments.count, max_pairs, rng);
        if planned.is_empty() {
            break;
        }
        let all: Vec<Coalition> = planned
            .iter()
            .flat_map(|p| p.coalitions.iter().cloned())
            .collect();
        let rows = ev.rows_of(&all)?;
        for (k, pair) in planned.iter().enumerate() {
            let ids = &rows[k * 2 * (n - 1)..(k + 1) * 2 * (n - 1)];
            walk_pair(ev, pair, ids, (base_id, full_id), &mut pair_estimate);
            moments.add(&pair_estimate);
            if let (Some(target), Some(se)) = (target_std_err, moments.std_err()) {
                if moments.count >= MIN_PAIRS_FOR_TARGET && se.iter().all(|&e| e <= target) {
                    break 'sampling;
                }
            }
        }
        if out_of_budget || moments.count >= max_pairs {
            break;
        }
    }
    if moments.count == 0 {
        // The budget affords no antithetic pair: one permutation's marginal contributions.
        let phi = single_walk(ev, (base_id, full_id), rng)?;
        return Ok(Estimate {
            phi,
            std_err: None,
            base,
            full,
        });
    }
    let to_rows = |flat: &[f64]| {
        (0..n)
            .map(|i| flat[i * t..(i + 1) * t].to_vec())
            .collect::<Vec<_>>()
    };
    Ok(Estimate {
        phi: to_rows(&moments.mean),
        std_err: moments.std_err().map(|se| to_rows(&se)),
        base,
        full,
    })
}

/// The next batch of pairs that the budget affords, planned in drawing order so that what is
/// used does not depend on the batch size; `true` when the budget ran out while planning.
fn plan_batch(
    ev: &Evaluator,
    budget: usize,
    done: usize,
    max_pairs: usize,
    rng: &mut ChaCha8Rng,
) -> (Vec<Pair>, bool) {
    let n = ev.num_players();
    let mut planned: Vec<Pair> = Vec::new();
    let mut pending: HashSet<Coalition> = HashSet::new();
    while pending.len() < ev.batch_size() && done + planned.len() < max_pairs {
        let pair = draw_pair(n, rng);
        let cost = ev.new_cost(&pair.coalitions, &pending);
        if ev.evaluations() + pending.len() + cost > budget {
            return (planned, true);
        }
        pending.extend(pair.coalitions.iter().filter(|c| !ev.is_cached(c)).cloned());
        planned.push(pair);
    }
    (planned, false)
}

/// Each player's marginal contribution as it joins along one random permutation (n - 1 new
/// coalitions): efficient and unbiased, the least a permutation estimate can cost.
fn single_walk(
    ev: &mut Evaluator,
    (base_id, full_id): (RowId, RowId),
    rng: &mut ChaCha8Rng,
) -> Result<Vec<Vec<f64>>, ShapleyError> {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let pair = draw_pair(n, rng);
    let ids = ev.rows_of(&pair.coalitions[..n - 1])?;
    let walk: Vec<RowId> = std::iter::once(base_id).chain(ids).chain([full_id]).collect();
    let mut phi = zeros(n, t);
    for (j, &p) in pair.order.iter().enumerate() {
        let (before, after) = (ev.row(walk[j]), ev.row(walk[j + 1]));
        for s in 0..t {
            phi[p][s] = after[s] - before[s];
        }
    }
    Ok(phi)
}

/// One pair's estimate into `out` (n x T flat): half of each player's marginal contribution as it
/// joins along the permutation and along its reverse. `ids` are the rows of `pair.coalitions`.
fn walk_pair(
    ev: &Evaluator,
    pair: &Pair,
    ids: &[RowId],
    (base_id, full_id): (RowId, RowId),
    out: &mut [f64],
) {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    out.iter_mut().for_each(|x| *x = 0.0);
    // Forward walk: order[j] joins prefix j; reverse walk: order[n-1-j] joins.
    let forward = std::iter::once(base_id)
        .chain(ids[..n - 1].iter().copied())
        .chain([full_id]);
    let backward = std::iter::once(base_id)
        .chain(ids[n - 1..].iter().copied())
        .chain([full_id]);
    for (walk, players) in [
        (forward.collect::<Vec<_>>(), pair.order.clone()),
        (
            backward.collect::<Vec<_>>(),
            pair.order.iter().rev().copied().collect(),
        ),
    ] {
        for (j, &p) in players.iter().enumerate() {
            let (before, after) = (ev.row(walk[j]), ev.row(walk[j + 1]));
            for s in 0..t {
                out[p * t + s] += 0.5 * (after[s] - before[s]);
            }
        }
    }
}
