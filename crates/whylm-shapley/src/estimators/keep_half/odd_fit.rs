//! Banzhaf values from complementary pairs. In the +-1 coding z (z_i = +1 when player i is kept) the odd part
//! of a pair's values, d(S) = v(S) - v(N \ S), is z(S) . beta plus the game's odd interactions of order 3 and
//! up, where beta are the Banzhaf values; and z is uniform on {-1, +1}^n, so E[z z^T] = I.
//!
//! Two unbiased estimates follow: the sample mean of z d (maximum sample reuse, MSR), and least squares of d on
//! z (regression-adjusted: exact on linear games however the sample falls, but noisy when the pairs barely
//! outnumber the players). The fit interpolates between them,
//! beta(lambda) = (Z^T Z + lambda I)^-1 (Z^T d + lambda beta_msr), or shrinks toward zero (ridge, for games whose
//! odd interactions drown the linear part), and picks the choice by K-fold cross-validation of the prediction
//! error of d on held-out pairs, which for uniform z is |beta(lambda) - beta|^2 plus a constant: the estimate's
//! own error. Over every pair (Z^T Z = m I) the choices toward MSR give the exact values.
//!
//! With fewer pairs than players none of these can separate the players (least squares has a null space, MSR is
//! noisy), so cross-validation may also pick a LASSO of d on z, which bets on a few players mattering (in a long
//! context, a few sentences): that is what let ContextCite's LASSO beat the dense fits at 32 evaluations.

use nalgebra::{DMatrix, SymmetricEigen};

/// How the least-squares fit is regularised: lambda as a multiple of the number of pairs, toward MSR or toward 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Shrink {
    /// beta(lambda) toward MSR; `None` stands for infinity (plain MSR).
    TowardMsr(Option<f64>),
    /// Ridge regression toward zero.
    TowardZero(f64),
    /// LASSO with penalty the given fraction of the smallest one that zeroes every player (per output).
    Sparse(f64),
}

/// The choices cross-validation picks from.
const CHOICES: [Shrink; 8] = [
    Shrink::TowardMsr(Some(0.0)),
    Shrink::TowardMsr(Some(0.25)),
    Shrink::TowardMsr(Some(1.0)),
    Shrink::TowardMsr(Some(4.0)),
    Shrink::TowardMsr(None),
    Shrink::TowardZero(0.25),
    Shrink::TowardZero(1.0),
    Shrink::TowardZero(4.0),
];

/// The LASSO penalties cross-validation also tries when the pairs are fewer than twice the players.
const SPARSE_CHOICES: [Shrink; 4] = [
    Shrink::Sparse(0.05),
    Shrink::Sparse(0.1),
    Shrink::Sparse(0.2),
    Shrink::Sparse(0.4),
];

/// Sweeps of coordinate descent at most, and the relative step below which it has converged.
const LASSO_SWEEPS: usize = 2_000;
const LASSO_TOLERANCE: f64 = 1e-10;

/// Folds of the cross-validation, at most.
const FOLDS: usize = 10;

/// The fit for the pairs `rows` of `z` (pairs x players, +-1) and `d` (pairs x outputs): players x outputs.
pub(crate) fn fit(z: &DMatrix<f64>, d: &DMatrix<f64>, rows: &[usize], shrink: Shrink) -> DMatrix<f64> {
    let (z, d) = (z.select_rows(rows), d.select_rows(rows));
    let m = rows.len().max(1) as f64;
    let zt_d = z.transpose() * &d;
    let msr = &zt_d / m;
    let n = z.ncols();
    let gram = |lambda: f64| z.transpose() * &z + DMatrix::<f64>::identity(n, n) * lambda;
    match shrink {
        Shrink::TowardMsr(None) => msr,
        Shrink::TowardMsr(Some(factor)) => pseudo_inverse(gram(factor * m)) * (zt_d + msr * (factor * m)),
        Shrink::TowardZero(factor) => pseudo_inverse(gram(factor * m)) * zt_d,
        Shrink::Sparse(factor) => {
            let columns: Vec<Vec<f64>> = (0..d.ncols())
                .map(|t| {
                    let y: Vec<f64> = d.column(t).iter().copied().collect();
                    let largest = zt_d.column(t).amax() / m;
                    lasso(&z, &y, factor * largest)
                })
                .collect();
            DMatrix::from_fn(n, d.ncols(), |i, t| columns[t][i])
        }
    }
}

/// Minimises (1 / 2m) |y - z beta|^2 + alpha |beta|_1 for +-1 columns z (each of squared norm m / m = 1), by
/// cyclic coordinate descent; no intercept, since d is odd and has none.
fn lasso(z: &DMatrix<f64>, y: &[f64], alpha: f64) -> Vec<f64> {
    let mf = z.nrows().max(1) as f64;
    let mut beta = vec![0.0; z.ncols()];
    let mut residual = y.to_vec();
    for _ in 0..LASSO_SWEEPS {
        let mut largest_step: f64 = 0.0;
        for (j, weight) in beta.iter_mut().enumerate() {
            let column = z.column(j);
            let rho = column.iter().zip(&residual).map(|(x, r)| x * r).sum::<f64>() / mf + *weight;
            let updated = rho.signum() * (rho.abs() - alpha).max(0.0);
            let step = updated - *weight;
            if step != 0.0 {
                residual
                    .iter_mut()
                    .zip(column.iter())
                    .for_each(|(r, x)| *r -= step * x);
                *weight = updated;
                largest_step = largest_step.max(step.abs());
            }
        }
        let largest = beta.iter().fold(0.0f64, |acc, v| acc.max(v.abs()));
        if largest_step <= LASSO_TOLERANCE * largest.max(1e-300) {
            break;
        }
    }
    beta
}

/// The pseudo-inverse of a symmetric positive semi-definite matrix (least squares with fewer pairs than players
/// then gives the minimum-norm solution).
fn pseudo_inverse(a: DMatrix<f64>) -> DMatrix<f64> {
    let n = a.nrows();
    let eig = SymmetricEigen::new(a);
    let largest = eig.eigenvalues.iter().fold(0.0f64, |acc, v| acc.max(v.abs()));
    let tolerance = largest * 1e-10 * n as f64;
    let inverse = eig.eigenvalues.map(|v| if v > tolerance { 1.0 / v } else { 0.0 });
    let q = &eig.eigenvectors;
    q * DMatrix::from_diagonal(&inverse) * q.transpose()
}

/// The choice with the smallest cross-validated squared error of d (summed over outputs); MSR when there are
/// too few pairs to hold any out.
pub(crate) fn choose_shrink(z: &DMatrix<f64>, d: &DMatrix<f64>) -> Shrink {
    let m = z.nrows();
    let folds = FOLDS.min(m);
    if folds < 3 {
        return Shrink::TowardMsr(None);
    }
    let error = |shrink: Shrink| -> f64 {
        (0..folds)
            .map(|f| {
                let train: Vec<usize> = (0..m).filter(|r| r % folds != f).collect();
                let test: Vec<usize> = (0..m).filter(|r| r % folds == f).collect();
                let beta = fit(z, d, &train, shrink);
                let predicted = z.select_rows(&test) * beta;
                (predicted - d.select_rows(&test)).norm_squared()
            })
            .sum()
    };
    let sparse: &[Shrink] = if m < 2 * z.ncols() { &SPARSE_CHOICES } else { &[] };
    let mut best = (f64::INFINITY, Shrink::TowardMsr(None));
    for &shrink in CHOICES.iter().chain(sparse) {
        let e = error(shrink);
        if e < best.0 {
            best = (e, shrink);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 8 sign rows over 3 players.
    fn all_signs() -> DMatrix<f64> {
        DMatrix::from_fn(8, 3, |r, i| if r >> i & 1 == 1 { 1.0 } else { -1.0 })
    }

    #[test]
    fn over_every_pair_each_choice_toward_msr_gives_the_exact_values() {
        let z = all_signs();
        // d = z . (1, -2, 0.5) + 0.75 z0 z1 z2 (an odd third-order term, orthogonal to every z_i)
        let d = DMatrix::from_fn(8, 1, |r, _| {
            let s = z.row(r);
            s[0] - 2.0 * s[1] + 0.5 * s[2] + 0.75 * s[0] * s[1] * s[2]
        });
        let rows: Vec<usize> = (0..8).collect();
        for shrink in CHOICES.into_iter().filter(|c| matches!(c, Shrink::TowardMsr(_))) {
            let beta = fit(&z, &d, &rows, shrink);
            for (got, want) in beta.iter().zip([1.0, -2.0, 0.5]) {
                assert!((got - want).abs() < 1e-12, "{shrink:?}: {beta}");
            }
        }
    }

    #[test]
    fn least_squares_is_exact_on_a_linear_game_from_an_unbalanced_sample() {
        let z = all_signs();
        let d = DMatrix::from_fn(8, 2, |r, t| z[(r, 0)] * (1.0 + t as f64) - 3.0 * z[(r, 2)]);
        let rows = [0, 1, 2, 4, 7];
        let beta = fit(&z, &d, &rows, Shrink::TowardMsr(Some(0.0)));
        let want = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 0.0, 0.0, -3.0, -3.0]);
        assert!((beta.clone() - &want).abs().max() < 1e-9, "{beta}");
        // MSR is biased on this unbalanced part: it is not the regression adjustment
        assert!((fit(&z, &d, &rows, Shrink::TowardMsr(None)) - &want).abs().max() > 0.1);
        // and cross-validation picks a lambda that is exact here
        let z5 = z.select_rows(&rows);
        let d5 = d.select_rows(&rows);
        let all: Vec<usize> = (0..5).collect();
        let chosen = choose_shrink(&z5, &d5);
        assert!(
            (fit(&z5, &d5, &all, chosen) - want).abs().max() < 1e-6,
            "{chosen:?}"
        );
    }

    #[test]
    fn with_fewer_pairs_than_players_the_lasso_finds_a_sparse_linear_part() {
        // 12 pairs, 20 players, two of which matter: least squares and MSR cannot separate the players
        let (m, n) = (12, 20);
        let mut state = 12345u64;
        let z = DMatrix::from_fn(m, n, |_, _| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if state >> 63 == 1 {
                1.0
            } else {
                -1.0
            }
        });
        let mut beta = DMatrix::zeros(n, 1);
        beta[(3, 0)] = 3.0;
        beta[(11, 0)] = -2.0;
        let d = &z * &beta;
        let all: Vec<usize> = (0..m).collect();
        let error = |shrink| (fit(&z, &d, &all, shrink) - &beta).norm();
        let (sparse, msr) = (error(Shrink::Sparse(0.05)), error(Shrink::TowardMsr(None)));
        assert!(sparse < 0.5 && sparse < 0.25 * msr, "lasso {sparse}, msr {msr}");
        // and cross-validation prefers a LASSO here
        assert!(
            matches!(choose_shrink(&z, &d), Shrink::Sparse(_)),
            "{:?}",
            choose_shrink(&z, &d)
        );
    }
}
