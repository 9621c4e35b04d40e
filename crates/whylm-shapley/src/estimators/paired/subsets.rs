//! Counting and listing coalitions of one size: what the size classes and the balanced design
//! draw from.

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::coalition::Coalition;

/// C(n, k), in floating point (the class sizes only weigh and count the pairs).
pub(crate) fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, j| acc * (n - j) as f64 / (j + 1) as f64)
}

/// A uniformly random coalition of `size` players, holding player 0 when `with_zero`.
pub(crate) fn random_subset(n: usize, size: usize, with_zero: bool, rng: &mut ChaCha8Rng) -> Coalition {
    let mut pool: Vec<usize> = if with_zero {
        (1..n).collect()
    } else {
        (0..n).collect()
    };
    let need = if with_zero { size - 1 } else { size };
    let (chosen, _) = pool.partial_shuffle(rng, need);
    let mut c = Coalition::from_indices(n, chosen.iter().copied()).unwrap_or_else(|| Coalition::empty(n));
    if with_zero {
        c.insert(0);
    }
    c
}

/// Every coalition of `size` players (holding player 0 when `with_zero`), in lexicographic order.
pub(crate) fn all_subsets(n: usize, size: usize, with_zero: bool) -> Vec<Coalition> {
    let (first, need) = if with_zero { (1, size - 1) } else { (0, size) };
    let mut out = Vec::new();
    let mut idx: Vec<usize> = (first..first + need).collect();
    loop {
        let mut c = Coalition::from_indices(n, idx.iter().copied()).unwrap_or_else(|| Coalition::empty(n));
        if with_zero {
            c.insert(0);
        }
        out.push(c);
        // Advance to the next combination of `need` out of first..n.
        let mut j = need;
        loop {
            if j == 0 {
                return out;
            }
            j -= 1;
            if idx[j] < n - need + j {
                break;
            }
        }
        idx[j] += 1;
        for k in j + 1..need {
            idx[k] = idx[k - 1] + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn subsets_are_all_distinct_combinations() {
        let all = all_subsets(6, 3, true);
        assert_eq!(all.len(), 10);
        assert!(all.iter().all(|c| c.contains(0) && c.len() == 3));
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 10);
        assert_eq!(all_subsets(5, 2, false).len(), 10);
    }
}
