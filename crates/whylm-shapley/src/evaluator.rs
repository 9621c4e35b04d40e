//! The estimators' only way to the game: batches, deduplication, a cache, validation, counting
//! and progress reports.

use std::collections::{HashMap, HashSet};

use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::game::Game;

/// Progress of one explanation, reported after every completed batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Distinct evaluations done so far.
    pub done: usize,
    /// Evaluations the method plans to do at most (its budget).
    pub planned: usize,
}

/// Index of a cached row of T values.
pub(crate) type RowId = usize;

pub(crate) struct Evaluator<'a> {
    game: &'a mut dyn Game,
    n: usize,
    t: usize,
    batch_size: usize,
    planned: usize,
    progress: &'a mut dyn FnMut(Progress),
    cache: HashMap<Coalition, RowId>,
    rows: Vec<f64>,
    evaluations: usize,
    /// Rows `0..preloaded` came from [`Evaluator::preload`]; `reused` holds those asked for since.
    preloaded: usize,
    reused: HashSet<RowId>,
}

impl<'a> Evaluator<'a> {
    pub(crate) fn new(
        game: &'a mut dyn Game,
        batch_size: usize,
        planned: usize,
        progress: &'a mut dyn FnMut(Progress),
    ) -> Self {
        let (n, t) = (game.num_players(), game.num_outputs());
        Evaluator {
            game,
            n,
            t,
            batch_size: batch_size.max(1),
            planned,
            progress,
            cache: HashMap::new(),
            rows: Vec::new(),
            evaluations: 0,
            preloaded: 0,
            reused: HashSet::new(),
        }
    }

    pub(crate) fn num_players(&self) -> usize {
        self.n
    }

    pub(crate) fn num_outputs(&self) -> usize {
        self.t
    }

    pub(crate) fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Distinct evaluations so far.
    pub(crate) fn evaluations(&self) -> usize {
        self.evaluations
    }

    pub(crate) fn is_cached(&self, c: &Coalition) -> bool {
        self.cache.contains_key(c)
    }

    /// The T values of a cached row.
    pub(crate) fn row(&self, id: RowId) -> &[f64] {
        &self.rows[id * self.t..(id + 1) * self.t]
    }

    /// How many of `coalitions` would cost a new evaluation, given that `pending` will be evaluated too.
    pub(crate) fn new_cost(&self, coalitions: &[Coalition], pending: &HashSet<Coalition>) -> usize {
        let mut seen: HashSet<&Coalition> = HashSet::new();
        coalitions
            .iter()
            .filter(|c| !self.cache.contains_key(*c) && !pending.contains(*c) && seen.insert(*c))
            .count()
    }

    /// Puts values already known into the cache without counting them as evaluations: a later `rows_of` gets
    /// them for free. Values of the wrong length are skipped.
    pub(crate) fn preload(&mut self, known: &crate::recorded::KnownValues) {
        for (c, values) in known.iter() {
            if values.len() != self.t || c.num_players() != self.n || self.cache.contains_key(c) {
                continue;
            }
            let id = self.cache.len();
            self.rows.extend_from_slice(values);
            self.cache.insert(c.clone(), id);
        }
        self.preloaded = self.cache.len();
    }

    /// Distinct preloaded coalitions that `rows_of` has handed out.
    pub(crate) fn reused(&self) -> usize {
        self.reused.len()
    }

    /// Coalitions in the cache (evaluated or preloaded).
    pub(crate) fn cached(&self) -> usize {
        self.cache.len()
    }

    /// Rows of `coalitions` (in order), evaluating the ones not cached yet in batches.
    pub(crate) fn rows_of(&mut self, coalitions: &[Coalition]) -> Result<Vec<RowId>, ShapleyError> {
        let mut missing: Vec<Coalition> = Vec::new();
        let mut seen: HashSet<&Coalition> = HashSet::new();
        for c in coalitions {
            if !self.cache.contains_key(c) && seen.insert(c) {
                missing.push(c.clone());
            }
        }
        for chunk in missing.chunks(self.batch_size) {
            let values = self.evaluate_checked(chunk)?;
            for (k, c) in chunk.iter().enumerate() {
                // Ids are sequential: the k-th distinct coalition owns rows[k*T..(k+1)*T].
                let id = self.cache.len();
                self.rows.extend_from_slice(&values[k * self.t..(k + 1) * self.t]);
                self.cache.insert(c.clone(), id);
            }
        }
        let ids: Vec<RowId> = coalitions.iter().map(|c| self.cache[c]).collect();
        self.reused.extend(ids.iter().filter(|&&id| id < self.preloaded));
        Ok(ids)
    }

    /// Values of `coalitions` without caching them (the exact method: every coalition once).
    pub(crate) fn evaluate_uncached(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, ShapleyError> {
        let mut out = Vec::with_capacity(coalitions.len() * self.t);
        for chunk in coalitions.chunks(self.batch_size) {
            out.extend(self.evaluate_checked(chunk)?);
        }
        Ok(out)
    }

    fn evaluate_checked(&mut self, batch: &[Coalition]) -> Result<Vec<f64>, ShapleyError> {
        let values = self.game.evaluate(batch)?;
        let expected = batch.len() * self.t;
        if values.len() != expected {
            return Err(ShapleyError::WrongOutputLength {
                got: values.len(),
                expected,
                coalitions: batch.len(),
                outputs: self.t,
            });
        }
        if let Some(pos) = values.iter().position(|v| !v.is_finite()) {
            return Err(ShapleyError::NonFinite {
                coalition: batch[pos / self.t].to_string(),
                output: pos % self.t,
                value: values[pos],
            });
        }
        self.evaluations += batch.len();
        (self.progress)(Progress {
            done: self.evaluations,
            planned: self.planned,
        });
        Ok(values)
    }
}
