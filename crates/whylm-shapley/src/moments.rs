//! Running mean and sum of squared deviations (Welford) of a vector of samples: the standard errors of the
//! sampling estimators (permutation's pair estimates, the interactions' pair samples).

/// Welford's accumulator over samples of `len` values each.
pub(crate) struct Moments {
    pub(crate) count: usize,
    pub(crate) mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    pub(crate) fn zeros(len: usize) -> Self {
        Moments {
            count: 0,
            mean: vec![0.0; len],
            m2: vec![0.0; len],
        }
    }

    pub(crate) fn add(&mut self, x: &[f64]) {
        self.count += 1;
        let k = self.count as f64;
        for ((m, s), &v) in self.mean.iter_mut().zip(self.m2.iter_mut()).zip(x) {
            let d = v - *m;
            *m += d / k;
            *s += d * (v - *m);
        }
    }

    /// Std error of the mean, once there are two samples.
    pub(crate) fn std_err(&self) -> Option<Vec<f64>> {
        if self.count < 2 {
            return None;
        }
        let k = self.count as f64;
        Some(self.m2.iter().map(|s| (s / (k - 1.0) / k).sqrt()).collect())
    }
}
