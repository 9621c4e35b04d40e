//! Every estimator, registered once. Adding a method is a variant of `Method`, a module that
//! defines its `Spec` (beside the code, its name, description and budget rules), and one line in
//! `REGISTRY`; everything else (`Method::ALL`, names, parsing, budgets, `explain`'s dispatch)
//! follows from the table.

use std::fmt;
use std::str::FromStr;

use super::spec::Spec;
use super::{banzhaf, contextcite, exact, gp, kernel, loo, msr, partition, permutation, sparse};
use crate::error::ShapleyError;
use crate::estimators::budget::all_coalitions;
use crate::method::Method;

/// The registered estimators, in the order of `Method`'s variants.
const REGISTRY: [&Spec; 10] = [
    &exact::SPEC,
    &permutation::SPEC,
    &kernel::SPEC,
    &msr::SPEC,
    &gp::SPEC,
    &partition::SPEC,
    &loo::SPEC,
    &banzhaf::SPEC,
    &contextcite::SPEC,
    &sparse::SPEC,
];

// `Method::spec` indexes the table by variant: entry i must register variant i.
const _: () = {
    let mut i = 0;
    while i < REGISTRY.len() {
        assert!(
            REGISTRY[i].method as usize == i,
            "REGISTRY must list the methods in the order of Method's variants"
        );
        i += 1;
    }
};

impl Method {
    /// Every method, in the order of the variants.
    pub const ALL: [Method; REGISTRY.len()] = {
        let mut all = [Method::Exact; REGISTRY.len()];
        let mut i = 0;
        while i < REGISTRY.len() {
            all[i] = REGISTRY[i].method;
            i += 1;
        }
        all
    };

    /// The method's registration.
    pub(crate) fn spec(self) -> &'static Spec {
        REGISTRY[self as usize]
    }

    /// The name used on the command line and in reports (and by serde).
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// What the method does, in one line (for `--help` and the bindings).
    pub fn description(self) -> &'static str {
        self.spec().description
    }

    /// The fewest evaluations the method can work with over `n` players (counting v(empty) and v(full)).
    pub fn minimum_budget(self, n: usize) -> usize {
        (self.spec().budget.minimum)(n).min(all_coalitions(n))
    }

    /// The budget used when `Settings::max_evals` is `None`.
    pub fn default_budget(self, n: usize) -> usize {
        (self.spec().budget.default)(n, self.minimum_budget(n))
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = ShapleyError;

    /// A method's name or one of its aliases, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        REGISTRY
            .iter()
            .find(|spec| spec.name == lower || spec.aliases.contains(&lower.as_str()))
            .map(|spec| spec.method)
            .ok_or_else(|| {
                let names: Vec<&str> = REGISTRY.iter().map(|spec| spec.name).collect();
                ShapleyError::InvalidSettings(format!(
                    "unknown method `{s}`; choose one of {}",
                    names.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exhaustive on purpose: a new variant does not compile here until it is registered.
    fn position(method: Method) -> usize {
        match method {
            Method::Exact => 0,
            Method::Permutation => 1,
            Method::Kernel => 2,
            Method::RegressionMc => 3,
            Method::GaussianProcess => 4,
            Method::Partition => 5,
            Method::LeaveOneOut => 6,
            Method::Banzhaf => 7,
            Method::ContextCite => 8,
            Method::Sparse => 9,
        }
    }

    #[test]
    fn every_variant_is_registered_once_under_its_serde_name() {
        for (i, method) in Method::ALL.into_iter().enumerate() {
            assert_eq!(position(method), i);
            assert_eq!(method.spec().method, method);
            let json = serde_json::to_string(&method).unwrap();
            assert_eq!(json, format!("\"{}\"", method.name()));
            assert!(!method.description().is_empty() && !method.description().contains('\n'));
        }
        let mut names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Method::ALL.len());
    }

    #[test]
    fn every_default_budget_meets_its_own_rules() {
        use crate::estimators::spec::Plan;
        for method in Method::ALL {
            for n in [1, 2, 5, 9, 20, 32, 1000] {
                let (minimum, default) = (method.minimum_budget(n), method.default_budget(n));
                assert!(
                    minimum <= default && default <= all_coalitions(n),
                    "{method} n={n}"
                );
                let plan = Plan {
                    players: n,
                    budget: default,
                    exact_limit: 32,
                };
                let within = (method.spec().budget.limits)(&plan);
                assert_eq!(
                    within.is_ok(),
                    method != Method::Exact || n <= 32,
                    "{method} n={n}"
                );
            }
        }
        let gp = Method::GaussianProcess.description();
        assert!(
            gp.contains(&crate::estimators::gp::GP_MAX_BUDGET.to_string()),
            "{gp}"
        );
    }

    #[test]
    fn unknown_names_list_every_method() {
        let err = "bogus".parse::<Method>().unwrap_err().to_string();
        for method in Method::ALL {
            assert!(err.contains(method.name()), "{err}");
        }
        assert_eq!("Leave-One-Out".parse::<Method>().unwrap(), Method::LeaveOneOut);
    }
}
