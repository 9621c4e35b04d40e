//! ContextCite's surrogate: a LASSO with intercept on standardised masks, as scikit-learn's
//! `make_pipeline(StandardScaler(), Lasso(alpha))` fits it: minimise (1 / 2m) |y - b - X_s w|^2 + alpha |w|_1
//! with X_s the masks centred and divided by their (population) standard deviation, by cyclic coordinate
//! descent; the weights are then mapped back to mask units (w / scale), which is what ContextCite reports.

/// Sweeps of coordinate descent at most (scikit-learn stops at 1,000 with a looser tolerance).
const MAX_SWEEPS: usize = 10_000;

/// Converged when no weight moves more than this (relative to the largest weight) in a sweep.
const TOLERANCE: f64 = 1e-10;

/// The LASSO weights, in mask units, of `y` (one value per mask) on `masks` (m rows of n 0/1 entries).
/// A player kept in every mask or in none has weight 0 (its column has no variance).
pub(crate) fn standardised_lasso(masks: &[Vec<bool>], y: &[f64], alpha: f64) -> Vec<f64> {
    let m = masks.len();
    let n = masks.first().map_or(0, Vec::len);
    if m == 0 {
        return vec![0.0; n];
    }
    let mf = m as f64;
    // Standardised columns (constant columns stay zero, as scikit-learn's scale of 1 leaves them).
    let mut columns = vec![vec![0.0; m]; n];
    let mut scale = vec![1.0; n];
    for j in 0..n {
        let kept = masks.iter().filter(|row| row[j]).count() as f64 / mf;
        let sd = (kept * (1.0 - kept)).sqrt();
        if sd > 0.0 {
            scale[j] = sd;
            for (r, row) in masks.iter().enumerate() {
                columns[j][r] = (f64::from(u8::from(row[j])) - kept) / sd;
            }
        }
    }
    let y_mean = y.iter().sum::<f64>() / mf;
    let mut residual: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
    let norms: Vec<f64> = columns
        .iter()
        .map(|c| c.iter().map(|v| v * v).sum::<f64>() / mf)
        .collect();
    let mut w = vec![0.0; n];
    for _ in 0..MAX_SWEEPS {
        let mut largest_step: f64 = 0.0;
        for j in (0..n).filter(|&j| norms[j] > 0.0) {
            let rho =
                columns[j].iter().zip(&residual).map(|(x, r)| x * r).sum::<f64>() / mf + norms[j] * w[j];
            let updated = soft_threshold(rho, alpha) / norms[j];
            let step = updated - w[j];
            if step != 0.0 {
                residual
                    .iter_mut()
                    .zip(&columns[j])
                    .for_each(|(r, x)| *r -= step * x);
                w[j] = updated;
                largest_step = largest_step.max(step.abs());
            }
        }
        let largest = w.iter().fold(0.0f64, |acc, v| acc.max(v.abs()));
        if largest_step <= TOLERANCE * largest.max(1e-300) {
            break;
        }
    }
    w.iter().zip(&scale).map(|(w, s)| w / s).collect()
}

fn soft_threshold(x: f64, alpha: f64) -> f64 {
    x.signum() * (x.abs() - alpha).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masks() -> Vec<Vec<bool>> {
        // all 8 masks over 3 players: balanced, so every standardised column has mean 0 and scale 1/2
        (0..8u8)
            .map(|m| (0..3).map(|i| m >> i & 1 == 1).collect())
            .collect()
    }

    #[test]
    fn without_penalty_the_weights_are_least_squares() {
        let y: Vec<f64> = masks()
            .iter()
            .map(|r| 1.0 + 2.0 * f64::from(u8::from(r[0])) - 0.5 * f64::from(u8::from(r[2])))
            .collect();
        let w = standardised_lasso(&masks(), &y, 0.0);
        for (got, want) in w.iter().zip([2.0, 0.0, -0.5]) {
            assert!((got - want).abs() < 1e-9, "{w:?}");
        }
    }

    #[test]
    fn the_penalty_shrinks_standardised_weights_by_alpha() {
        // Orthogonal standardised columns: w_s = soft(x_s . y / m, alpha), and w = w_s / scale.
        // Here x_s . y / m = 2 * 0.5 = 1 for player 0 and -0.25 for player 2; alpha 0.3 leaves 0.7 and 0.
        let y: Vec<f64> = masks()
            .iter()
            .map(|r| 2.0 * f64::from(u8::from(r[0])) - 0.5 * f64::from(u8::from(r[2])))
            .collect();
        let w = standardised_lasso(&masks(), &y, 0.3);
        assert!((w[0] - 1.4).abs() < 1e-9 && w[1] == 0.0 && w[2] == 0.0, "{w:?}");
    }

    #[test]
    fn a_constant_column_gets_no_weight() {
        let rows = vec![vec![true, false], vec![true, true], vec![true, false]];
        let w = standardised_lasso(&rows, &[1.0, 3.0, 1.0], 0.0);
        assert_eq!(w[0], 0.0);
        assert!((w[1] - 2.0).abs() < 1e-9, "{w:?}");
    }
}
