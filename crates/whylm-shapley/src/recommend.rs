//! Which method to use when the caller says `auto`.

use crate::estimators::budget::all_coalitions;
use crate::method::Method;

/// Above this budget `auto` prefers msr to gp: gp factorises an m x m matrix (m = budget / 2)
/// per output, about a second per output at this size on one core, where msr stays cheap.
const GP_AUTO_MAX_BUDGET: usize = 4096;

/// From this many features on, a budget below 5n goes to `sparse` (the smallest n its benchmark measured).
const SPARSE_MIN_PLAYERS: usize = 50;

/// The method to use for `n` features and a budget of `budget` evaluations, with the reason.
///
/// From the accuracy benchmark (`cargo run --release -p whylm-shapley --example accuracy`, on the
/// golden shap games, eight held-out language-model games and random interaction games,
/// n = 9..24): exact whenever the budget covers all 2^n coalitions (n <= 20); below 5n
/// evaluations permutation sampling (the pair regressions are then nearly rank-deficient: kernel
/// and msr were 2-8x worse at 2n, gp lost on 3 of 8 held-out language-model games and on every
/// random game); from 5n on `gp` (kernel's samples read by Gaussian-process regression): more
/// accurate than msr and kernel at 5n, 10n and 50n on every held-out game, 2.3-3.4x more accurate
/// than permutation at 10n; msr above `GP_AUTO_MAX_BUDGET`, where gp's cost grows; leave-one-out
/// only when the budget cannot afford one antithetic permutation pair (2n), except from
/// `SPARSE_MIN_PLAYERS` features on, where `sparse` takes budgets below 5n (`sparse_accuracy` and
/// whylm-explain's `sparse_stories` examples, docs/notes/sparse.md: on synthetic sparse games with
/// n = 50, 300 and 1000 at 64-256 evaluations, 2-15x lower error than kernel and gp below n, as good at
/// 2.6n and worse than gp at 5n once third-order terms matter; whylm-toy's `long_ground_truth` on the long
/// built-in model, 120-150 sentences at 256 evaluations: the top sentence was the planted fact in 24 of 24
/// prompts with sparse, 9 of 13 with permutation, which `long_estimators` confirms). Partition is not
/// chosen here: it needs a hierarchy and computes Owen values, so callers opt into it.
pub fn recommended_method(n: usize, budget: usize) -> (Method, &'static str) {
    if n <= 20 && budget >= all_coalitions(n) {
        return (
            Method::Exact,
            "the budget covers all 2^n coalitions, so the exact values cost no more",
        );
    }
    // Many features and fewer than 5n evaluations: a handful of permutations (2-4 marginal contributions per
    // feature) cannot rank 100+ features; the sparse fit shares every evaluation between all of them.
    if n >= SPARSE_MIN_PLAYERS && budget < 5 * n {
        return (
            Method::Sparse,
            "the budget is below 5n and there are many features: sparse (keep-1/2 pairs and a sparse fit) was the most accurate there in the benchmarks",
        );
    }
    // One antithetic permutation pair; the sampling methods run below it too, but were not benchmarked there.
    if budget < 2 * n {
        if budget >= Method::LeaveOneOut.minimum_budget(n) {
            return (
                Method::LeaveOneOut,
                "the budget is below 2n, what any Shapley estimator needs; leave-one-out is a cheap baseline, not a Shapley value",
            );
        }
        return (
            Method::Permutation,
            "the budget is too small for any method; raise it to at least 2n",
        );
    }
    if budget < 5 * n {
        return (
            Method::Permutation,
            "below 5n evaluations antithetic permutation sampling was the most accurate in the benchmark",
        );
    }
    if budget <= GP_AUTO_MAX_BUDGET {
        return (
            Method::GaussianProcess,
            "from 5n evaluations gp (kernel's paired samples read by Gaussian-process regression) was the most accurate in the benchmark",
        );
    }
    (
        Method::RegressionMc,
        "above 4096 evaluations msr (kernel's paired samples with a third-order regression adjustment): gp's cost grows with the cube of the budget, and msr was the next most accurate in the benchmark",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_when_affordable_gp_or_msr_otherwise() {
        assert_eq!(recommended_method(10, 1024).0, Method::Exact);
        assert_eq!(recommended_method(10, 1023).0, Method::GaussianProcess);
        assert_eq!(recommended_method(40, 400).0, Method::GaussianProcess);
        assert_eq!(
            recommended_method(40, GP_AUTO_MAX_BUDGET).0,
            Method::GaussianProcess
        );
        assert_eq!(
            recommended_method(40, GP_AUTO_MAX_BUDGET + 1).0,
            Method::RegressionMc
        );
        assert_eq!(recommended_method(40, 100).0, Method::Permutation);
        assert_eq!(recommended_method(40, 50).0, Method::LeaveOneOut);
        assert_eq!(recommended_method(300, 256).0, Method::Sparse);
        assert_eq!(recommended_method(50, 99).0, Method::Sparse);
        assert_eq!(recommended_method(50, 100).0, Method::Sparse);
        assert_eq!(recommended_method(50, 249).0, Method::Sparse);
        assert_eq!(recommended_method(50, 250).0, Method::GaussianProcess);
        assert_eq!(recommended_method(49, 100).0, Method::Permutation);
        assert_eq!(recommended_method(3000, 2048).0, Method::Sparse);
        assert_eq!(recommended_method(0, 1).0, Method::Exact);
    }
}
