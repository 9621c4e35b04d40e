//! A sparse surrogate of the game's third-order interactions, fitted to sampled complementary
//! pairs, whose Shapley values are known in closed form.
//!
//! Only the odd part of a game, g(S) = (v(S) - v(N \ S)) / 2, carries Shapley value, and a paired
//! sample observes it exactly. In the +-1 coding x_i = 1 if i is kept, -1 if not, the odd part is
//! a sum of odd-degree products: the linear terms, which the kernel regression recovers exactly,
//! then the products x_a x_b x_c of three players, the first thing the regression can only
//! estimate. This module selects the few products that explain the most of what the linear fit
//! leaves (greedy forward selection, weighted as the regression is, stopping when no candidate's
//! gain stands out of the noise), and fits their coefficients. The Shapley value of x_a x_b x_c
//! (as a game) is 2/3 for each of a, b, c and 0 for the others.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use nalgebra::DMatrix;

use super::paired::PairSample;
use crate::coalition::Coalition;
use crate::evaluator::{Evaluator, RowId};

/// Candidate products are drawn from at most this many players, those with the largest linear
/// coefficients (interactions usually involve players that matter on their own: the heredity
/// principle); it bounds the search at C(24, 3) = 2024 candidates per step.
const CANDIDATE_POOL: usize = 24;

/// A candidate is kept when its gain (squared correlation with the residual, in units of the
/// residual variance) exceeds this times ln(number of candidates); 0.6 was the best setting of
/// the accuracy benchmark among 0.2..4 (lower lets in noise, higher misses real interactions).
const THRESHOLD_PER_LOG_CANDIDATES: f64 = 0.6;

/// Residual variances below this fraction of the signal are rounding error: nothing to explain.
const RELATIVE_NOISE_FLOOR: f64 = 1e-20;

/// `sum over selected triples T of coef[T][q] * x_T(S)`, per output q.
pub(crate) struct CubicSurrogate {
    triples: Vec<[usize; 3]>,
    /// One row of T coefficients per triple.
    coef: Vec<Vec<f64>>,
}

/// The cubic surrogate fitted to the odd part of a paired sample (what msr and gp share), one
/// observation per pair: (v(S) - v(N \ S)) / 2 with the pair's regression weight.
pub(crate) fn fit_to_pairs(ev: &Evaluator, sample: &PairSample, rows: &[RowId]) -> CubicSurrogate {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let pairs = sample.num_pairs();
    let canonical: Vec<_> = (0..pairs).map(|p| sample.coalitions[2 * p].clone()).collect();
    let odd: Vec<f64> = (0..pairs)
        .flat_map(|p| {
            let (side, other) = (ev.row(rows[2 * p]), ev.row(rows[2 * p + 1]));
            (0..t).map(move |q| 0.5 * (side[q] - other[q]))
        })
        .collect();
    let weights: Vec<f64> = (0..pairs).map(|p| sample.weight(n, p)).collect();
    fit(n, t, &canonical, &odd, &weights)
}

/// x_T(S): +1 when an even number of the players of T are missing, -1 otherwise.
pub(crate) fn parity(c: &Coalition, triple: &[usize; 3]) -> f64 {
    let missing = triple.iter().filter(|&&i| !c.contains(i)).count();
    if missing % 2 == 0 {
        1.0
    } else {
        -1.0
    }
}

impl CubicSurrogate {
    fn none() -> Self {
        CubicSurrogate {
            triples: Vec::new(),
            coef: Vec::new(),
        }
    }

    pub(crate) fn num_terms(&self) -> usize {
        self.triples.len()
    }

    /// The selected triples.
    pub(crate) fn triples(&self) -> &[[usize; 3]] {
        &self.triples
    }

    /// f(S) - f(empty), per output.
    pub(crate) fn rise(&self, c: &Coalition, t: usize) -> Vec<f64> {
        let mut out = vec![0.0; t];
        for (triple, coef) in self.triples.iter().zip(&self.coef) {
            // x_T(empty) = -1 for three players.
            let d = parity(c, triple) + 1.0;
            for (o, k) in out.iter_mut().zip(coef) {
                *o += k * d;
            }
        }
        out
    }

    /// The exact Shapley values of the surrogate, n x T.
    pub(crate) fn shapley(&self, n: usize, t: usize) -> Vec<Vec<f64>> {
        let mut phi = vec![vec![0.0; t]; n];
        for (triple, coef) in self.triples.iter().zip(&self.coef) {
            for &i in triple {
                for (p, k) in phi[i].iter_mut().zip(coef) {
                    *p += 2.0 / 3.0 * k;
                }
            }
        }
        phi
    }
}

/// Weighted least squares of the T columns of `y` on the columns of `x` (rows already scaled by
/// sqrt(weight)); returns (coefficients p x T, residual m x T). The pseudo-inverse tolerates
/// columns the sample cannot tell apart.
fn least_squares(x: &DMatrix<f64>, y: &DMatrix<f64>) -> (DMatrix<f64>, DMatrix<f64>) {
    let xtx = x.transpose() * x;
    let largest = xtx.diagonal().iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let coef = match xtx.pseudo_inverse(largest * 1e-12) {
        Ok(inv) => inv * x.transpose() * y,
        Err(_) => DMatrix::zeros(x.ncols(), y.ncols()),
    };
    let residual = y - x * &coef;
    (coef, residual)
}

/// The pairs as the selection sees them: per pair the signs x_i, the square root of its weight,
/// and the weighted odd observations (m x T).
struct Observations {
    signs: Vec<Vec<f64>>,
    root: Vec<f64>,
    y: DMatrix<f64>,
    /// sum of the weights: the squared norm of every product column (x_T^2 = 1).
    column_norm: f64,
}

impl Observations {
    /// x_T of pair r, scaled by sqrt(weight): an entry of a product column of the design.
    fn product(&self, triple: &[usize; 3], r: usize) -> f64 {
        let s = &self.signs[r];
        s[triple[0]] * s[triple[1]] * s[triple[2]] * self.root[r]
    }
}

/// Fits the surrogate to the odd observations of `pairs` (canonical sides) with regression
/// weights `weights`: `odd` holds (v(S) - v(N \ S)) / 2, T values per pair.
pub(crate) fn fit(n: usize, t: usize, pairs: &[Coalition], odd: &[f64], weights: &[f64]) -> CubicSurrogate {
    let m = pairs.len();
    if n < 3 || m < n + 3 {
        return CubicSurrogate::none();
    }
    let root: Vec<f64> = weights.iter().map(|w| w.max(0.0).sqrt()).collect();
    // signs[r][i] = x_i of pair r; rows of the design are scaled by sqrt(weight).
    let signs: Vec<Vec<f64>> = pairs
        .iter()
        .map(|c| (0..n).map(|i| if c.contains(i) { 1.0 } else { -1.0 }).collect())
        .collect();
    let y = DMatrix::from_fn(m, t, |r, q| odd[r * t + q] * root[r]);
    let linear = DMatrix::from_fn(m, n, |r, i| signs[r][i] * root[r]);
    let (coef, _) = least_squares(&linear, &y);
    let candidates = candidate_triples(&coef, n);
    if candidates.is_empty() {
        return CubicSurrogate::none();
    }
    let obs = Observations {
        signs,
        root,
        y,
        column_norm: weights.iter().map(|w| w.max(0.0)).sum(),
    };
    let (chosen, design) = select(&obs, &candidates, linear, n);
    if chosen.is_empty() {
        return CubicSurrogate::none();
    }
    let (coef, _) = least_squares(&design, &obs.y);
    CubicSurrogate {
        coef: (0..chosen.len())
            .map(|j| coef.row(n + j).iter().copied().collect())
            .collect(),
        triples: chosen,
    }
}

/// Every triple of the `CANDIDATE_POOL` players with the largest linear coefficients, in
/// lexicographic order.
fn candidate_triples(coef: &DMatrix<f64>, n: usize) -> Vec<[usize; 3]> {
    let mut ranked: Vec<usize> = (0..n).collect();
    let strength = |i: usize| coef.row(i).iter().map(|c| c.abs()).sum::<f64>();
    ranked.sort_by(|&a, &b| strength(b).total_cmp(&strength(a)).then(a.cmp(&b)));
    ranked.truncate(CANDIDATE_POOL);
    ranked.sort_unstable();
    let mut candidates: Vec<[usize; 3]> = Vec::new();
    for (ia, &a) in ranked.iter().enumerate() {
        for (ib, &b) in ranked.iter().enumerate().skip(ia + 1) {
            for &c in &ranked[ib + 1..] {
                candidates.push([a, b, c]);
            }
        }
    }
    candidates
}

/// Greedy forward selection from `linear` (the weighted linear design): adds the candidate with
/// the largest gain while it stands out of the noise. Returns the chosen triples and the final
/// design (linear columns, then one column per chosen triple).
fn select(
    obs: &Observations,
    candidates: &[[usize; 3]],
    linear: DMatrix<f64>,
    n: usize,
) -> (Vec<[usize; 3]>, DMatrix<f64>) {
    let (m, t) = (obs.y.nrows(), obs.y.ncols());
    let threshold = THRESHOLD_PER_LOG_CANDIDATES * (candidates.len() as f64).ln().max(1.0);
    let signal: Vec<f64> = (0..t)
        .map(|q| obs.y.column(q).norm_squared() / m as f64)
        .collect();
    let columns = candidate_columns(obs, candidates);
    let mut chosen: Vec<[usize; 3]> = Vec::new();
    let mut design = linear;
    while chosen.len() < n && design.ncols() + 2 < m {
        let (_, residual) = least_squares(&design, &obs.y);
        let dof = (m - design.ncols()) as f64;
        let inverse_variance: Vec<f64> = (0..t)
            .map(|q| {
                let v = residual.column(q).norm_squared() / dof;
                if v > RELATIVE_NOISE_FLOOR * signal[q] && v > 0.0 {
                    1.0 / v
                } else {
                    0.0
                }
            })
            .collect();
        if inverse_variance.iter().all(|&v| v == 0.0) {
            break;
        }
        let Some((gain, k)) =
            best_candidate(obs, &columns, candidates, &chosen, &residual, &inverse_variance)
        else {
            break;
        };
        if gain < threshold {
            break;
        }
        let triple = candidates[k];
        chosen.push(triple);
        let cols = design.ncols();
        design = design.insert_column(cols, 0.0);
        for r in 0..m {
            design[(r, cols)] = obs.product(&triple, r);
        }
    }
    (chosen, design)
}

/// The candidates' product columns, m x candidates (rows scaled by sqrt(weight)), built once per
/// selection: every step correlates all of them with the new residual in one matrix product.
fn candidate_columns(obs: &Observations, candidates: &[[usize; 3]]) -> Mat<f64> {
    Mat::from_fn(obs.signs.len(), candidates.len(), |r, k| {
        obs.product(&candidates[k], r)
    })
}

/// The candidate not yet chosen whose column explains the most of `residual` (squared
/// correlation in units of each output's residual variance, averaged over the outputs), with its
/// gain; the first of equal gains wins. The correlations of all candidates with all outputs are
/// one matrix product (faer's, sequential: the same bits on any thread count).
fn best_candidate(
    obs: &Observations,
    columns: &Mat<f64>,
    candidates: &[[usize; 3]],
    chosen: &[[usize; 3]],
    residual: &DMatrix<f64>,
    inverse_variance: &[f64],
) -> Option<(f64, usize)> {
    let t = inverse_variance.len();
    let residual = Mat::from_fn(residual.nrows(), t, |r, q| residual[(r, q)]);
    let mut dots = Mat::<f64>::zeros(columns.ncols(), t);
    matmul(
        dots.as_mut(),
        Accum::Replace,
        columns.transpose(),
        residual.as_ref(),
        1.0,
        Par::Seq,
    );
    let mut best: Option<(f64, usize)> = None;
    for (k, triple) in candidates.iter().enumerate() {
        if chosen.contains(triple) {
            continue;
        }
        let gain = (0..t)
            .map(|q| dots[(k, q)] * dots[(k, q)] / obs.column_norm * inverse_variance[q])
            .sum::<f64>()
            / t as f64;
        if best.is_none_or(|(g, _)| gain > g) {
            best = Some((gain, k));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogate_shapley_values_add_up_to_its_rise() {
        let s = CubicSurrogate {
            triples: vec![[0, 2, 3], [1, 2, 4]],
            coef: vec![vec![0.5, -1.0], vec![2.0, 0.25]],
        };
        let phi = s.shapley(5, 2);
        let rise = s.rise(&Coalition::full(5), 2);
        for q in 0..2 {
            let total: f64 = phi.iter().map(|r| r[q]).sum();
            assert!((total - rise[q]).abs() < 1e-12);
        }
        assert_eq!(s.rise(&Coalition::empty(5), 2), vec![0.0, 0.0]);
    }

    #[test]
    fn finds_a_planted_triple_in_an_otherwise_linear_odd_part() {
        use rand::{Rng, SeedableRng};
        let n = 10;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let pairs: Vec<Coalition> = (0..80)
            .map(|_| Coalition::from_mask(n, rng.random::<u64>() & ((1 << n) - 1)))
            .collect();
        let odd: Vec<f64> = pairs
            .iter()
            .map(|c| {
                let linear: f64 = (0..n)
                    .map(|i| {
                        if c.contains(i) {
                            0.1 * i as f64
                        } else {
                            -0.1 * i as f64
                        }
                    })
                    .sum();
                linear + 1.5 * parity(c, &[1, 4, 7])
            })
            .collect();
        let s = fit(n, 1, &pairs, &odd, &vec![1.0; pairs.len()]);
        assert_eq!(s.triples, vec![[1, 4, 7]]);
        assert!((s.coef[0][0] - 1.5).abs() < 1e-9);
    }
}
