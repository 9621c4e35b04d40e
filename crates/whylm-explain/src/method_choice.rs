//! The method for one level, and why: `auto` picks exact when all 2^n coalitions fit the budget, otherwise what
//! whylm_shapley recommends for that budget.

use crate::error::ExplainError;
use crate::options::MethodChoice;
use crate::request::DEFAULT_AUTO_BUDGET;
use whylm_shapley::{recommended_method, Method};

/// The method to run, the budget to give it (None: the method's default) and the reason written in the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenMethod {
    pub method: Method,
    pub max_evals: Option<usize>,
    pub reason: String,
}

/// Chooses the method for `n` features of `level`.
pub fn choose_method(
    choice: MethodChoice,
    n: usize,
    level: &str,
    max_evals: Option<usize>,
    exact_limit: usize,
) -> Result<ChosenMethod, ExplainError> {
    if max_evals == Some(0) {
        return Err(ExplainError::ZeroBudget);
    }
    match choice {
        MethodChoice::Fixed(Method::Exact) if n > exact_limit => Err(ExplainError::ExactAboveLimit {
            features: n,
            level: level.to_string(),
            limit: exact_limit,
        }),
        MethodChoice::Fixed(method) => Ok(ChosenMethod {
            method,
            max_evals,
            reason: format!("{} chosen by the request", method.name()),
        }),
        MethodChoice::Auto => {
            let budget = max_evals.unwrap_or(DEFAULT_AUTO_BUDGET);
            let all = 1usize.checked_shl(n as u32).filter(|_| n < usize::BITS as usize);
            let fits = all.is_some_and(|all| all <= budget);
            if n <= exact_limit && fits {
                let all = all.unwrap_or(usize::MAX);
                return Ok(ChosenMethod {
                    method: Method::Exact,
                    max_evals: Some(all),
                    reason: format!(
                        "auto: {n} features, all 2^{n} = {all} coalitions fit the budget of {budget}"
                    ),
                });
            }
            // recommended_method would pick exact for a large enough budget; the exact limit forbids it here
            let (method, why) = if fits {
                (Method::Kernel, "above the exact limit")
            } else {
                recommended_method(n, budget)
            };
            let method = if method == Method::Exact {
                Method::Kernel
            } else {
                method
            };
            let fit = if fits {
                format!("{n} features exceed the exact limit of {exact_limit}")
            } else {
                format!("2^{n} coalitions exceed the budget of {budget}")
            };
            Ok(ChosenMethod {
                method,
                max_evals: Some(budget),
                reason: format!("auto: {fit}; {}: {why}", method.name()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_is_exact_when_every_coalition_fits() {
        let c = choose_method(MethodChoice::Auto, 9, "token", Some(512), 20).ok();
        assert_eq!(c.as_ref().map(|c| c.method), Some(Method::Exact));
        assert_eq!(c.and_then(|c| c.max_evals), Some(512));
    }

    #[test]
    fn auto_samples_when_the_budget_is_short_or_n_above_the_limit() {
        // Above the exact budget, auto defers to the engine's benchmark-backed recommendation.
        let short = choose_method(MethodChoice::Auto, 12, "word", Some(1000), 20).ok();
        let recommended = whylm_shapley::recommended_method(12, 1000).0;
        assert_ne!(recommended, Method::Exact);
        assert_eq!(short.as_ref().map(|c| c.method), Some(recommended));
        assert!(short.is_some_and(|c| c.reason.contains("exceed the budget of 1000")));
        let limited = choose_method(MethodChoice::Auto, 12, "word", Some(1 << 20), 10).ok();
        assert_ne!(limited.as_ref().map(|c| c.method), Some(Method::Exact));
        assert!(limited.is_some_and(|c| c.reason.contains("exact limit of 10")));
        // many features on a budget below 5n: the sparse estimator, and the report says why
        let long = choose_method(MethodChoice::Auto, 300, "word", Some(256), 20).ok();
        assert_eq!(long.as_ref().map(|c| c.method), Some(Method::Sparse));
        assert!(long.is_some_and(|c| c.reason.contains("sparse") && c.reason.contains("below 5n")));
        let huge = choose_method(MethodChoice::Auto, 200, "token", None, 20).ok();
        assert_eq!(huge.and_then(|c| c.max_evals), Some(DEFAULT_AUTO_BUDGET));
    }

    #[test]
    fn exact_above_its_limit_and_a_zero_budget_are_errors() {
        assert!(matches!(
            choose_method(MethodChoice::Fixed(Method::Exact), 21, "token", None, 20),
            Err(ExplainError::ExactAboveLimit {
                features: 21,
                limit: 20,
                ..
            })
        ));
        assert!(matches!(
            choose_method(MethodChoice::Fixed(Method::Kernel), 5, "token", Some(0), 20),
            Err(ExplainError::ZeroBudget)
        ));
    }
}
