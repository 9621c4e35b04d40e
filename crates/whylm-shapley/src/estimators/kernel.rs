//! KernelSHAP in the manner of Leverage SHAP (Musco & Witter, ICLR 2025), on the paired sample of
//! `paired` (the budget split over coalition sizes by Neyman allocation, balanced within a size).
//!
//! Shapley values solve a weighted least-squares problem over all interior coalitions S with
//! kernel weight mu(S) = (n-1) / (C(n,|S|) |S| (n-|S|)), subject to sum_i phi_i = v(N) - v(empty).
//! The constraint is imposed exactly by solving in the subspace sum_i phi_i = 0 around the even
//! split. Std errors: delete-a-group jackknife over the sampled pairs (sizes enumerated whole carry
//! no sampling error).

use rand_chacha::ChaCha8Rng;

use super::budget::per_player_default;
use super::estimate::{restore_efficiency, Estimate};
use super::paired::{self, on_paired_draw, regress, PairedDraw};
use super::spec::{no_limits, BudgetRules, Spec};
use crate::evaluator::Evaluator;
use crate::method::Method;

pub(crate) const SPEC: Spec = Spec {
    method: Method::Kernel,
    name: "kernel",
    aliases: &[],
    description: "KernelSHAP on complementary pairs sampled without replacement (sizes split by Neyman allocation): efficient, with jackknife std errors",
    budget: BudgetRules {
        minimum: paired::minimum_budget,
        default: per_player_default,
        limits: no_limits,
    },
    needs_hierarchy: false,
    run: |ev, job| on_paired_draw(ev, job.budget, job.rng, estimate),
};

/// Kernel regression on a paired draw.
fn estimate(ev: &mut Evaluator, draw: PairedDraw, rng: &mut ChaCha8Rng) -> Estimate {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let (base, full, delta, sample, rows) = draw.into_parts();
    let b: Vec<f64> = rows
        .iter()
        .flat_map(|&id| ev.row(id).iter().zip(&base).map(|(v, b)| v - b))
        .collect();
    let (mut phi, std_err) = regress(n, t, &sample, &b, &delta, rng);
    restore_efficiency(&mut phi, &base, &full);
    Estimate {
        phi,
        std_err,
        base,
        full,
    }
}
