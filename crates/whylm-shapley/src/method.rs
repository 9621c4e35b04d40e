//! The estimators' names. What each one does, needs and costs is declared beside its module and
//! gathered in `estimators::registry`, which also gives `Method` its name, description, budget
//! rules, `Display` and `FromStr`.

use serde::{Deserialize, Serialize};

/// The estimator.
///
/// The variants are listed in the order of `Method::ALL` (the registry checks at compile time that
/// its entries follow this order).
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
    /// Banzhaf values: the coefficients of the best linear fit under random keep-1/2 coalitions (what
    /// ContextCite estimates), from complementary pairs of a balanced design with a regression adjustment.
    /// NOT a Shapley value (not efficient); std errors.
    Banzhaf,
    /// ContextCite's algorithm (random keep-1/2 masks, LASSO alpha 0.01 on standardised masks), the baseline
    /// of `Banzhaf` at equal budget. Estimates Banzhaf values; not efficient. Name `contextcite`.
    #[serde(rename = "contextcite")]
    ContextCite,
    /// Sparse Shapley values for many players on small budgets: complementary keep-1/2 pairs and a sparse
    /// linear fit of their differences (orthogonal matching pursuit), exact on games of interaction order <= 2.
    /// Efficient; std errors from a jackknife over the pairs.
    Sparse,
}
