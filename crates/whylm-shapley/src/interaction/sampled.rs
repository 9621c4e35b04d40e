//! The sampled pairwise index. I_ij is the mean of the discrete second derivative
//! D_ij(S) = v(S+i+j) - v(S+i) - v(S+j) + v(S) over S drawn as: a size s uniform in 0..=n-2, then
//! S uniform among the subsets of N \ {i, j} of that size (exactly the exact formula's weights), so
//! the sample mean is unbiased and its standard error is the sample spread over sqrt(m).
//! Each round draws one S per pair; rounds are added while their new coalitions fit the budget.

use std::collections::HashSet;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::result::PairInteraction;
use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::Evaluator;
use crate::moments::Moments;

/// Fewest samples per pair: a standard error needs two.
pub(crate) const MIN_SAMPLES_PER_PAIR: usize = 2;

/// The four coalitions of one sample: S, S+i, S+j, S+i+j.
fn draw(n: usize, i: usize, j: usize, rng: &mut ChaCha8Rng) -> [Coalition; 4] {
    let others: Vec<usize> = (0..n).filter(|&p| p != i && p != j).collect();
    let size = rng.random_range(0..=others.len());
    let picked = rand::seq::index::sample(rng, others.len(), size);
    let s = Coalition::from_indices(n, picked.iter().map(|k| others[k])).expect("players below n");
    let mut si = s.clone();
    si.insert(i);
    let mut sj = s.clone();
    sj.insert(j);
    let mut sij = si.clone();
    sij.insert(j);
    [s, si, sj, sij]
}

/// Draws rounds (one sample per pair) while their distinct new coalitions fit `budget`. Samples
/// repeat coalitions (small games, small S), so a round can cost nothing new; the number of rounds
/// is capped at `budget / pairs` (all samples together at most `budget`) so that drawing stops.
fn plan(
    ev: &Evaluator,
    pairs: &[(usize, usize)],
    budget: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Vec<[Coalition; 4]>> {
    let n = ev.num_players();
    let mut pending: HashSet<Coalition> = HashSet::new();
    let mut rounds = Vec::new();
    let most_rounds = budget / pairs.len().max(1);
    while rounds.len() < most_rounds {
        let round: Vec<[Coalition; 4]> = pairs.iter().map(|&(i, j)| draw(n, i, j, rng)).collect();
        let flat: Vec<Coalition> = round.iter().flatten().cloned().collect();
        if ev.evaluations() + pending.len() + ev.new_cost(&flat, &pending) > budget {
            break;
        }
        // known coalitions (cached or preloaded) cost nothing and are not pending
        pending.extend(flat.into_iter().filter(|c| !ev.is_cached(c)));
        rounds.push(round);
    }
    rounds
}

/// Samples the index of each pair within `budget` distinct evaluations (those already spent count).
pub(crate) fn sampled_pairs(
    ev: &mut Evaluator,
    pairs: &[(usize, usize)],
    budget: usize,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<PairInteraction>, ShapleyError> {
    let t = ev.num_outputs();
    let rounds = plan(ev, pairs, budget, rng);
    if rounds.len() < MIN_SAMPLES_PER_PAIR {
        return Err(ShapleyError::InteractionBudgetTooSmall {
            budget,
            pairs: pairs.len(),
            minimum: MIN_SAMPLES_PER_PAIR * 4 * pairs.len(),
        });
    }
    let flat: Vec<Coalition> = rounds.iter().flatten().flatten().cloned().collect();
    let ids = ev.rows_of(&flat)?;
    let mut moments: Vec<Moments> = pairs.iter().map(|_| Moments::zeros(t + 1)).collect();
    let mut delta = vec![0.0; t + 1];
    for sample in ids.chunks(4 * pairs.len()) {
        for (m, four) in moments.iter_mut().zip(sample.chunks(4)) {
            let (v, vi, vj, vij) = (ev.row(four[0]), ev.row(four[1]), ev.row(four[2]), ev.row(four[3]));
            for k in 0..t {
                delta[k] = vij[k] - vi[k] - vj[k] + v[k];
            }
            delta[t] = delta[..t].iter().sum();
            m.add(&delta);
        }
    }
    Ok(pairs
        .iter()
        .zip(moments)
        .map(|(&(a, b), m)| {
            let se = m.std_err();
            PairInteraction {
                a,
                b,
                per_output: m.mean[..t].to_vec(),
                std_err: se.as_ref().map(|se| se[..t].to_vec()),
                total: m.mean[t],
                total_std_err: se.as_ref().map(|se| se[t]),
            }
        })
        .collect())
}
