//! The coalitions the keep-1/2 methods evaluate.
//!
//! `contextcite` draws independent masks, as ContextCite does. `banzhaf` draws complementary pairs (S, N \ S):
//! the difference v(S) - v(N \ S) keeps only the game's odd part, so the even part (for a language model, mostly
//! how much context is left) no longer adds noise to the fit. The pairs' sides are rows of a randomised
//! Sylvester-Hadamard design: in the +-1 coding (z_i = +1 when player i is kept) the columns of a Hadamard
//! matrix are balanced and orthogonal, so every player is kept in half the pairs and every two players are kept
//! together in a quarter of them, exactly over a whole block and nearly over a part of one. Random columns and a
//! random sign per player keep each row uniformly distributed, so the estimate stays unbiased over the draw.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::coalition::Coalition;

/// Whether entry (row, column) of the Sylvester-Hadamard matrix is +1: (-1)^popcount(row & column).
fn hadamard_plus(row: usize, column: usize) -> bool {
    (row & column).count_ones().is_multiple_of(2)
}

/// `pairs` canonical sides of complementary pairs over `n` players (evaluate each with its complement), in
/// blocks of a Hadamard design of order 2^k > n; each block draws its own columns, signs and row order.
pub(crate) fn hadamard_pairs(n: usize, pairs: usize, rng: &mut ChaCha8Rng) -> Vec<Coalition> {
    let order = (n + 1).next_power_of_two();
    let mut sides = Vec::with_capacity(pairs);
    while sides.len() < pairs {
        // Column 0 is all +1 (no balance); the others are balanced and mutually orthogonal.
        let mut columns: Vec<usize> = (1..order).collect();
        let (columns, _) = columns.partial_shuffle(rng, n);
        let flips: Vec<bool> = (0..n).map(|_| rng.random::<bool>()).collect();
        let mut rows: Vec<usize> = (0..order).collect();
        rows.shuffle(rng);
        let take = (pairs - sides.len()).min(order);
        for &row in &rows[..take] {
            let kept = (0..n).filter(|&i| hadamard_plus(row, columns[i]) != flips[i]);
            sides.push(Coalition::from_indices(n, kept).unwrap_or_else(|| Coalition::empty(n)));
        }
    }
    sides
}

/// One side of every complementary pair: the 2^(n-1) coalitions without player n - 1 (the empty one first).
pub(crate) fn all_pairs(n: usize) -> Vec<Coalition> {
    let half = 1u64 << (n - 1);
    (0..half).map(|mask| Coalition::from_mask(n, mask)).collect()
}

/// `count` masks keeping each player independently with probability 1/2 (ContextCite's ablations).
pub(crate) fn keep_half(n: usize, count: usize, rng: &mut ChaCha8Rng) -> Vec<Coalition> {
    (0..count)
        .map(|_| {
            let kept: Vec<usize> = (0..n).filter(|_| rng.random::<bool>()).collect();
            Coalition::from_indices(n, kept).unwrap_or_else(|| Coalition::empty(n))
        })
        .collect()
}

/// The +-1 coding of a coalition: +1 for a kept player, -1 for an absent one.
pub(crate) fn signs(c: &Coalition) -> Vec<f64> {
    (0..c.num_players())
        .map(|i| if c.contains(i) { 1.0 } else { -1.0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn gram(sides: &[Coalition]) -> Vec<Vec<f64>> {
        let z: Vec<Vec<f64>> = sides.iter().map(signs).collect();
        let n = z[0].len();
        (0..n)
            .map(|i| (0..n).map(|j| z.iter().map(|r| r[i] * r[j]).sum()).collect())
            .collect()
    }

    #[test]
    fn a_whole_hadamard_block_is_balanced_and_orthogonal() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        // n = 10: order 16, one whole block
        let sides = hadamard_pairs(10, 16, &mut rng);
        let g = gram(&sides);
        for (i, row) in g.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                assert_eq!(v, if i == j { 16.0 } else { 0.0 }, "({i}, {j})");
            }
        }
        let kept: Vec<usize> = (0..10)
            .map(|i| sides.iter().filter(|s| s.contains(i)).count())
            .collect();
        assert!(kept.iter().all(|&k| k == 8), "{kept:?}");
    }

    #[test]
    fn part_of_a_block_is_closer_to_orthogonal_than_independent_draws() {
        let (n, pairs) = (20, 15);
        let off_diagonal = |g: &[Vec<f64>]| -> f64 {
            let mut s = 0.0;
            for (i, row) in g.iter().enumerate() {
                s += row
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, v)| v * v)
                    .sum::<f64>();
            }
            s
        };
        let (mut design, mut independent) = (0.0, 0.0);
        for seed in 0..30 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            design += off_diagonal(&gram(&hadamard_pairs(n, pairs, &mut rng)));
            independent += off_diagonal(&gram(&keep_half(n, pairs, &mut rng)));
        }
        // expected ratio (32 - 15) / 31 = 0.55
        assert!(design < 0.7 * independent, "{design} vs {independent}");
    }

    #[test]
    fn all_pairs_lists_each_complementary_pair_once() {
        let sides = all_pairs(4);
        assert_eq!(sides.len(), 8);
        assert!(sides[0].is_empty());
        let mut everything: Vec<Coalition> = sides.iter().flat_map(|s| [s.clone(), s.complement()]).collect();
        everything.sort();
        everything.dedup();
        assert_eq!(everything.len(), 16);
    }
}
