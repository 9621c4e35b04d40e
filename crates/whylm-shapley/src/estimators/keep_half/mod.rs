//! What `banzhaf` and `contextcite` share: coalitions drawn from the keep-1/2 distribution (each player kept
//! with probability 1/2), a linear surrogate fitted to their values, and delete-a-group jackknife std errors.
//! Under that distribution the best linear fit's coefficients are the Banzhaf values, so both methods estimate
//! the same quantity from the same budget; they differ in how they draw (`design`) and how they fit
//! (`odd_fit` for banzhaf, `lasso` for contextcite).
//!
//! Dependencies run one way: design, jackknife, lasso, odd_fit <- the two estimators.

pub(crate) mod design;
pub(crate) mod jackknife;
pub(crate) mod lasso;
pub(crate) mod odd_fit;

/// The fewest evaluations of both methods: v(empty), v(full) and one pair (or two random coalitions).
pub(crate) fn minimum_budget(_n: usize) -> usize {
    4
}
