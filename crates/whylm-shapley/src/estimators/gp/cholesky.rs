//! The Cholesky factor of gp's covariance matrices, through faer: a blocked, vectorised factorisation that is
//! about ten times nalgebra's unblocked one at gp's sizes (200 to 4097 points), where it was most of gp's cost.
//! Every call runs sequentially (`Par::Seq`), so a factor has the same bits on any thread count; gp spreads its
//! outputs over threads instead.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::{factor, solve};
use faer::{Mat, MatRef, Par};

/// L with L L^T = the matrix it was made from.
pub(super) struct Factor {
    l: Mat<f64>,
}

impl Factor {
    /// Factorises the symmetric matrix `a` (only its lower triangle is read); `None` when it is not positive
    /// definite.
    pub(super) fn new(mut a: Mat<f64>) -> Option<Self> {
        let n = a.nrows();
        let mut memory = MemBuffer::new(factor::cholesky_in_place_scratch::<f64>(
            n,
            Par::Seq,
            Default::default(),
        ));
        let stack = MemStack::new(&mut memory);
        factor::cholesky_in_place(
            a.as_mut(),
            Default::default(),
            Par::Seq,
            stack,
            Default::default(),
        )
        .ok()?;
        Some(Factor { l: a })
    }

    /// Solves (L L^T) X = B for every column of `b`, in place.
    pub(super) fn solve_in_place(&self, b: &mut Mat<f64>) {
        let mut memory = MemBuffer::new(solve::solve_in_place_scratch::<f64>(
            self.l.nrows(),
            b.ncols(),
            Par::Seq,
        ));
        let stack = MemStack::new(&mut memory);
        solve::solve_in_place(self.lower(), b.as_mut(), Par::Seq, stack);
    }

    /// (L L^T)^-1 g for one vector.
    pub(super) fn solve(&self, g: &[f64]) -> Vec<f64> {
        let mut b = Mat::from_fn(g.len(), 1, |r, _| g[r]);
        self.solve_in_place(&mut b);
        (0..g.len()).map(|r| b[(r, 0)]).collect()
    }

    /// ln det(L L^T) / 2 = the sum of ln L_ii.
    pub(super) fn half_log_det(&self) -> f64 {
        (0..self.l.nrows()).map(|d| self.l[(d, d)].ln()).sum()
    }

    /// The factor; its strict upper triangle holds what the input had there and is never read.
    fn lower(&self) -> MatRef<'_, f64> {
        self.l.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_system_and_refuses_an_indefinite_one() {
        // [[4, 2], [2, 3]] x = [2, 1] has x = [0.5, 0].
        let a = Mat::from_fn(2, 2, |r, c| [[4.0, 2.0], [2.0, 3.0]][r][c]);
        let f = Factor::new(a).expect("positive definite");
        let x = f.solve(&[2.0, 1.0]);
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15, "{x:?}");
        // det = 8: half its log.
        assert!((f.half_log_det() - 0.5 * 8f64.ln()).abs() < 1e-15);
        let indefinite = Mat::from_fn(2, 2, |r, c| [[1.0, 2.0], [2.0, 1.0]][r][c]);
        assert!(Factor::new(indefinite).is_none());
    }
}
