//! What the caller chooses: the method, the budget, batching and the seed.

use serde::{Deserialize, Serialize};

use crate::error::ShapleyError;
use crate::method::Method;

/// How to explain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub method: Method,
    /// Most game evaluations (distinct coalitions, v(empty) and v(full) included). `None`: the
    /// method's default (`Method::default_budget`).
    pub max_evals: Option<usize>,
    /// Stop early once every std error is at most this (permutation only; the other methods
    /// spend their budget in one planned round).
    pub target_std_err: Option<f64>,
    /// Most coalitions passed to one `Game::evaluate` call.
    pub batch_size: usize,
    /// Seed of the single ChaCha8 stream behind every random choice.
    pub seed: u64,
    /// Most players `exact` accepts.
    pub exact_limit: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            method: Method::Kernel,
            max_evals: None,
            target_std_err: None,
            batch_size: 64,
            seed: 0,
            exact_limit: 20,
        }
    }
}

impl Settings {
    /// Default settings with `method`.
    pub fn with_method(method: Method) -> Self {
        Settings {
            method,
            ..Settings::default()
        }
    }

    /// The budget in force over `n` players.
    pub fn budget(&self, n: usize) -> usize {
        self.max_evals.unwrap_or_else(|| self.method.default_budget(n))
    }

    pub(crate) fn validate(&self) -> Result<(), ShapleyError> {
        if self.batch_size == 0 {
            return Err(ShapleyError::InvalidSettings(
                "batch_size is 0; use at least 1 coalition per batch".into(),
            ));
        }
        if let Some(target) = self.target_std_err {
            if !(target.is_finite() && target > 0.0) {
                return Err(ShapleyError::InvalidSettings(format!(
                    "target_std_err is {target}; use a positive finite number or none"
                )));
            }
        }
        Ok(())
    }
}
