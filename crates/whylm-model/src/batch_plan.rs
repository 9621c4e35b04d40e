//! Which rows of one scoring call run together (issue 19: a bigger batch must never be slower per evaluation than
//! a smaller one).
//!
//! Ablations of a long prompt share leading slots with the rows nearest them in lexicographic order (the same
//! choices for the first units), but a batch shares only the slots common to all its rows and pads every row to its
//! longest one. On long rows a big batch therefore computed more slots than the rows one by one, each after the
//! cached blocks of the row before it (prefix.rs), and was slower per evaluation. So the rows are sorted
//! lexicographically and cut into runs of neighbours: a row joins the run before it only when one pass over the
//! joined run is estimated to cost no more than the run and the row apart. Short rows (where a forward pass's fixed
//! cost dominates) still batch; long rows with little in common run alone, after their neighbour's blocks.
//!
//! The plan changes only which rows share a pass, never a score's bits (the determinism tests check it).

use std::cmp::Ordering;

use crate::config::Config;
use crate::prefix::BLOCK;
use whylm_backend::MaskedRow;

/// The fixed cost of one forward pass (launching every layer's ops and reading every weight once), in slots of
/// work: measured on stories260K at about 2 slots, estimated at 4 for weights streamed from memory; 16 keeps the
/// batching of short rows, where it saves most, and stays small next to the ~100 slots a long row may save.
const PASS_COST: f64 = 16.0;

/// The work of one forward pass as the plan counts it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CostModel {
    /// Attention work per key relative to the rest of a slot's work (projections and MLP).
    per_key: f64,
}

impl CostModel {
    pub fn new(c: &Config) -> Self {
        let (h, q, kv) = (c.hidden_size as f64, c.q_dim() as f64, c.kv_dim() as f64);
        let per_slot = h * (2.0 * q + 2.0 * kv) + 3.0 * h * c.intermediate_size as f64;
        // q·k and p·v (one multiply-add each per head dimension) and an exponential (~10 multiply-adds) per head
        let per_key = (2.0 * q + 10.0 * c.num_heads as f64) / per_slot.max(1.0);
        Self { per_key }
    }

    /// Work of slots `start..end` when each attends to every slot before it.
    fn slots(&self, start: usize, end: usize) -> f64 {
        if end <= start {
            return 0.0;
        }
        let n = (end - start) as f64;
        n + self.per_key * n * (start + end - 1) as f64 / 2.0
    }
}

/// A run of consecutive sorted rows scored in one batch.
#[derive(Debug, Clone)]
struct Run {
    /// Indices into the sorted order.
    first: usize,
    len: usize,
    /// Slots shared by every row of the run.
    shared: usize,
    /// The longest row.
    width: usize,
    /// Complete blocks of the run's shared prefix found in the prefix cache (left by the run before it).
    reused: usize,
}

/// Leading slots two rows share (same id at the same position).
pub(crate) fn common_len(a: &MaskedRow, b: &MaskedRow) -> usize {
    a.token_ids
        .iter()
        .zip(&a.position_ids)
        .zip(b.token_ids.iter().zip(&b.position_ids))
        .take_while(|(x, y)| x == y)
        .count()
}

/// Lexicographic order of rows by (id, position) slot by slot: rows sharing leading slots become neighbours.
fn lexicographic(a: &MaskedRow, b: &MaskedRow) -> Ordering {
    let slots = |r: &MaskedRow| {
        r.token_ids
            .iter()
            .zip(&r.position_ids)
            .map(|(&id, &pos)| (id, pos))
            .collect::<Vec<_>>()
    };
    slots(a).cmp(&slots(b))
}

/// The batches (indices into `rows`, visible slots only) for `targets` target slots: consecutive runs of the
/// lexicographic order, each at most `max_rows(shared, width)` rows, cut where a row is cheaper on its own.
pub(crate) fn plan_batches(
    rows: &[MaskedRow],
    targets: usize,
    cost: &CostModel,
    max_rows: impl Fn(usize, usize) -> usize,
) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| lexicographic(&rows[a], &rows[b]));
    // common[i]: slots sorted row i shares with sorted row i - 1
    let common: Vec<usize> = (0..order.len())
        .map(|i| match i {
            0 => 0,
            _ => common_len(&rows[order[i - 1]], &rows[order[i]]),
        })
        .collect();
    let run_cost = |run: &Run| -> f64 {
        let prefix = cost.slots(run.reused, run.shared);
        let prefix_passes = (run.shared - run.reused).div_ceil(BLOCK) as f64;
        let suffix = run.len as f64 * cost.slots(run.shared, run.width + targets);
        prefix + suffix + PASS_COST * (prefix_passes + 1.0)
    };
    let alone = |i: usize, reused: usize| Run {
        first: i,
        len: 1,
        shared: rows[order[i]].len(),
        width: rows[order[i]].len(),
        reused,
    };
    let mut runs: Vec<Run> = Vec::new();
    let mut run = alone(0, 0);
    for i in 1..order.len() {
        let width = run.width.max(rows[order[i]].len());
        let mut joined = Run {
            len: run.len + 1,
            shared: run.shared.min(common[i]),
            width,
            ..run.clone()
        };
        joined.reused = joined.reused.min(joined.shared / BLOCK * BLOCK);
        // after `run`, the cache holds the complete blocks of its shared prefix
        let after_run = (common[i].min(run.shared) / BLOCK) * BLOCK;
        let fits = joined.len <= max_rows(joined.shared, joined.width + targets);
        if fits && run_cost(&joined) <= run_cost(&run) + run_cost(&alone(i, after_run)) {
            run = joined;
        } else {
            runs.push(run);
            run = alone(i, after_run);
        }
    }
    if !order.is_empty() {
        runs.push(run);
    }
    runs.iter()
        .map(|r| order[r.first..r.first + r.len].to_vec())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use whylm_backend::{masked_row, Masker};

    fn stories_like() -> CostModel {
        // stories260K: hidden 64, 8 heads of 8, 4 key/value heads, MLP 172
        let per_slot = 64.0 * (2.0 * 64.0 + 2.0 * 32.0) + 3.0 * 64.0 * 172.0;
        CostModel {
            per_key: (2.0 * 64.0 + 80.0) / per_slot,
        }
    }

    /// keep-1/2 ablations of `units` units of `unit` tokens after BOS
    fn ablations(units: usize, unit: usize, n: usize) -> Vec<MaskedRow> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(units as u64);
        let ids: Vec<u32> = (0..units * unit + 1).map(|i| i as u32 + 1).collect();
        (0..n)
            .map(|_| {
                let kept: Vec<bool> = (0..units).map(|_| rng.random_bool(0.5)).collect();
                let keep: Vec<bool> = (0..ids.len()).map(|i| i == 0 || kept[(i - 1) / unit]).collect();
                masked_row(&ids, &keep, &Masker::Delete)
            })
            .collect()
    }

    fn planned(rows: &[MaskedRow], cap: usize) -> Vec<Vec<usize>> {
        let plan = plan_batches(rows, 8, &stories_like(), |_, _| cap);
        let mut seen: Vec<usize> = plan.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(
            seen,
            (0..rows.len()).collect::<Vec<_>>(),
            "every row exactly once"
        );
        assert!(plan.iter().all(|b| !b.is_empty() && b.len() <= cap));
        plan
    }

    #[test]
    fn short_rows_share_few_passes_and_long_rows_are_split_where_they_differ() {
        let short = planned(&ablations(8, 4, 40), 64);
        // split at most where a unit near the start is kept in some rows and not in others
        assert!(short.len() <= 4, "40 short rows: {short:?}");
        let long = planned(&ablations(19, 18, 64), 64);
        // one padded batch would recompute every slot after BOS for every row
        assert!(long.len() > 1, "64 rows of ~170 slots in one padded batch");
    }

    #[test]
    fn a_batch_is_a_run_of_lexicographic_neighbours_within_the_row_cap() {
        let rows = ablations(8, 4, 40);
        let plan = planned(&rows, 7);
        for batch in &plan {
            for pair in batch.windows(2) {
                assert_ne!(lexicographic(&rows[pair[0]], &rows[pair[1]]), Ordering::Greater);
            }
        }
        assert_eq!(plan.len(), 40usize.div_ceil(7));
    }
}
