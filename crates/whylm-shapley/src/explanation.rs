//! What an estimator returns.

use serde::{Deserialize, Serialize};

use crate::method::Method;

/// Attributions for every player and output, with what is needed to judge them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// `phi[i][t]`: attribution of player i to output t (n x T).
    pub phi: Vec<Vec<f64>>,
    /// Standard error of each `phi[i][t]` where the method samples and can estimate it.
    pub std_err: Option<Vec<Vec<f64>>>,
    /// v(empty) per output.
    pub base_value: Vec<f64>,
    /// v(full) per output.
    pub full_value: Vec<f64>,
    /// Distinct game evaluations used (cache hits are free).
    pub evaluations: usize,
    pub method: Method,
    pub seed: u64,
    /// `max_t |sum_i phi[i][t] - (v(full)[t] - v(empty)[t])|`.
    pub efficiency_residual: f64,
}

impl Explanation {
    /// Builds an explanation and computes its efficiency residual.
    pub(crate) fn new(
        phi: Vec<Vec<f64>>,
        std_err: Option<Vec<Vec<f64>>>,
        base_value: Vec<f64>,
        full_value: Vec<f64>,
        evaluations: usize,
        method: Method,
        seed: u64,
    ) -> Self {
        let efficiency_residual = efficiency_residual(&phi, &base_value, &full_value);
        Explanation {
            phi,
            std_err,
            base_value,
            full_value,
            evaluations,
            method,
            seed,
            efficiency_residual,
        }
    }

    /// Number of players.
    pub fn num_players(&self) -> usize {
        self.phi.len()
    }

    /// Number of outputs (T).
    pub fn num_outputs(&self) -> usize {
        self.base_value.len()
    }
}

/// `max_t |sum_i phi[i][t] - (full[t] - base[t])|`.
fn efficiency_residual(phi: &[Vec<f64>], base: &[f64], full: &[f64]) -> f64 {
    (0..base.len())
        .map(|t| (phi.iter().map(|row| row[t]).sum::<f64>() - (full[t] - base[t])).abs())
        .fold(0.0, f64::max)
}
