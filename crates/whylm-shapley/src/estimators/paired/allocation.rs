//! How many pairs each coalition size gets: the Neyman split of the budget over the size classes.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::subsets::binomial;

/// Pairs whose smaller (or, for |S| = n/2, player-0-holding) side has `size` players.
pub(crate) struct SizeClass {
    pub size: usize,
    /// Number of coalitions of this size, C(n, size).
    pub coalitions: f64,
    /// Number of distinct pairs in the class.
    pub pairs: f64,
    /// Pairs sampled.
    pub taken: usize,
}

impl SizeClass {
    /// Whether every pair of the class is taken (it then carries no sampling error).
    pub(crate) fn saturated(&self) -> bool {
        self.taken as f64 >= self.pairs
    }
}

/// A class's share of the sampled pairs (up to a common factor): the Neyman allocation, which
/// minimises the variance of the regression's right-hand side sum_S mu(S) x(S) r(S) (r: what the
/// linear fit leaves), is proportional to the class's total kernel weight times the spread of
/// its contributions. The weight of a class is (pairs / coalitions) * 2 (n-1) / (s (n-s)); the
/// contribution x(S) r(S), with the sum-zero component removed, has length 2 sqrt(s (n-s) / n)
/// times |r(S)|. Taking the spread of r as the same at every size (nothing is known of the game
/// before sampling) leaves (pairs / coalitions) / sqrt(s (n-s)): between Leverage SHAP's equal
/// split (which assumes |r| grows like sqrt(s (n-s))) and shap's split by kernel weight (which
/// ignores the length of x). In practice it takes every single-player pair (s = 1) from 7n
/// evaluations on (n = 10; 12n for n = 24), where language-model games leave their largest
/// residuals. Chosen on held-out language-model games (whylm-explain's `lm_games` example) and
/// random games disjoint from the accuracy table: 14% lower error at 10n than the equal split on
/// the former, the same on the latter (BENCHMARKS.md).
fn neyman_share(n: usize, k: &SizeClass) -> f64 {
    k.pairs / k.coalitions / ((k.size * (n - k.size)) as f64).sqrt()
}

/// Splits `pairs_total` pairs over the size classes in proportion to `neyman_share` (capped at
/// the class size), rounded systematically so the counts add up to `pairs_total`.
pub(crate) fn allocate(n: usize, pairs_total: usize, rng: &mut ChaCha8Rng) -> Vec<SizeClass> {
    let mut classes: Vec<SizeClass> = (1..=n / 2)
        .map(|size| {
            let coalitions = binomial(n, size);
            let pairs = if 2 * size == n {
                coalitions / 2.0
            } else {
                coalitions
            };
            SizeClass {
                size,
                coalitions,
                pairs,
                taken: 0,
            }
        })
        .collect();
    // Expected pairs of a class at level c: min(pairs, c * share); find c by bisection.
    let share = |k: &SizeClass| neyman_share(n, k);
    let expected = |c: f64, k: &SizeClass| k.pairs.min(c * share(k));
    let target = pairs_total as f64;
    let (mut lo, mut hi) = (
        0.0f64,
        classes.iter().map(|k| k.pairs / share(k)).fold(1.0, f64::max),
    );
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if classes.iter().map(|k| expected(mid, k)).sum::<f64>() < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let shares: Vec<f64> = classes.iter().map(|k| expected(hi, k)).collect();
    let u: f64 = rng.random();
    let mut cumulative = 0.0;
    let mut total = 0;
    for (k, share) in classes.iter_mut().zip(shares) {
        let taken = ((cumulative + share + u).floor() - (cumulative + u).floor()).max(0.0);
        k.taken = (taken.min(k.pairs) as usize).min(pairs_total - total);
        total += k.taken;
        cumulative += share;
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn allocation_spends_the_budget_and_saturates_small_sizes() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let classes = allocate(10, 100, &mut rng);
        assert_eq!(classes.iter().map(|k| k.taken).sum::<usize>(), 100);
        assert!(
            classes[0].saturated(),
            "size 1 has only 10 pairs and must be taken whole"
        );
        let all = allocate(6, 31, &mut rng);
        assert!(all.iter().all(SizeClass::saturated));
    }

    #[test]
    fn neyman_split_takes_the_single_player_pairs_whole_before_the_middle_sizes() {
        // n = 14, 70 pairs (10n evaluations): an equal split would give size 1 ten of its 14 pairs.
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let classes = allocate(14, 70, &mut rng);
        assert_eq!(classes.iter().map(|k| k.taken).sum::<usize>(), 70);
        assert!(classes[0].saturated(), "size 1 gets all 14 pairs");
        let taken: Vec<usize> = classes.iter().map(|k| k.taken).collect();
        // Sizes 2..6 get shares falling like 1/sqrt(s (14 - s)), the middle class half of that.
        assert!(taken[1..6].windows(2).all(|w| w[0] + 1 >= w[1]), "{taken:?}");
        assert!(taken[1] > taken[5] && taken[6] < taken[5], "{taken:?}");
    }
}
