//! Gaussian-process regression on kernel's samples (method `gp`).
//!
//! The samples are kernel's (`paired`: complementary pairs, sizes by the Neyman split, without
//! replacement), and each pair observes the game's odd part g(S) = (v(S) - v(N \ S)) / 2 exactly;
//! the pair (empty, full) observes g(N) = (v(N) - v(empty)) / 2. Kernel fits a linear model to
//! them, msr a linear model plus the few triples that stand out. Here the game is a draw from a
//! Gaussian prior with one variance per interaction order (see `walsh_prior`): order 1, order 3,
//! and a geometric decay beyond; the triples msr would select get a variance of their own on top.
//! The prior's parameters (scale, third-order energy, decay, selected-triple variance) are fitted
//! per output by maximising the marginal likelihood of that output's observations, and the
//! estimate is the posterior mean of the Shapley values, a linear function of the observations.
//! Every interaction of order 3 and up is shrunk by how much the data say such interactions
//! weigh, rather than ignored (kernel) or kept whole once selected (msr). On language-model games
//! most of the gain over kernel comes from the order-3-and-up covariance between sampled points:
//! it tells the regression how much the many extreme-size pairs repeat each other (with a prior
//! of almost no higher-order energy the posterior mean is the generalised least-squares fit under
//! that covariance). The selected triples' own variance keeps the gain on games with a few strong
//! triples, and the likelihood shrinks it away when the selected triples are noise.
//!
//! The posterior mean interpolates the observations, so the values add up to
//! 2 g(N) = v(N) - v(empty): efficient (up to the solve's rounding, which `restore_efficiency`
//! removes). When the pairs cover every coalition the posterior is the game itself: exact values.
//! Std errors: the posterior standard deviations, model-based (they assume the fitted prior and
//! leave out the variability of the triple selection).
//! Cost: one Cholesky factorisation of an m x m matrix (m = pairs + 1) per likelihood evaluation,
//! up to 180 evaluations per output on at most `FIT_POINTS` of the points, then one with all.

mod cholesky;
mod design;
mod nelder_mead;
mod walsh_prior;

use faer::Mat;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::budget::per_player_default;
use super::cubic_surrogate;
use super::estimate::{restore_efficiency, Estimate};
use super::paired::{self, on_paired_draw, PairedDraw};
use super::spec::{BudgetRules, Plan, Spec};
use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::Evaluator;
use crate::method::Method;
use design::{Design, PointTable};
use walsh_prior::{OrderEnergies, WalshPrior};

pub(crate) const SPEC: Spec = Spec {
    method: Method::GaussianProcess,
    name: "gp",
    aliases: &[],
    description: "kernel's samples read by Gaussian-process regression (a prior per interaction order): the most accurate from 5n evaluations, at most 8192",
    budget: BudgetRules {
        minimum: paired::minimum_budget,
        default: |n, minimum| per_player_default(n, minimum).min(GP_MAX_BUDGET),
        limits,
    },
    needs_hierarchy: false,
    run: |ev, job| on_paired_draw(ev, job.budget, job.rng, estimate),
};

/// The largest budget `gp` accepts: it keeps an m x m matrix of the sampled points (m = half the
/// budget) and factorises it per output, so memory and time grow with the square and the cube of
/// the budget (at this size about 130 MB and several seconds per output). Larger budgets are an
/// error that names msr and kernel instead.
pub const GP_MAX_BUDGET: usize = 8192;

/// Budgets above `GP_MAX_BUDGET`.
fn limits(plan: &Plan) -> Result<(), ShapleyError> {
    let budget = plan.budget;
    if budget > GP_MAX_BUDGET {
        return Err(ShapleyError::InvalidSettings(format!(
            "gp takes at most {GP_MAX_BUDGET} evaluations (its cost grows with the cube of the budget); \
             for a budget of {budget} use msr or kernel, or lower the budget"
        )));
    }
    Ok(())
}

/// The prior's parameters are fitted on at most this many observations (an evenly spaced subset
/// of the pairs, which come ordered by size); the posterior then uses all of them.
const FIT_POINTS: usize = 200;

/// Likelihood evaluations per starting point of the parameter search.
const SEARCH_EVALS: usize = 60;

/// Starting points (ln third-order energy, ln decay, ln selected-triple variance): weak,
/// moderate and strong interactions. All energies are relative to the first order's.
const STARTS: [[f64; 3]; 3] = [[-3.0, -3.0, -5.0], [-1.0, -2.0, -3.0], [-5.0, -4.0, -8.0]];

/// One setting of the prior: its covariance by Hamming distance and the selected triples' variance.
struct Prior {
    energies: OrderEnergies,
    by_distance: Vec<f64>,
    selected: f64,
}

impl Prior {
    /// From (ln third-order energy, ln decay, ln selected-triple variance); `None` outside the
    /// accepted range: energies may not grow with the order (decay <= 1), nor leave the range of
    /// sane floats.
    fn new(walsh: &WalshPrior, p: &[f64]) -> Option<Self> {
        if p[1] > 0.0 || !p.iter().all(|v| (-40.0..=10.0).contains(v)) {
            return None;
        }
        let energies = OrderEnergies {
            third: p[0].exp(),
            decay: p[1].exp(),
        };
        Some(Prior {
            by_distance: walsh.covariance_by_distance(&energies),
            energies,
            selected: p[2].exp(),
        })
    }
}

/// Minus the log marginal likelihood of `g` on the points of `table`, the scale profiled out (up to a constant).
fn profile_nll(table: &PointTable, triples: usize, walsh: &WalshPrior, g: &[f64], p: &[f64]) -> f64 {
    let Some(prior) = Prior::new(walsh, p) else {
        return f64::INFINITY;
    };
    let Some(chol) = table.factor(&prior, triples) else {
        return f64::INFINITY;
    };
    let quadratic = dot(g, &chol.solve(g));
    0.5 * table.len() as f64 * quadratic.ln() + chol.half_log_det()
}

/// The points the prior's parameters are fitted on: all of them, or an evenly spaced subset of `FIT_POINTS`.
fn fit_subset(m: usize) -> Vec<usize> {
    if m <= FIT_POINTS {
        (0..m).collect()
    } else {
        (0..FIT_POINTS).map(|k| k * m / FIT_POINTS).collect()
    }
}

/// What every output's fit and posterior share: the design and its tables over the fit's subset and all points.
struct Tables {
    design: Design,
    walsh: WalshPrior,
    subset: Vec<usize>,
    fit: PointTable,
    all: PointTable,
}

/// The prior fitted to one output's observations `g` (one per point).
fn fit_prior(tables: &Tables, g: &[f64]) -> Prior {
    let (design, walsh) = (&tables.design, &tables.walsh);
    let g_sub: Vec<f64> = tables.subset.iter().map(|&r| g[r]).collect();
    // Without selected triples their variance is moot: search the first two parameters only.
    let dims = if design.triples.is_empty() { 2 } else { 3 };
    let mut best: (Vec<f64>, f64) = (STARTS[0].to_vec(), f64::INFINITY);
    for start in STARTS {
        let found = nelder_mead::minimize(
            |p| {
                let full = [p[0], p[1], if dims == 3 { p[2] } else { start[2] }];
                profile_nll(&tables.fit, design.triples.len(), walsh, &g_sub, &full)
            },
            &start[..dims],
            &[1.0; 3][..dims],
            SEARCH_EVALS,
        );
        if found.1 < best.1 {
            best = (found.0, found.1);
        }
    }
    let mut p = best.0;
    p.resize(3, STARTS[0][2]);
    Prior::new(walsh, &p)
        .unwrap_or_else(|| Prior::new(walsh, &STARTS[0]).expect("the first start is in range"))
}

/// Posterior mean and standard deviation of the n Shapley values from one output's observations.
fn posterior(tables: &Tables, g: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (design, walsh) = (&tables.design, &tables.walsh);
    let (n, m) = (design.n, design.len());
    if g.iter().all(|v| *v == 0.0) {
        return (vec![0.0; n], vec![0.0; n]);
    }
    let prior = fit_prior(tables, g);
    let Some(chol) = tables.all.factor(&prior, design.triples.len()) else {
        // Unreachable in practice (the largest jitter makes the matrix diagonally dominant
        // enough); the prior mean is the honest answer then.
        return (vec![0.0; n], vec![f64::NAN; n]);
    };
    let alpha = chol.solve(g);
    let scale = dot(g, &alpha) / m as f64;
    let by_missing = walsh.shapley_covariance_by_missing(&prior.energies);
    // A selected triple T adds selected * (2/3) x_T(S) to cov(phi_i, g(S)) for each i in T.
    let mut selected_cross = Mat::<f64>::zeros(m, n);
    let mut selected_variance = vec![0.0; n];
    for (k, triple) in design.triples.iter().enumerate() {
        for &i in triple {
            for r in 0..m {
                selected_cross[(r, i)] += prior.selected * 2.0 / 3.0 * design.product(r, k);
            }
            selected_variance[i] += prior.selected * 4.0 / 9.0;
        }
    }
    // cov(phi_i, g(point r)), m x n.
    let cross = Mat::from_fn(m, n, |r, i| {
        let x = design.signs[r][i];
        let others_missing = design.missing[r] - usize::from(x < 0.0);
        x * by_missing[others_missing] + selected_cross[(r, i)]
    });
    let column = |a: &Mat<f64>, i: usize| -> Vec<f64> { (0..m).map(|r| a[(r, i)]).collect() };
    let phi: Vec<f64> = (0..n).map(|i| dot(&column(&cross, i), &alpha)).collect();
    let mut explained = cross.clone();
    chol.solve_in_place(&mut explained);
    let prior_variance = walsh.shapley_variance(&prior.energies);
    let sd = (0..n)
        .map(|i| {
            let left =
                prior_variance + selected_variance[i] - dot(&column(&cross, i), &column(&explained, i));
            (scale * left).max(0.0).sqrt()
        })
        .collect();
    (phi, sd)
}

/// The Gaussian-process estimate on a paired draw (nothing random happens after the draw).
fn estimate(ev: &mut Evaluator, draw: PairedDraw, _rng: &mut ChaCha8Rng) -> Estimate {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let (base, full, delta, sample, rows) = draw.into_parts();
    let pairs = sample.num_pairs();
    // Point 0 is the full coalition (its pair is (full, empty)); then each pair's first side.
    let points: Vec<Coalition> = std::iter::once(Coalition::full(n))
        .chain((0..pairs).map(|p| sample.coalitions[2 * p].clone()))
        .collect();
    let surrogate = cubic_surrogate::fit_to_pairs(ev, &sample, &rows);
    let design = Design::new(n, &points, surrogate.triples());
    let subset = fit_subset(design.len());
    let all: Vec<usize> = (0..design.len()).collect();
    let tables = Tables {
        fit: design.table(&subset),
        all: design.table(&all),
        walsh: WalshPrior::new(n),
        design,
        subset,
    };
    // Outputs are independent given the design: spread them over threads (each one's numbers do not depend on
    // which thread computes it).
    let observations: Vec<Vec<f64>> = (0..t)
        .map(|q| {
            std::iter::once(0.5 * delta[q])
                .chain((0..pairs).map(|p| 0.5 * (ev.row(rows[2 * p])[q] - ev.row(rows[2 * p + 1])[q])))
                .collect()
        })
        .collect();
    let per_output: Vec<(Vec<f64>, Vec<f64>)> =
        observations.par_iter().map(|g| posterior(&tables, g)).collect();
    let mut phi = vec![vec![0.0; t]; n];
    let mut std_err = vec![vec![0.0; t]; n];
    for (q, (values, sd)) in per_output.iter().enumerate() {
        for i in 0..n {
            phi[i][q] = values[i];
            std_err[i][q] = sd[i];
        }
    }
    // With every pair observed the odd part is known everywhere: nothing is left uncertain.
    if n < 64 && points.len() as u64 == 1u64 << (n - 1) {
        std_err = vec![vec![0.0; t]; n];
    }
    restore_efficiency(&mut phi, &base, &full);
    Estimate {
        phi,
        std_err: Some(std_err),
        base,
        full,
    }
}

/// The dot product, summed in index order.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
