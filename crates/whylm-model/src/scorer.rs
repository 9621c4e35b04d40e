//! Scoring state, apart from the weights: the memory budget that sizes batches, whether rows
//! share their common prefix, and the cached prefix itself.

use crate::config::Config;
use crate::prefix::PrefixCache;

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
    /// prefix is held while they run, so it is taken off the budget first.
    pub fn batch_size_after(&self, c: &Config, past: usize, seq: usize, targets: usize) -> usize {
        let budget = self.memory_budget.saturating_sub(prefix_memory_estimate(c, past));
        (budget / row_memory_estimate_after(c, past, seq, targets).max(1)).max(1)
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
