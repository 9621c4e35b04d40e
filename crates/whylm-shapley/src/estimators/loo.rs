//! Leave-one-out: phi_i = v(N) - v(N \ {i}). Not a Shapley value: it ignores every interaction
//! below the full coalition and is not efficient. n + 2 evaluations (v(empty) for the base value).

use super::estimate::{ends, Estimate};
use super::spec::{no_limits, BudgetRules, Spec};
use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::Evaluator;
use crate::method::Method;

pub(crate) const SPEC: Spec = Spec {
    method: Method::LeaveOneOut,
    name: "loo",
    aliases: &["leave-one-out"],
    description:
        "leave-one-out, v(N) - v(N \\ {i}), from n + 2 evaluations: a cheap baseline, not a Shapley value",
    budget: BudgetRules {
        minimum: |n| n + 2,
        default: |_, minimum| minimum,
        limits: no_limits,
    },
    needs_hierarchy: false,
    run: |ev, _| estimate(ev),
};

fn estimate(ev: &mut Evaluator) -> Result<Estimate, ShapleyError> {
    let n = ev.num_players();
    let (base, full) = ends(ev)?;
    let without: Vec<Coalition> = (0..n)
        .map(|i| {
            let mut c = Coalition::full(n);
            c.remove(i);
            c
        })
        .collect();
    let rows = ev.rows_of(&without)?;
    let v_full = ev.row(full).to_vec();
    let phi = rows
        .iter()
        .map(|&r| v_full.iter().zip(ev.row(r)).map(|(f, w)| f - w).collect())
        .collect();
    Ok(Estimate {
        phi,
        std_err: None,
        base: ev.row(base).to_vec(),
        full: v_full,
    })
}
