//! Masked, batched teacher-forced scoring and its state, apart from the weights: the memory
//! budget that sizes batches, whether rows share their common prefix, and the cached prefix.
//! The target is appended after each row and only the T positions that predict target tokens
//! go through the output head; only T numbers per row leave the device.

use candle_core::Tensor;

use crate::batch_plan::{plan_batches, CostModel};
use crate::config::Config;
use crate::error::{ModelError, Result};
use crate::forward::{ForwardOptions, Prepared};
use crate::llama::Llama;
use crate::prefix::{shared_prefix_len, PrefixCache};
use crate::score::{scores_from_logits, visible_slots, BatchLayout};
use whylm_backend::{MaskedRow, ScoreKind};

/// Default memory budget for one scoring batch (activations + attention), in bytes.
pub const DEFAULT_MEMORY_BUDGET: usize = 1 << 30;

/// How [`crate::Model::score_rows`] batches and what it reuses between calls. Clones share
/// the cached prefix (they score with the same weights).
#[derive(Debug, Clone)]
pub(crate) struct Scorer {
    pub memory_budget: usize,
    /// Score rows that share leading tokens by computing those tokens' keys/values once.
    pub prefix_sharing: bool,
    /// The shared prefix of the latest scoring batches.
    pub prefix_cache: PrefixCache,
}

impl Default for Scorer {
    fn default() -> Self {
        Self {
            memory_budget: DEFAULT_MEMORY_BUDGET,
            prefix_sharing: true,
            prefix_cache: PrefixCache::default(),
        }
    }
}

impl Scorer {
    pub fn set_prefix_sharing(&mut self, on: bool) {
        self.prefix_sharing = on;
        if !on {
            self.prefix_cache.clear();
        }
    }

    /// Rows per forward pass for rows of `seq` slots after `past` shared slots; the cached
    /// prefix is held while they run (twice: its complete blocks and the whole prefix, see
    /// prefix.rs), so it is taken off the budget first.
    pub fn batch_size_after(&self, c: &Config, past: usize, seq: usize, targets: usize) -> usize {
        let budget = self
            .memory_budget
            .saturating_sub(2 * prefix_memory_estimate(c, past));
        (budget / row_memory_estimate_after(c, past, seq, targets).max(1)).max(1)
    }
}

impl Scorer {
    /// Scores `target_ids` after every row: `result[r][t]` is the score of target t given row r
    /// and target tokens < t. Rows may differ in length; hidden slots cost nothing (they are
    /// dropped before the forward).
    pub fn score_rows(
        &self,
        llama: &Llama,
        rows: &[MaskedRow],
        target_ids: &[u32],
        kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>> {
        let t = target_ids.len();
        if t == 0 {
            return Err(ModelError::InvalidInput(
                "the target is empty; give at least one target token".into(),
            ));
        }
        if let ScoreKind::Contrast(alt) = kind {
            if alt.len() != t {
                return Err(ModelError::InvalidInput(format!(
                    "contrast needs one alternative per target token: {} alternatives for {t} targets",
                    alt.len()
                )));
            }
        }
        let vocab = llama.config.vocab_size as u32;
        let extra: &[u32] = match kind {
            ScoreKind::Contrast(alt) => alt,
            _ => &[],
        };
        if let Some(bad) = target_ids.iter().chain(extra).find(|id| **id >= vocab) {
            return Err(ModelError::InvalidInput(format!(
                "target token id {bad} is outside the vocabulary of {vocab}"
            )));
        }
        // Hidden slots are never attended and never predict, so dropping them changes no
        // score.
        let compact = rows
            .iter()
            .enumerate()
            .map(|(r, row)| visible_slots(r, row))
            .collect::<Result<Vec<_>>>()?;
        let mut out = vec![Vec::new(); rows.len()];
        for batch in self.batches(llama, &compact, t) {
            let rows: Vec<MaskedRow> = batch.iter().map(|&r| compact[r].clone()).collect();
            for (&r, scores) in batch
                .iter()
                .zip(self.score_batch(llama, &rows, target_ids, kind)?)
            {
                out[r] = scores;
            }
        }
        Ok(out)
    }

    /// The batches (indices into `rows`) for `targets` target slots: with prefix sharing, runs of rows that share
    /// leading slots (batch_plan.rs); without it, rows shortest first (little padding) in batches that fill the
    /// memory budget.
    fn batches(&self, llama: &Llama, rows: &[MaskedRow], targets: usize) -> Vec<Vec<usize>> {
        let config = &llama.config;
        if self.prefix_sharing {
            let max_rows =
                |shared: usize, seq: usize| self.batch_size_after(config, shared, seq - shared, targets);
            return plan_batches(rows, targets, &CostModel::new(config), max_rows);
        }
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&r| rows[r].len());
        let width = rows.iter().map(MaskedRow::len).max().unwrap_or(0);
        let per_batch = self.batch_size_after(config, 0, width + targets, targets);
        order.chunks(per_batch).map(<[usize]>::to_vec).collect()
    }

    /// Scores rows of visible slots (lengths may differ); the rows' common prefix runs once
    /// (from the cache when it holds it).
    fn score_batch(
        &self,
        llama: &Llama,
        rows: &[MaskedRow],
        target: &[u32],
        kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>> {
        let shared = if self.prefix_sharing {
            shared_prefix_len(rows)
        } else {
            0
        };
        let layout = BatchLayout::new(llama, rows, target, shared)?;
        let (config, device) = (&llama.config, &llama.device);
        let hidden = if shared > 0 {
            let first = &rows[0];
            let prefix = self.prefix_cache.shared_prefix(
                llama,
                &first.token_ids[..shared],
                &first.position_ids[..shared],
            )?;
            let prepared = Prepared::rows(&layout.suffixes, shared, config, device)?;
            let options = ForwardOptions {
                past: Some(&prefix.kv),
                ..ForwardOptions::default()
            };
            let suffix_hidden = llama.forward(&prepared, options)?.hidden;
            Tensor::cat(&[&prefix.hidden, &suffix_hidden], 0)?
        } else {
            let prepared = Prepared::rows(&layout.suffixes, 0, config, device)?;
            llama.forward(&prepared, ForwardOptions::default())?.hidden
        };
        let idx = Tensor::from_vec(layout.predictors, rows.len() * target.len(), device)?;
        let logits = llama.head(&hidden.index_select(&idx, 0)?, false)?;
        let flat = scores_from_logits(&logits, rows.len(), target, kind)?;
        Ok(flat.chunks(target.len()).map(<[f32]>::to_vec).collect())
    }
}

/// Bytes of activations and attention scores one row of `seq` slots after `past` shared slots
/// with `targets` scored positions needs at the peak of a layer (no autograd, so layers do not
/// accumulate). With a shared prefix, attention spans past + seq keys, and the shared
/// keys/values are broadcast into each row.
pub(crate) fn row_memory_estimate_after(c: &Config, past: usize, seq: usize, targets: usize) -> usize {
    let keys = past + seq;
    // Live at once within a layer: the residual stream, its norm, q/k/v and their
    // transposed + rotated copies, the attention output, gate/up/activation.
    let per_slot = 6 * c.hidden_size + 2 * c.q_dim() + 2 * c.kv_dim() + 3 * c.intermediate_size;
    // Scores, masked scores and probabilities (one head set each) plus the additive mask.
    let attention = 3 * c.num_heads * seq * keys + seq * keys;
    // Keys and values of this layer over every key slot; with a shared prefix the
    // broadcast copy and the concatenation live at once.
    let kv = if past > 0 { 4 } else { 2 } * c.kv_dim() * keys;
    // Logits of the scored positions and the temporaries of log-softmax over them.
    let head = 4 * targets * c.vocab_size;
    4 * (seq * per_slot + attention + kv + head)
}

/// Bytes of a cached shared prefix of `len` slots: every layer's keys and values and the
/// final hidden states.
pub(crate) fn prefix_memory_estimate(c: &Config, len: usize) -> usize {
    4 * len * (2 * c.num_layers * c.kv_dim() + c.hidden_size)
}
