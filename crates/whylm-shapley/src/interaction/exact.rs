//! The exact pairwise index from all 2^n coalitions:
//! I_ij = sum over S in N \ {i, j} of |S|! (n - |S| - 2)! / (n - 1)! * [v(S+i+j) - v(S+i) - v(S+j) + v(S)].

use super::result::PairInteraction;
use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::Evaluator;

/// Every coalition's T values, indexed by bitmask (evaluated once each, in batches).
fn full_table(ev: &mut Evaluator) -> Result<Vec<f64>, ShapleyError> {
    let n = ev.num_players();
    let total = 1usize << n;
    let batch: Vec<Coalition> = (0..total).map(|m| Coalition::from_mask(n, m as u64)).collect();
    if ev.cached() == 0 {
        return ev.evaluate_uncached(&batch);
    }
    // Some values are known already (the Shapley values' coalitions): evaluate only the others.
    let ids = ev.rows_of(&batch)?;
    Ok(ids.into_iter().flat_map(|id| ev.row(id).to_vec()).collect())
}

/// w(s) = s! (n-2-s)! / (n-1)! = 1 / ((n-1) C(n-2, s)) for s = 0..n-2: the chance that a random
/// order of the n-1 players {i,j merged} puts exactly this S before the merged player.
fn interaction_weights(n: usize) -> Vec<f64> {
    let mut binom = 1.0;
    let mut out = Vec::with_capacity(n - 1);
    for s in 0..=n - 2 {
        out.push(1.0 / ((n - 1) as f64 * binom));
        binom = binom * (n - 2 - s) as f64 / (s + 1) as f64;
    }
    out
}

/// The exact index of each pair of `positions` (pairs of players), O(pairs 2^(n-2) T).
pub(crate) fn exact_pairs(
    ev: &mut Evaluator,
    pairs: &[(usize, usize)],
) -> Result<Vec<PairInteraction>, ShapleyError> {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let table = full_table(ev)?;
    let weights = interaction_weights(n);
    let row = |m: usize| &table[m * t..(m + 1) * t];
    let out = pairs
        .iter()
        .map(|&(i, j)| {
            let (bi, bj) = (1usize << i, 1usize << j);
            let mut per_output = vec![0.0; t];
            for s in (0..1usize << n).filter(|s| s & (bi | bj) == 0) {
                let w = weights[s.count_ones() as usize];
                let (v, vi, vj, vij) = (row(s), row(s | bi), row(s | bj), row(s | bi | bj));
                for (k, acc) in per_output.iter_mut().enumerate() {
                    *acc += w * (vij[k] - vi[k] - vj[k] + v[k]);
                }
            }
            PairInteraction {
                a: i,
                b: j,
                total: per_output.iter().sum(),
                per_output,
                std_err: None,
                total_std_err: None,
            }
        })
        .collect();
    Ok(out)
}
