//! KernelSHAP in the manner of Leverage SHAP (Musco & Witter, ICLR 2025), with a Neyman split of
//! the budget over coalition sizes.
//!
//! Shapley values solve a weighted least-squares problem over all interior coalitions S with
//! kernel weight mu(S) = (n-1) / (C(n,|S|) |S| (n-|S|)), subject to sum_i phi_i = v(N) - v(empty).
//! Coalitions are sampled in complementary pairs (S, N \ S), without replacement, uniformly within
//! a size. Leverage SHAP gives every size the same share of the budget; here the shares follow
//! the Neyman allocation (`neyman_share`: proportional to 1/sqrt(s (n-s)), so the smallest and
//! largest coalitions get more, which is where language-model games leave the most error). A size
//! whose share covers it is enumerated whole. Within a size, the pairs are chosen to overlap little
//! rather than independently (`balanced_design`), which lowers the error of the third-order part,
//! the only part paired regression must estimate. Sampled rows are reweighted by (pairs of that
//! size) / (pairs sampled), so that a budget covering every coalition gives the exact values. The constraint is imposed exactly by solving in the
//! subspace sum_i phi_i = 0 around the even split. Std errors: delete-a-group jackknife over the
//! sampled pairs (sizes enumerated whole carry no sampling error).

use nalgebra::{DMatrix, SymmetricEigen};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::balanced_design::balanced_sample;
use super::{ends, restore_efficiency, zeros, Estimate};
use crate::evaluator::{Evaluator, RowId};
use crate::{Coalition, ShapleyError};

/// Jackknife groups: enough for a stable spread, few enough to keep the solves cheap.
const JACKKNIFE_GROUPS: usize = 10;

/// Pairs whose smaller (or, for |S| = n/2, player-0-holding) side has `size` players.
struct SizeClass {
    size: usize,
    /// Number of coalitions of this size, C(n, size).
    coalitions: f64,
    /// Number of distinct pairs in the class.
    pairs: f64,
    /// Pairs sampled.
    taken: usize,
}

impl SizeClass {
    fn saturated(&self) -> bool {
        self.taken as f64 >= self.pairs
    }
}

pub(super) fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, j| acc * (n - j) as f64 / (j + 1) as f64)
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
fn allocate(n: usize, pairs_total: usize, rng: &mut ChaCha8Rng) -> Vec<SizeClass> {
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

/// A uniformly random coalition of `size` players, holding player 0 when `with_zero`.
pub(super) fn random_subset(n: usize, size: usize, with_zero: bool, rng: &mut ChaCha8Rng) -> Coalition {
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
pub(super) fn all_subsets(n: usize, size: usize, with_zero: bool) -> Vec<Coalition> {
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

/// `taken` distinct pairs of a class, as their canonical side: the whole class when it is
/// saturated, a balanced sample (see `balanced_design`) otherwise.
fn sample_class(n: usize, class: &SizeClass, rng: &mut ChaCha8Rng) -> Vec<Coalition> {
    if class.saturated() {
        return all_subsets(n, class.size, 2 * class.size == n);
    }
    balanced_sample(n, class.size, class.taken, class.pairs, rng)
}

/// Normal equations of the weighted regression: A = sum w z z^T, c = sum w z b^T.
struct Normal {
    a: DMatrix<f64>,
    c: DMatrix<f64>,
}

impl Normal {
    fn zeros(n: usize, t: usize) -> Self {
        Normal {
            a: DMatrix::zeros(n, n),
            c: DMatrix::zeros(n, t),
        }
    }

    fn add(&mut self, kept: &[usize], weight: f64, b: &[f64]) {
        for &i in kept {
            for &j in kept {
                self.a[(i, j)] += weight;
            }
            for (s, bs) in b.iter().enumerate() {
                self.c[(i, s)] += weight * bs;
            }
        }
    }
}

/// argmin over sum_i phi_i = delta of phi^T A phi - 2 tr(phi^T c): phi = delta/n + P beta, with
/// P the projection onto sum zero and beta from the pseudo-inverse of P A P (which tolerates the
/// rank deficiency of small samples).
fn solve(a: &DMatrix<f64>, c: &DMatrix<f64>, delta: &[f64]) -> DMatrix<f64> {
    let (n, t) = (a.nrows(), c.ncols());
    let projection = DMatrix::<f64>::identity(n, n) - DMatrix::<f64>::from_element(n, n, 1.0 / n as f64);
    let phi0 = DMatrix::from_fn(n, t, |_, s| delta[s] / n as f64);
    let r = &projection * (c - a * &phi0);
    let m = &projection * a * &projection;
    let eig = SymmetricEigen::new(m);
    let largest = eig.eigenvalues.iter().fold(0.0f64, |acc, v| acc.max(v.abs()));
    let tolerance = largest * 1e-10 * n as f64;
    let inverse_values = eig
        .eigenvalues
        .map(|v| if v.abs() > tolerance { 1.0 / v } else { 0.0 });
    let q = &eig.eigenvectors;
    let beta = q * DMatrix::from_diagonal(&inverse_values) * q.transpose() * r;
    phi0 + &projection * beta
}

fn to_rows(m: &DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|i| m.row(i).iter().copied().collect())
        .collect()
}

/// The sampled complementary pairs of one run: the size classes with their counts, each pair's
/// class and canonical side, and the coalitions to evaluate (side, complement, side, ...).
pub(crate) struct PairSample {
    classes: Vec<SizeClass>,
    sampled: Vec<(usize, Coalition)>,
    pub(crate) coalitions: Vec<Coalition>,
}

impl PairSample {
    /// Draws the pairs that `interior` evaluations afford (all randomness before any evaluation).
    pub(crate) fn draw(n: usize, interior: usize, rng: &mut ChaCha8Rng) -> Self {
        let classes = allocate(n, interior / 2, rng);
        let mut sampled: Vec<(usize, Coalition)> = Vec::new();
        for (k, class) in classes.iter().enumerate() {
            sampled.extend(sample_class(n, class, rng).into_iter().map(|c| (k, c)));
        }
        let coalitions: Vec<Coalition> = sampled
            .iter()
            .flat_map(|(_, c)| [c.clone(), c.complement()])
            .collect();
        PairSample {
            classes,
            sampled,
            coalitions,
        }
    }

    pub(crate) fn num_pairs(&self) -> usize {
        self.sampled.len()
    }

    /// Regression weight of pair `p` (of each of its two sides): mu(size) * pairs / taken, with
    /// C(n, size) cancelled against the class size (1 or 1/2 of it).
    pub(crate) fn weight(&self, n: usize, p: usize) -> f64 {
        let class = &self.classes[self.sampled[p].0];
        (n - 1) as f64 / (class.size * (n - class.size)) as f64 * (class.pairs / class.coalitions)
            / class.taken as f64
    }

    fn saturated(&self, p: usize) -> bool {
        self.classes[self.sampled[p].0].saturated()
    }
}

/// The constrained kernel regression over the sampled pairs. `b` holds, per coalition of
/// `sample.coalitions` (in order), `t` values minus v(empty); `delta` is v(full) - v(empty).
/// Returns phi (n x T, efficient up to rounding) and the jackknife std errors.
pub(crate) fn regress(
    n: usize,
    t: usize,
    sample: &PairSample,
    b: &[f64],
    delta: &[f64],
    rng: &mut ChaCha8Rng,
) -> (Vec<Vec<f64>>, Option<Vec<Vec<f64>>>) {
    let pairs = sample.num_pairs();
    let groups = JACKKNIFE_GROUPS.min((0..pairs).filter(|&p| !sample.saturated(p)).count());
    let mut fixed = Normal::zeros(n, t);
    let mut grouped: Vec<Normal> = (0..groups).map(|_| Normal::zeros(n, t)).collect();
    let mut next_group = rng.random_range(0..groups.max(1));
    for p in 0..pairs {
        let weight = sample.weight(n, p);
        let target = if sample.saturated(p) || groups == 0 {
            &mut fixed
        } else {
            next_group = (next_group + 1) % groups;
            &mut grouped[next_group]
        };
        for side in 0..2 {
            let row = 2 * p + side;
            let kept: Vec<usize> = sample.coalitions[row].iter_kept().collect();
            target.add(&kept, weight, &b[row * t..(row + 1) * t]);
        }
    }
    let mut a_all = fixed.a.clone();
    let mut c_all = fixed.c.clone();
    for g in &grouped {
        a_all += &g.a;
        c_all += &g.c;
    }
    let phi = to_rows(&solve(&a_all, &c_all, delta));

    let std_err = if groups >= 2 {
        // Delete-a-group jackknife; the sampled part is scaled back up to its full weight.
        let scale = groups as f64 / (groups - 1) as f64;
        let (a_sampled, c_sampled) = (&a_all - &fixed.a, &c_all - &fixed.c);
        let replicates: Vec<DMatrix<f64>> = grouped
            .iter()
            .map(|g| {
                let a = &fixed.a + (&a_sampled - &g.a) * scale;
                let c = &fixed.c + (&c_sampled - &g.c) * scale;
                solve(&a, &c, delta)
            })
            .collect();
        let mean = replicates.iter().fold(DMatrix::zeros(n, t), |acc, r| acc + r) / groups as f64;
        let var = replicates.iter().fold(DMatrix::zeros(n, t), |acc, r| {
            let d = r - &mean;
            acc + d.component_mul(&d)
        }) * ((groups - 1) as f64 / groups as f64);
        Some(to_rows(&var.map(f64::sqrt)))
    } else if (0..pairs).all(|p| sample.saturated(p)) {
        Some(zeros(n, t))
    } else {
        None
    };
    (phi, std_err)
}

/// Evaluations left for interior coalitions once v(empty) and v(full) are known.
pub(crate) fn interior_budget(ev: &Evaluator, budget: usize) -> usize {
    budget
        .saturating_sub(ev.evaluations())
        .min(crate::settings::all_coalitions(ev.num_players()) - 2)
}

/// What the paired-sampling estimators (kernel and msr) start from: the game's ends, a paired
/// sample drawn within the budget, and the evaluated rows of its coalitions.
pub(crate) struct PairedDraw {
    pub base: Vec<f64>,
    pub full: Vec<f64>,
    /// v(N) - v(empty), per output.
    pub delta: Vec<f64>,
    pub sample: PairSample,
    pub rows: Vec<RowId>,
}

impl PairedDraw {
    /// (base, full, delta, sample, rows).
    pub(crate) fn into_parts(self) -> (Vec<f64>, Vec<f64>, Vec<f64>, PairSample, Vec<RowId>) {
        (self.base, self.full, self.delta, self.sample, self.rows)
    }
}

/// Draws and evaluates the paired sample and hands it to `estimate` (kernel, msr and gp differ
/// only in what they make of it); with one player the answer is already known.
pub(crate) fn on_paired_draw(
    ev: &mut Evaluator,
    budget: usize,
    rng: &mut ChaCha8Rng,
    estimate: impl FnOnce(&mut Evaluator, PairedDraw, &mut ChaCha8Rng) -> Estimate,
) -> Result<Estimate, ShapleyError> {
    Ok(match draw_paired(ev, budget, rng)? {
        Ok(draw) => estimate(ev, draw, rng),
        Err(trivial) => trivial,
    })
}

/// Draws and evaluates the paired sample; with one player the answer is already known and is
/// returned as `Err(estimate)`.
fn draw_paired(
    ev: &mut Evaluator,
    budget: usize,
    rng: &mut ChaCha8Rng,
) -> Result<Result<PairedDraw, Estimate>, ShapleyError> {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let (base_id, full_id) = ends(ev)?;
    let base = ev.row(base_id).to_vec();
    let full = ev.row(full_id).to_vec();
    let delta: Vec<f64> = full.iter().zip(&base).map(|(f, b)| f - b).collect();
    if n == 1 {
        return Ok(Err(Estimate {
            phi: vec![delta],
            std_err: Some(zeros(1, t)),
            base,
            full,
        }));
    }
    let sample = PairSample::draw(n, interior_budget(ev, budget), rng);
    let rows = ev.rows_of(&sample.coalitions)?;
    Ok(Ok(PairedDraw {
        base,
        full,
        delta,
        sample,
        rows,
    }))
}

/// Kernel regression on a paired draw.
pub(crate) fn estimate(ev: &mut Evaluator, draw: PairedDraw, rng: &mut ChaCha8Rng) -> Estimate {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let (base, full, delta, sample, rows) = draw.into_parts();
    let b: Vec<f64> = rows
        .iter()
        .flat_map(|&id| ev.row(id).iter().zip(&base).map(|(v, b)| v - b))
        .collect();
    let (mut phi, std_err) = regress(n, t, &sample, &b, &delta, rng);
    restore_efficiency(&mut phi, &base, &full);
    Estimate {
        phi,
        std_err,
        base,
        full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::HashSet;

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

    #[test]
    fn subsets_are_all_distinct_combinations() {
        let all = all_subsets(6, 3, true);
        assert_eq!(all.len(), 10);
        assert!(all.iter().all(|c| c.contains(0) && c.len() == 3));
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 10);
        assert_eq!(all_subsets(5, 2, false).len(), 10);
    }
}
