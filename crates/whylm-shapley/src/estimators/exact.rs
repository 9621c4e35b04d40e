//! Exact Shapley values from all 2^n coalitions.

use super::budget::all_coalitions;
use super::estimate::Estimate;
use super::spec::{BudgetRules, Job, Plan, Spec};
use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::Evaluator;
use crate::method::Method;

pub(crate) const SPEC: Spec = Spec {
    method: Method::Exact,
    name: "exact",
    aliases: &[],
    description: "all 2^n coalitions with Shapley weights: the exact values, for up to exact_limit players",
    budget: BudgetRules {
        minimum: all_coalitions,
        default: |n, _| all_coalitions(n),
        limits,
    },
    needs_hierarchy: false,
    run,
};

/// Above this, the 2^n table cannot be held whatever `exact_limit` says.
const MAX_EXACT_PLAYERS: usize = 32;

/// Too many players for a table of 2^n values.
fn limits(plan: &Plan) -> Result<(), ShapleyError> {
    if plan.players > plan.exact_limit.min(MAX_EXACT_PLAYERS) {
        return Err(ShapleyError::TooManyPlayersForExact {
            players: plan.players,
            limit: plan.exact_limit,
        });
    }
    Ok(())
}

pub(crate) fn run(ev: &mut Evaluator, _: &mut Job) -> Result<Estimate, ShapleyError> {
    estimate(ev)
}

/// Evaluates every coalition once (uncached: they are all distinct) into a table indexed by bitmask,
/// then accumulates phi_i = sum_{S not containing i} w(|S|) (v(S + i) - v(S)) with
/// w(s) = s! (n-1-s)! / n!, in O(n 2^n T).
fn estimate(ev: &mut Evaluator) -> Result<Estimate, ShapleyError> {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let total = 1usize << n;
    let mut table = Vec::with_capacity(total * t);
    let chunk = ev.batch_size().max(1024);
    let mut start = 0;
    while start < total {
        let end = (start + chunk).min(total);
        let batch: Vec<Coalition> = (start..end).map(|m| Coalition::from_mask(n, m as u64)).collect();
        table.extend(ev.evaluate_uncached(&batch)?);
        start = end;
    }
    let mut weights = shapley_weights(n);
    // The full coalition has no player left to add; its weight is never used.
    weights.push(0.0);
    let mut phi = vec![0.0; n * t];
    let mut diff = vec![0.0; t];
    for s in 0..total {
        let w = weights[(s as u64).count_ones() as usize];
        let row_s = &table[s * t..(s + 1) * t];
        for i in 0..n {
            if s >> i & 1 == 1 {
                continue;
            }
            let with = s | 1 << i;
            let row_with = &table[with * t..(with + 1) * t];
            for k in 0..t {
                diff[k] = row_with[k] - row_s[k];
            }
            for (p, d) in phi[i * t..(i + 1) * t].iter_mut().zip(&diff) {
                *p += w * d;
            }
        }
    }
    Ok(Estimate {
        phi: (0..n).map(|i| phi[i * t..(i + 1) * t].to_vec()).collect(),
        std_err: None,
        base: table[..t].to_vec(),
        full: table[(total - 1) * t..].to_vec(),
    })
}

/// `w[s] = s! (n-1-s)! / n! = 1 / (n * C(n-1, s))` for s in 0..n.
fn shapley_weights(n: usize) -> Vec<f64> {
    let mut binom = 1.0f64; // C(n-1, s)
    let mut w = Vec::with_capacity(n);
    for s in 0..n {
        w.push(1.0 / (n as f64 * binom));
        binom = binom * (n - 1 - s) as f64 / (s + 1) as f64;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_over_coalitions() {
        // sum over s of C(n-1, s) w(s) = 1: each player's weights form a distribution.
        for n in 1..30 {
            let w = shapley_weights(n);
            let mut binom = 1.0;
            let mut total = 0.0;
            for (s, ws) in w.iter().enumerate() {
                total += binom * ws;
                binom = binom * (n - 1 - s) as f64 / (s + 1) as f64;
            }
            assert!((total - 1.0).abs() < 1e-12, "n = {n}: {total}");
        }
    }
}
