//! Drawing and evaluating the paired sample: the step kernel, msr and gp share.

use rand_chacha::ChaCha8Rng;

use super::sample::PairSample;
use crate::error::ShapleyError;
use crate::estimators::budget::all_coalitions;
use crate::estimators::estimate::{ends, zeros, Estimate};
use crate::evaluator::{Evaluator, RowId};

/// The fewest evaluations of a paired method: v(empty), v(full) and one pair. A complementary pair
/// gives one direction in the (n - 1)-dimensional space of efficient solutions, so below 2n the
/// regression is underdetermined; its pseudo-inverse then gives the efficient solution nearest the
/// even split along the directions no pair measured (the best estimate such a budget allows), and
/// the jackknife's spread shows how much the sampled directions move.
pub(crate) fn minimum_budget(_n: usize) -> usize {
    4
}

/// Evaluations left for interior coalitions once v(empty) and v(full) are known.
fn interior_budget(ev: &Evaluator, budget: usize) -> usize {
    budget
        .saturating_sub(ev.evaluations())
        .min(all_coalitions(ev.num_players()) - 2)
}

/// What the paired-sampling estimators (kernel, msr and gp) start from: the game's ends, a paired
/// sample drawn within the budget, and the evaluated rows of its coalitions.
pub(crate) struct PairedDraw {
    pub base: Vec<f64>,
    pub full: Vec<f64>,
    /// v(N) - v(empty), per output.
    pub delta: Vec<f64>,
    pub sample: PairSample,
    pub rows: Vec<RowId>,
}

impl PairedDraw {
    /// (base, full, delta, sample, rows).
    pub(crate) fn into_parts(self) -> (Vec<f64>, Vec<f64>, Vec<f64>, PairSample, Vec<RowId>) {
        (self.base, self.full, self.delta, self.sample, self.rows)
    }
}

/// Draws and evaluates the paired sample and hands it to `estimate` (kernel, msr and gp differ
/// only in what they make of it); with one player the answer is already known.
pub(crate) fn on_paired_draw(
    ev: &mut Evaluator,
    budget: usize,
    rng: &mut ChaCha8Rng,
    estimate: impl FnOnce(&mut Evaluator, PairedDraw, &mut ChaCha8Rng) -> Estimate,
) -> Result<Estimate, ShapleyError> {
    Ok(match draw_paired(ev, budget, rng)? {
        Ok(draw) => estimate(ev, draw, rng),
        Err(trivial) => trivial,
    })
}

/// Draws and evaluates the paired sample; with one player the answer is already known and is
/// returned as `Err(estimate)`.
fn draw_paired(
    ev: &mut Evaluator,
    budget: usize,
    rng: &mut ChaCha8Rng,
) -> Result<Result<PairedDraw, Estimate>, ShapleyError> {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let (base_id, full_id) = ends(ev)?;
    let base = ev.row(base_id).to_vec();
    let full = ev.row(full_id).to_vec();
    let delta: Vec<f64> = full.iter().zip(&base).map(|(f, b)| f - b).collect();
    if n == 1 {
        return Ok(Err(Estimate {
            phi: vec![delta],
            std_err: Some(zeros(1, t)),
            base,
            full,
        }));
    }
    let sample = PairSample::draw(n, interior_budget(ev, budget), rng);
    let rows = ev.rows_of(&sample.coalitions)?;
    Ok(Ok(PairedDraw {
        base,
        full,
        delta,
        sample,
        rows,
    }))
}
