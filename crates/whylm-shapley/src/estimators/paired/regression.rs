//! The constrained kernel regression over a paired sample, with its jackknife std errors: what
//! kernel makes of the sample, and what msr applies to the residual of its surrogate.

use nalgebra::{DMatrix, SymmetricEigen};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::sample::PairSample;
use crate::estimators::estimate::zeros;

/// Jackknife groups: enough for a stable spread, few enough to keep the solves cheap.
const JACKKNIFE_GROUPS: usize = 10;

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
