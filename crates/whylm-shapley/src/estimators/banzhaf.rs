//! The Banzhaf value, beta_i = E[v(S + i) - v(S)] over uniformly random S: the coefficients of the best linear
//! fit of v under keep-1/2 coalitions, which is what ContextCite's surrogate estimates. Not a Shapley value (it
//! weighs every coalition alike, not every size alike, and is not efficient), but the right value for the
//! question "which units, kept or dropped at random, move the score": the linear datamodeling score.
//!
//! whylm's estimator: complementary pairs from a randomised Hadamard design (`keep_half::design`: the game's even
//! part cancels, players balanced and nearly orthogonal), fitted by `keep_half::odd_fit` (regression adjustment
//! chosen by cross-validation), std errors by a delete-a-group jackknife over the pairs. A budget of 2^n
//! evaluates every pair and gives the exact values.

use nalgebra::DMatrix;

use super::budget::{all_coalitions, per_player_default};
use super::estimate::{ends, Estimate};
use super::keep_half::design::{all_pairs, hadamard_pairs, signs};
use super::keep_half::jackknife::jackknife;
use super::keep_half::odd_fit::{choose_shrink, fit, Shrink};
use super::keep_half::{self};
use super::spec::{no_limits, BudgetRules, Job, Spec};
use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::Evaluator;
use crate::method::Method;

pub(crate) const SPEC: Spec = Spec {
    method: Method::Banzhaf,
    name: "banzhaf",
    aliases: &[],
    description: "Banzhaf values (the best linear fit under random keep-1/2 ablations, what ContextCite estimates) from complementary pairs of a balanced design with a regression adjustment: not efficient, with jackknife std errors",
    budget: BudgetRules {
        minimum: keep_half::minimum_budget,
        default: per_player_default,
        limits: no_limits,
    },
    needs_hierarchy: false,
    run: estimate,
};

fn estimate(ev: &mut Evaluator, job: &mut Job) -> Result<Estimate, ShapleyError> {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let (base_id, full_id) = ends(ev)?;
    let enumerate = job.budget >= all_coalitions(n);
    let sides = if enumerate {
        all_pairs(n)
    } else {
        let pairs = job.budget.saturating_sub(ev.evaluations()) / 2;
        hadamard_pairs(n, pairs, job.rng)
    };
    let coalitions: Vec<Coalition> = sides.iter().flat_map(|s| [s.clone(), s.complement()]).collect();
    let rows = ev.rows_of(&coalitions)?;
    let m = sides.len();
    let z = DMatrix::from_row_iterator(m, n, sides.iter().flat_map(signs));
    let d = DMatrix::from_fn(m, t, |r, s| ev.row(rows[2 * r])[s] - ev.row(rows[2 * r + 1])[s]);
    let all: Vec<usize> = (0..m).collect();
    let (phi, std_err) = if enumerate {
        // Z^T Z = m I: MSR is least squares and gives the exact values, with no sampling error.
        (
            fit(&z, &d, &all, Shrink::TowardMsr(None)),
            Some(DMatrix::zeros(n, t)),
        )
    } else {
        let shrink = choose_shrink(&z, &d);
        let phi = fit(&z, &d, &all, shrink);
        (phi, jackknife(m, |kept| fit(&z, &d, kept, shrink)))
    };
    Ok(Estimate {
        phi: to_rows(&phi),
        std_err: std_err.as_ref().map(to_rows),
        base: ev.row(base_id).to_vec(),
        full: ev.row(full_id).to_vec(),
    })
}

pub(crate) fn to_rows(m: &DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|i| m.row(i).iter().copied().collect())
        .collect()
}
