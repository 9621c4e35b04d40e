//! What an estimator returns, and the steps most of them share.

use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::{Evaluator, RowId};

/// What an estimator found; `explain` turns it into an `Explanation`.
pub(crate) struct Estimate {
    /// n x T.
    pub phi: Vec<Vec<f64>>,
    pub std_err: Option<Vec<Vec<f64>>>,
    pub base: Vec<f64>,
    pub full: Vec<f64>,
}

/// Rows of v(empty) and v(full), evaluated first by every estimator but `exact`.
pub(crate) fn ends(ev: &mut Evaluator) -> Result<(RowId, RowId), ShapleyError> {
    let n = ev.num_players();
    let ids = ev.rows_of(&[Coalition::empty(n), Coalition::full(n)])?;
    Ok((ids[0], ids[1]))
}

/// An n x T matrix of zeros.
pub(crate) fn zeros(n: usize, t: usize) -> Vec<Vec<f64>> {
    vec![vec![0.0; t]; n]
}

/// Spreads `total[t] - sum_i phi[i][t]` evenly over the players: removes the rounding error of a
/// solve so that the efficiency residual is at float precision.
pub(crate) fn restore_efficiency(phi: &mut [Vec<f64>], base: &[f64], full: &[f64]) {
    let n = phi.len() as f64;
    for t in 0..base.len() {
        let gap = (full[t] - base[t]) - phi.iter().map(|row| row[t]).sum::<f64>();
        for row in phi.iter_mut() {
            row[t] += gap / n;
        }
    }
}
