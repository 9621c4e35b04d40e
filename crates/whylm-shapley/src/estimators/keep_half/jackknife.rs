//! Delete-a-group jackknife std errors of a fit over rows (pairs or masks): the fit is repeated with each group
//! of rows left out, and the spread of the repeats, scaled by (G - 1) / G, estimates the fit's variance.

use nalgebra::DMatrix;

/// Groups: enough for a stable spread, few enough to keep the refits cheap (as kernel's jackknife).
const GROUPS: usize = 10;

/// Std errors (same shape as `fit`'s result) of `fit` over `rows` rows; None with fewer than 2 rows.
pub(crate) fn jackknife(rows: usize, fit: impl Fn(&[usize]) -> DMatrix<f64>) -> Option<DMatrix<f64>> {
    let groups = GROUPS.min(rows);
    if groups < 2 {
        return None;
    }
    let replicates: Vec<DMatrix<f64>> = (0..groups)
        .map(|g| {
            let kept: Vec<usize> = (0..rows).filter(|r| r % groups != g).collect();
            fit(&kept)
        })
        .collect();
    let (n, t) = replicates[0].shape();
    let mean = replicates.iter().fold(DMatrix::zeros(n, t), |acc, r| acc + r) / groups as f64;
    let var = replicates.iter().fold(DMatrix::zeros(n, t), |acc, r| {
        let d = r - &mean;
        acc + d.component_mul(&d)
    }) * ((groups - 1) as f64 / groups as f64);
    Some(var.map(f64::sqrt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jackknife_of_a_mean_is_its_standard_error() {
        // For the mean of x, the delete-one jackknife (10 rows, 10 groups) equals s / sqrt(m).
        let x = [1.0, 4.0, 2.0, 8.0, 5.0, 7.0, 3.0, 6.0, 0.0, 9.0];
        let mean_of = |rows: &[usize]| {
            let s: f64 = rows.iter().map(|&r| x[r]).sum();
            DMatrix::from_element(1, 1, s / rows.len() as f64)
        };
        let se = jackknife(10, mean_of).unwrap()[(0, 0)];
        let m = x.iter().sum::<f64>() / 10.0;
        let s2 = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / 9.0;
        assert!((se - (s2 / 10.0).sqrt()).abs() < 1e-12, "{se}");
        assert!(jackknife(1, mean_of).is_none());
    }
}
