//! Sparse Shapley values for many players (n from about 50 to several thousand) on budgets far below n.
//!
//! The draw: complementary pairs (S, N \ S) with S keeping each player with probability 1/2 (ContextCite's and
//! SPEX's ablations, paired as kernel's). In the +-1 coding z (z_i = +1 when player i is kept) the difference
//! d(S) = v(S) - v(N \ S) keeps only the game's odd Walsh terms; written with unanimity games (a term
//! c_T [T within S] has Shapley value c_T / |T| for each player of T), every term of order 1 or 2 lands on the
//! linear part with exactly its Shapley value: c_i [i in S] gives c_i z_i, and c_ij [i, j in S] gives
//! (c_ij / 2) (z_i + z_j). So d = sum_i phi_i z_i + (odd terms of order 3 and up): on a game of interaction
//! order <= 2 the linear coefficients of d ARE the Shapley values, pairwise terms split equally between their two
//! players without being estimated. Each pair costs two evaluations and the even part of the game (for a
//! language model mostly how much context is left) cancels instead of adding noise.
//!
//! The fit: the Shapley vector of a long prompt is sparse or nearly so (a few units carry the answer), and a
//! uniform +-1 design is what sparse recovery works best on (every column nearly orthogonal to every other), so
//! d is regressed on z by orthogonal matching pursuit (`pursuit`) with the number of terms chosen by
//! cross-validation: a few dozen pairs recover a handful of important players among hundreds. The surrogate's
//! Shapley values are read off exactly (its coefficients); what it leaves of v(N) - v(empty) (the players too
//! small to pick and the interactions of order 3 and up) is spread evenly, as kernel does, so the values are
//! efficient. A second fit may add products of three of the players the first found largest (`triples`: a
//! unanimity term of order 3 gives its players 1/3 each but the linear part of d only 1/4), chosen by the same
//! cross-validation. Std errors: a delete-a-group jackknife over the pairs (each replicate redoes the selection),
//! floored at the residual's noise level sigma / sqrt(m), the error of a coefficient no pursuit picked.
//! A budget of 2^n evaluates every coalition and gives the exact values.

mod pursuit;
mod triples;

use std::collections::HashSet;

use nalgebra::{DMatrix, DVector};
use rand_chacha::ChaCha8Rng;

use super::budget::all_coalitions;
use super::estimate::{ends, restore_efficiency, Estimate};
use super::keep_half::design::{keep_half, signs};
use super::keep_half::jackknife::jackknife;
use super::spec::{no_limits, BudgetRules, Job, Spec};
use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::Evaluator;
use crate::method::Method;

pub(crate) const SPEC: Spec = Spec {
    method: Method::Sparse,
    name: "sparse",
    aliases: &[],
    description: "sparse Shapley values for many features on small budgets: complementary keep-1/2 pairs, a sparse fit (orthogonal matching pursuit over the players and triples of the largest ones; exact on games of interaction order <= 2) read off exactly: efficient, with jackknife std errors",
    budget: BudgetRules {
        minimum: |_| 4,
        default: |n, minimum| DEFAULT_BUDGET.max(minimum).min(all_coalitions(n)),
        limits: no_limits,
    },
    needs_hierarchy: false,
    run: estimate,
};

/// The budget when none is given: ContextCite's largest (the method is for budgets below n; more budget
/// helps, but the fit's cost grows with pairs x players x terms).
const DEFAULT_BUDGET: usize = 256;

/// Most terms a fit keeps: past this many, a sparse model is the wrong tool (use kernel, gp or msr).
const MAX_TERMS: usize = 128;

fn estimate(ev: &mut Evaluator, job: &mut Job) -> Result<Estimate, ShapleyError> {
    let n = ev.num_players();
    if n <= 30 && job.budget >= all_coalitions(n) {
        return super::exact::run(ev, job);
    }
    let (base_id, full_id) = ends(ev)?;
    let sides = distinct_pairs(n, job.budget.saturating_sub(ev.evaluations()) / 2, job.rng);
    let coalitions: Vec<Coalition> = sides.iter().flat_map(|s| [s.clone(), s.complement()]).collect();
    let rows = ev.rows_of(&coalitions)?;
    let z = DMatrix::from_row_iterator(sides.len(), n, sides.iter().flat_map(signs));
    let base = ev.row(base_id).to_vec();
    let full = ev.row(full_id).to_vec();
    let mut phi = vec![vec![0.0; base.len()]; n];
    let mut std_err = vec![vec![0.0; base.len()]; n];
    for s in 0..base.len() {
        let d = DVector::from_fn(sides.len(), |r, _| {
            ev.row(rows[2 * r])[s] - ev.row(rows[2 * r + 1])[s]
        });
        let (values, errors) = fit_output(&z, &d);
        for i in 0..n {
            phi[i][s] = values[i];
            std_err[i][s] = errors[i];
        }
    }
    restore_efficiency(&mut phi, &base, &full);
    Ok(Estimate {
        phi,
        std_err: Some(std_err),
        base,
        full,
    })
}

/// `pairs` canonical sides of distinct complementary pairs, none of them the pair (empty, full) already
/// evaluated; fewer when the players have fewer pairs than that.
fn distinct_pairs(n: usize, pairs: usize, rng: &mut ChaCha8Rng) -> Vec<Coalition> {
    let available = (all_coalitions(n) / 2).saturating_sub(1);
    let wanted = pairs.min(available);
    let mut seen: HashSet<Coalition> = HashSet::new();
    let mut sides = Vec::with_capacity(wanted);
    // Collisions are rare unless n is small; the cap on rounds keeps a tiny n from drawing for long.
    for _ in 0..64 {
        if sides.len() == wanted {
            break;
        }
        for side in keep_half(n, wanted - sides.len(), rng) {
            let canonical = if side.contains(n - 1) {
                side.complement()
            } else {
                side
            };
            if !canonical.is_empty() && sides.len() < wanted && seen.insert(canonical.clone()) {
                sides.push(canonical);
            }
        }
    }
    sides
}

/// Shapley values and std errors of one output from the pair signs `z` (pairs x players) and differences `d`:
/// a linear fit, or one that may also use products of three of the players the linear fit found largest,
/// whichever cross-validates better.
fn fit_output(z: &DMatrix<f64>, d: &DVector<f64>) -> (Vec<f64>, Vec<f64>) {
    let (m, n) = z.shape();
    let max_terms = m.min(n + 3).min(MAX_TERMS);
    let (linear_terms, linear_error) = pursuit::choose_terms(z, d, max_terms);
    let linear = pursuit::pursue(z, d, linear_terms);
    let (products, candidates) = triples::candidates(z, &linear.dense(linear_terms, n));
    let mut x = z.clone().resize_horizontally(n + candidates.len(), 0.0);
    x.columns_mut(n, candidates.len()).copy_from(&products);
    let (cubic_terms, cubic_error) = pursuit::choose_terms(&x, d, max_terms);
    let (x, terms, candidates) = if cubic_error < linear_error {
        (x, cubic_terms, candidates)
    } else {
        (z.clone(), linear_terms, Vec::new())
    };
    let columns = x.ncols();
    let fit = pursuit::pursue(&x, d, terms);
    let coefficients = fit.dense(terms, columns);
    let values = triples::read_off(&coefficients, n, &candidates);
    let predicted = &x * DVector::from_column_slice(&coefficients);
    let kept = fit.chosen.len().min(terms);
    // The error of a coefficient no pursuit picked: the residual's noise over sqrt(m) (columns of +-1).
    let noise = if m > kept {
        ((d - predicted).norm_squared() / (m - kept) as f64).sqrt() / (m as f64).sqrt()
    } else {
        0.0
    };
    let spread = jackknife(m, |rows| {
        let part = pursuit::pursue(&x.select_rows(rows), &d.select_rows(rows), terms);
        DMatrix::from_column_slice(
            n,
            1,
            &triples::read_off(&part.dense(terms, columns), n, &candidates),
        )
    });
    let errors = (0..n)
        .map(|i| spread.as_ref().map_or(0.0, |s| s[(i, 0)]).max(noise))
        .collect();
    (values, errors)
}
