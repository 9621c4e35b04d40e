//! ContextCite's own algorithm (Cohen-Wang et al., 2024, MadryLab's `context_cite`), run through whylm's game
//! as the baseline of `banzhaf`: independent masks keeping each player with probability 1/2, and a LASSO
//! (alpha 0.01, intercept) on the standardised masks, per output. Its weights estimate, up to the sparsity
//! penalty, the Banzhaf values. Std errors (ContextCite gives none) by a delete-a-group jackknife over the masks.
//!
//! The target: ContextCite fits the logit of the whole response's probability divided by the number of response
//! tokens. whylm's game scores each target token, so this fits each token's score (the `--score` in force) with
//! the same alpha, a penalty on the same per-token scale; `--score logodds` gives each token's logit
//! probability, which for a one-token target is exactly ContextCite's target.

use nalgebra::DMatrix;

use super::banzhaf::to_rows;
use super::budget::per_player_default;
use super::estimate::{ends, Estimate};
use super::keep_half::design::keep_half;
use super::keep_half::jackknife::jackknife;
use super::keep_half::lasso::standardised_lasso;
use super::keep_half::{self};
use super::spec::{no_limits, BudgetRules, Job, Spec};
use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::Evaluator;
use crate::method::Method;

/// ContextCite's default LASSO penalty.
const ALPHA: f64 = 0.01;

pub(crate) const SPEC: Spec = Spec {
    method: Method::ContextCite,
    name: "contextcite",
    aliases: &["context-cite"],
    description: "ContextCite's algorithm as a baseline: random keep-1/2 ablations and a LASSO (alpha 0.01) on the standardised masks, estimating Banzhaf values; not efficient, with jackknife std errors",
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
    let masks: Vec<Coalition> = keep_half(n, job.budget.saturating_sub(ev.evaluations()), job.rng);
    let rows = ev.rows_of(&masks)?;
    let kept: Vec<Vec<bool>> = masks
        .iter()
        .map(|c| (0..n).map(|i| c.contains(i)).collect())
        .collect();
    let values: Vec<Vec<f64>> = rows.iter().map(|&r| ev.row(r).to_vec()).collect();
    let fit = |subset: &[usize]| -> DMatrix<f64> {
        let x: Vec<Vec<bool>> = subset.iter().map(|&r| kept[r].clone()).collect();
        let mut phi = DMatrix::zeros(n, t);
        for s in 0..t {
            let y: Vec<f64> = subset.iter().map(|&r| values[r][s]).collect();
            for (i, w) in standardised_lasso(&x, &y, ALPHA).into_iter().enumerate() {
                phi[(i, s)] = w;
            }
        }
        phi
    };
    let all: Vec<usize> = (0..masks.len()).collect();
    let phi = fit(&all);
    let std_err = jackknife(masks.len(), fit);
    Ok(Estimate {
        phi: to_rows(&phi),
        std_err: std_err.as_ref().map(to_rows),
        base: ev.row(base_id).to_vec(),
        full: ev.row(full_id).to_vec(),
    })
}
