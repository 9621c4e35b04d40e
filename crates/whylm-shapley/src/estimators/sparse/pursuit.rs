//! Orthogonal matching pursuit: the sparse regression behind `sparse`. Each step adds the column most
//! correlated with the residual and refits least squares on every column chosen so far (kept orthonormal by
//! Gram-Schmidt, so a step costs one pass over the columns plus O(m k)). How many columns to keep is chosen by
//! K-fold cross-validation of the prediction error on held-out rows.
//!
//! OMP rather than a LASSO: with the few rows this method is for (m well below the number of columns), the
//! LASSO's penalty shrinks the few large coefficients that matter most, and a path of penalties costs many
//! sweeps; OMP's refit is unbiased on the chosen columns and its path is the K steps themselves.

use nalgebra::{DMatrix, DVector};

/// Folds of the cross-validation, at most.
const FOLDS: usize = 10;

/// A column whose part orthogonal to the chosen ones is below this fraction of its norm adds nothing new.
const DEPENDENT: f64 = 1e-9;

/// The first `k` steps of a pursuit: the chosen columns in order, and after each step the least-squares
/// coefficients of the columns chosen so far.
pub(crate) struct Path {
    pub chosen: Vec<usize>,
    /// `coefficients[k]` has `k` entries, one per column of `chosen[..k]`.
    pub coefficients: Vec<Vec<f64>>,
}

impl Path {
    /// The coefficients after `k` steps (or after the last step taken), over all `columns` columns.
    pub(crate) fn dense(&self, k: usize, columns: usize) -> Vec<f64> {
        let k = k.min(self.chosen.len());
        let mut out = vec![0.0; columns];
        for (&j, &w) in self.chosen[..k].iter().zip(&self.coefficients[k]) {
            out[j] = w;
        }
        out
    }
}

/// Pursues `y` over the columns of `x` (rows x columns) for at most `max_terms` steps; it stops early when the
/// residual vanishes or no column adds a new direction.
pub(crate) fn pursue(x: &DMatrix<f64>, y: &DVector<f64>, max_terms: usize) -> Path {
    let (m, p) = x.shape();
    let scale = y.norm().max(f64::MIN_POSITIVE);
    let mut residual = y.clone();
    let mut basis: Vec<DVector<f64>> = Vec::new();
    // r[l][k]: component of chosen column k along basis vector l (upper triangular).
    let mut r: Vec<Vec<f64>> = Vec::new();
    let mut qty: Vec<f64> = Vec::new();
    let mut usable = vec![true; p];
    let mut path = Path {
        chosen: Vec::new(),
        coefficients: vec![Vec::new()],
    };
    while path.chosen.len() < max_terms.min(m) && residual.norm() > 1e-12 * scale {
        let correlations = x.tr_mul(&residual);
        let Some(j) = (0..p).filter(|&j| usable[j]).max_by(|&a, &b| {
            correlations[a]
                .abs()
                .total_cmp(&correlations[b].abs())
                .then(b.cmp(&a))
        }) else {
            break;
        };
        usable[j] = false;
        let column = x.column(j).into_owned();
        let mut direction = column.clone();
        let mut components = vec![0.0; basis.len()];
        // Twice: classical Gram-Schmidt loses orthogonality once the chosen columns are nearly dependent.
        for _ in 0..2 {
            for (q, c) in basis.iter().zip(components.iter_mut()) {
                let along = q.dot(&direction);
                *c += along;
                direction.axpy(-along, q, 1.0);
            }
        }
        let norm = direction.norm();
        if norm <= DEPENDENT * column.norm() {
            continue;
        }
        let q = direction / norm;
        let along_y = q.dot(y);
        residual.axpy(-along_y, &q, 1.0);
        for (row, c) in r.iter_mut().zip(&components) {
            row.push(*c);
        }
        let mut last = vec![0.0; components.len()];
        last.push(norm);
        r.push(last);
        basis.push(q);
        qty.push(along_y);
        path.chosen.push(j);
        path.coefficients.push(back_substitute(&r, &qty));
    }
    path
}

/// Solves R w = b for the upper-triangular R (row l holds its entries from column l on, padded with zeros
/// before).
fn back_substitute(r: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let k = b.len();
    let mut w = vec![0.0; k];
    for l in (0..k).rev() {
        let tail: f64 = (l + 1..k).map(|c| r[l][c] * w[c]).sum();
        w[l] = (b[l] - tail) / r[l][l];
    }
    w
}

/// The number of steps (0 to `max_terms`) with the smallest cross-validated squared prediction error of `y`
/// from `x`, and that error; rows are dealt to folds in turn (they are drawn independently, so any split is a
/// random one). With fewer than 2 rows nothing can be held out: `max_terms` and an error of 0.
pub(crate) fn choose_terms(x: &DMatrix<f64>, y: &DVector<f64>, max_terms: usize) -> (usize, f64) {
    let m = x.nrows();
    let folds = FOLDS.min(m);
    if folds < 2 {
        return (max_terms.min(m), 0.0);
    }
    let mut error = vec![0.0; max_terms + 1];
    for f in 0..folds {
        let train: Vec<usize> = (0..m).filter(|r| r % folds != f).collect();
        let test: Vec<usize> = (0..m).filter(|r| r % folds == f).collect();
        let (x_train, x_test) = (x.select_rows(&train), x.select_rows(&test));
        let y_train = DVector::from_iterator(train.len(), train.iter().map(|&r| y[r]));
        let y_test = DVector::from_iterator(test.len(), test.iter().map(|&r| y[r]));
        let path = pursue(&x_train, &y_train, max_terms);
        for (k, e) in error.iter_mut().enumerate() {
            let k = k.min(path.chosen.len());
            let mut predicted = DVector::zeros(test.len());
            for (&j, &w) in path.chosen[..k].iter().zip(&path.coefficients[k]) {
                predicted.axpy(w, &x_test.column(j), 1.0);
            }
            *e += (predicted - &y_test).norm_squared();
        }
    }
    // The smallest error; ties go to the fewer terms.
    let best = (0..=max_terms).fold(0, |best, k| if error[k] < error[best] { k } else { best });
    (best, error[best])
}

#[cfg(test)]
mod tests {
    use super::*;

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// `rows` x `columns` independent +-1 entries.
    fn design(rows: usize, columns: usize, seed: u64) -> DMatrix<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        DMatrix::from_fn(
            rows,
            columns,
            |_, _| if rng.random::<bool>() { 1.0 } else { -1.0 },
        )
    }

    #[test]
    fn the_pursuit_finds_a_sparse_combination_and_its_coefficients() {
        let x = design(12, 6, 1);
        let y = x.column(1) * 2.0 - x.column(4) * 0.5;
        let path = pursue(&x, &y, 6);
        let w = path.dense(2, 6);
        let want = [0.0, 2.0, 0.0, 0.0, -0.5, 0.0];
        assert!(w.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12), "{w:?}");
        // the residual is zero after two steps: the pursuit stops there
        assert_eq!(path.chosen.len(), 2);
    }

    #[test]
    fn back_substitution_solves_the_triangle() {
        let r = vec![vec![2.0, 1.0], vec![0.0, 4.0]];
        assert_eq!(back_substitute(&r, &[4.0, 8.0]), vec![1.0, 2.0]);
    }

    #[test]
    fn cross_validation_keeps_the_true_terms_and_few_others() {
        let x = design(60, 20, 2);
        let noise = DVector::from_fn(60, |r, _| 0.01 * ((r * 37 % 11) as f64 - 5.0));
        let y = x.column(3) * 1.5 + x.column(11) - x.column(7) * 0.8 + noise;
        let (k, error) = choose_terms(&x, &y, 10);
        assert!((3..=5).contains(&k), "{k} terms");
        let mut first = pursue(&x, &y, 3).chosen;
        first.sort_unstable();
        assert_eq!(first, vec![3, 7, 11]);
        // the held-out error is the noise's (60 x 0.01^2 x about 10), far below the signal's
        assert!(error < 0.2, "{error}");
        // without the true terms' signal, nothing is worth keeping
        assert_eq!(choose_terms(&x, &(y * 0.0), 10).0, 0);
    }
}
