//! What the caller chooses: the method, the budget, batching and the seed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ShapleyError;

/// The estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// All 2^n coalitions with Shapley weights. Exact; guarded by `Settings::exact_limit`.
    Exact,
    /// Antithetic permutation sampling (each permutation and its reverse). Unbiased; std errors.
    Permutation,
    /// KernelSHAP with paired sampling without replacement (as Leverage SHAP, but the budget split
    /// over coalition sizes by Neyman allocation) and the efficiency constraint imposed exactly.
    /// Std errors from a grouped jackknife.
    Kernel,
    /// Kernel's samples with a regression adjustment (Witter, Liu & Musco, NeurIPS 2025): a sparse
    /// surrogate of the third-order interactions, whose Shapley values are exact, is fitted to the
    /// sampled pairs and the kernel regression estimates the rest. Efficient; std errors from the
    /// kernel jackknife of the residual. Name `msr`.
    #[serde(rename = "msr")]
    RegressionMc,
    /// Kernel's samples read by Gaussian-process regression: a prior with one variance per
    /// interaction order (first, third, and a decay beyond), fitted to the sampled pairs by
    /// marginal likelihood; the estimate is the posterior mean of the Shapley values. Efficient;
    /// std errors are the posterior standard deviations. Name `gp`.
    #[serde(rename = "gp")]
    GaussianProcess,
    /// Owen values over a binary hierarchy (shap's PartitionExplainer); budgeted when the budget
    /// cannot expand the whole tree.
    Partition,
    /// Leave-one-out, v(N) - v(N \ {i}). A cheap baseline, NOT a Shapley value (not efficient).
    #[serde(rename = "loo")]
    LeaveOneOut,
}

impl Method {
    /// Every method, in the order above.
    pub const ALL: [Method; 7] = [
        Method::Exact,
        Method::Permutation,
        Method::Kernel,
        Method::RegressionMc,
        Method::GaussianProcess,
        Method::Partition,
        Method::LeaveOneOut,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Permutation => "permutation",
            Method::Kernel => "kernel",
            Method::RegressionMc => "msr",
            Method::GaussianProcess => "gp",
            Method::Partition => "partition",
            Method::LeaveOneOut => "loo",
        }
    }

    /// Whether the method estimates by random sampling (and so reports std errors).
    pub fn is_sampling(self) -> bool {
        matches!(
            self,
            Method::Permutation | Method::Kernel | Method::RegressionMc | Method::GaussianProcess
        )
    }

    /// The fewest evaluations the method can work with over `n` players (counting v(empty) and v(full)).
    pub fn minimum_budget(self, n: usize) -> usize {
        let wanted = match self {
            Method::Exact => return all_coalitions(n),
            // One antithetic pair: n - 1 new coalitions per permutation, plus v(empty) and v(full).
            Method::Permutation => 2 * n,
            // A complementary pair gives one direction in the (n - 1)-dimensional space of
            // efficient solutions: at least n - 1 pairs.
            Method::Kernel | Method::RegressionMc | Method::GaussianProcess => 2 * n,
            Method::Partition => 2,
            Method::LeaveOneOut => n + 2,
        };
        wanted.min(all_coalitions(n))
    }

    /// The budget used when `Settings::max_evals` is `None`.
    pub fn default_budget(self, n: usize) -> usize {
        match self {
            Method::Exact => all_coalitions(n),
            Method::LeaveOneOut => self.minimum_budget(n),
            Method::Permutation
            | Method::Kernel
            | Method::RegressionMc
            | Method::GaussianProcess
            | Method::Partition => {
                let budget = (20 * n).max(self.minimum_budget(n)).min(all_coalitions(n));
                if self == Method::GaussianProcess {
                    budget.min(GP_MAX_BUDGET)
                } else {
                    budget
                }
            }
        }
    }
}

/// The largest budget `gp` accepts: it keeps an m x m matrix of the sampled points (m = half the
/// budget) and factorises it per output, so memory and time grow with the square and the cube of
/// the budget (at this size about 130 MB and several seconds per output). Larger budgets are an
/// error that names msr and kernel instead.
pub const GP_MAX_BUDGET: usize = 8192;

/// 2^n, saturating.
pub(crate) fn all_coalitions(n: usize) -> usize {
    if n >= usize::BITS as usize {
        usize::MAX
    } else {
        1usize << n
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = ShapleyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        Method::ALL
            .into_iter()
            .find(|m| {
                m.name() == lower
                    || (lower == "leave-one-out" && *m == Method::LeaveOneOut)
                    || (lower == "regression-mc" && *m == Method::RegressionMc)
            })
            .ok_or_else(|| {
                ShapleyError::InvalidSettings(format!(
                    "unknown method `{s}`; choose one of exact, permutation, kernel, msr, gp, partition, loo"
                ))
            })
    }
}

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
