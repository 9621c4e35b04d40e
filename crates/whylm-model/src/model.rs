//! The public model: the network's weights ([`crate::llama`]) with the scoring state
//! ([`crate::scorer`]: memory budget, prefix sharing and its cache). Every method delegates to
//! one of the two.

use std::collections::BTreeMap;

use candle_core::{Device, Tensor};

use crate::attention_maps::AttentionMaps;
use crate::config::Config;
use crate::dtype::{DtypeChoice, WeightDtype};
use crate::dtype_plan::Plan;
use crate::error::Result;
use crate::forward::{ForwardOptions, Prepared};
use crate::llama::Llama;
use crate::names::Naming;
use crate::scorer::{prefix_memory_estimate, row_memory_estimate_after, Scorer};
use crate::stats::WeightStats;
use crate::weights::WeightSource;
use whylm_backend::{GenerateSettings, Generation, MaskedRow, ScoreKind};

/// A loaded Llama-family model.
#[derive(Debug, Clone)]
pub struct Model {
    llama: Llama,
    scorer: Scorer,
    dtype: DtypeChoice,
}

impl Model {
    /// Builds a model from a checkpoint's tensors, its matrices stored as the plan says, with the
    /// plan's scoring batch budget.
    pub(crate) fn build(
        config: Config,
        src: &mut dyn WeightSource,
        naming: Naming,
        plan: Plan,
        device: &Device,
    ) -> Result<Self> {
        let llama = Llama::load(config, src, naming, plan.choice.chosen, device)?;
        let dtype = DtypeChoice {
            weight_bytes: llama.stats.bytes,
            ..plan.choice
        };
        let mut model = Self {
            llama,
            scorer: Scorer::default(),
            dtype,
        };
        model.set_memory_budget(plan.batch_budget);
        Ok(model)
    }

    /// Builds a model whose weights come from a `VarBuilder` with Hugging Face tensor names.
    /// With a `VarBuilder::from_varmap`, missing tensors are created (norms = 1, matrices
    /// ~ N(0, 0.02)), so this is also how a fresh model for training is made.
    pub fn from_var_builder(config: &Config, vb: candle_nn::VarBuilder) -> Result<Self> {
        let device = vb.device().clone();
        let mut src = crate::sources::VarBuilderSource { vb };
        // native keeps the VarBuilder's f32 tensors themselves, so autograd reaches them
        let plan = Plan {
            choice: DtypeChoice {
                requested: WeightDtype::Native,
                chosen: WeightDtype::Native,
                reason: "the VarBuilder's own tensors".into(),
                weight_bytes: 0,
                max_memory: None,
            },
            batch_budget: crate::scorer::DEFAULT_MEMORY_BUDGET,
        };
        Self::build(config.clone(), &mut src, Naming::HuggingFace, plan, &device)
    }

    pub fn config(&self) -> &Config {
        &self.llama.config
    }

    pub fn device(&self) -> &Device {
        &self.llama.device
    }

    pub fn weight_stats(&self) -> &WeightStats {
        &self.llama.stats
    }

    /// How the weight matrices are stored, and why.
    pub fn dtype_choice(&self) -> &DtypeChoice {
        &self.dtype
    }

    pub fn memory_budget(&self) -> usize {
        self.scorer.memory_budget
    }

    /// Bytes that one scoring batch may use for activations and attention scores; the batch
    /// size of [`Model::score_rows`] follows from it.
    pub fn set_memory_budget(&mut self, bytes: usize) {
        self.scorer.memory_budget = bytes.max(1);
    }

    /// Whether [`Model::score_rows`] computes the leading tokens that all rows of a batch share
    /// (same ids, visible, same positions) once and reuses their keys/values (on by default).
    pub fn prefix_sharing(&self) -> bool {
        self.scorer.prefix_sharing
    }

    /// Turns prefix sharing on or off (off: every row runs its whole length, for comparison).
    pub fn set_prefix_sharing(&mut self, on: bool) {
        self.scorer.set_prefix_sharing(on);
    }

    /// Drops the cached prefix keys/values (they are also replaced when another prefix comes).
    pub fn clear_prefix_cache(&self) {
        self.scorer.prefix_cache.clear();
    }

    /// Bytes of activations and attention scores one row of `seq` slots with `targets` scored
    /// positions needs at the peak of a layer (no autograd, so layers do not accumulate).
    pub fn row_memory_estimate(&self, seq: usize, targets: usize) -> usize {
        self.row_memory_estimate_after(0, seq, targets)
    }

    /// [`Model::row_memory_estimate`] for a row whose `seq` slots follow `past` shared slots
    /// (prefix sharing): attention spans past + seq keys, and the shared keys/values are
    /// broadcast into each row.
    pub fn row_memory_estimate_after(&self, past: usize, seq: usize, targets: usize) -> usize {
        row_memory_estimate_after(self.config(), past, seq, targets)
    }

    /// Rows per forward pass for rows of `seq` slots, from the memory budget.
    pub fn batch_size_for(&self, seq: usize, targets: usize) -> usize {
        self.batch_size_after(0, seq, targets)
    }

    /// Rows per forward pass for rows of `seq` slots after `past` shared slots; the cached
    /// prefix is held while they run, so it is taken off the budget first.
    pub fn batch_size_after(&self, past: usize, seq: usize, targets: usize) -> usize {
        self.scorer.batch_size_after(self.config(), past, seq, targets)
    }

    /// Bytes of a cached shared prefix of `len` slots: every layer's keys and values and the
    /// final hidden states.
    pub fn prefix_memory_estimate(&self, len: usize) -> usize {
        prefix_memory_estimate(self.config(), len)
    }

    /// Scores `target_ids` after every row: `result[r][t]` is the score of target t given row r
    /// and target tokens < t. Rows may differ in length; hidden slots cost nothing (they are
    /// dropped before the forward).
    pub fn score_rows(
        &self,
        rows: &[MaskedRow],
        target_ids: &[u32],
        kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>> {
        self.scorer.score_rows(&self.llama, rows, target_ids, kind)
    }

    /// Generates up to `max_new_tokens` after `prompt`; `on_token` sees each new token.
    pub fn generate(
        &self,
        prompt: &[u32],
        settings: &GenerateSettings,
        on_token: &mut dyn FnMut(u32),
    ) -> Result<Generation> {
        crate::generate::generate(&self.llama, prompt, settings, on_token)
    }

    /// Logits at every slot of the rows (equal lengths), shape (b, s, vocab). Meant for
    /// generation and tests; scoring should use [`Model::score_rows`].
    pub fn forward_rows(&self, rows: &[MaskedRow]) -> Result<Tensor> {
        let p = Prepared::rows(rows, 0, self.config(), self.device())?;
        let h = self.llama.forward(&p, ForwardOptions::default())?.hidden;
        Ok(self
            .llama
            .head(&h, false)?
            .reshape((p.batch, p.seq, self.config().vocab_size))?)
    }

    /// Logits for one unmasked sequence, shape (len, vocab).
    pub fn forward_ids(&self, ids: &[u32]) -> Result<Tensor> {
        Ok(self.forward_rows(&[MaskedRow::full(ids)])?.squeeze(0)?)
    }

    /// Logits at the last position of an unmasked sequence.
    pub fn last_logits(&self, ids: &[u32]) -> Result<Vec<f32>> {
        let logits = self.forward_ids(ids)?;
        let n = logits.dim(0)?;
        Ok(logits.get(n - 1)?.to_vec1::<f32>()?)
    }

    /// Differentiable forward over token ids (b, L) (u32), returning logits (b, L, vocab).
    /// Uses only ops with a backward pass, for training with candle autograd.
    pub fn forward_train(&self, ids: &Tensor) -> Result<Tensor> {
        let p = Prepared::causal(ids, self.config())?;
        let options = ForwardOptions {
            autograd: true,
            ..ForwardOptions::default()
        };
        let h = self.llama.forward(&p, options)?.hidden;
        Ok(self
            .llama
            .head(&h, true)?
            .reshape((p.batch, p.seq, self.config().vocab_size))?)
    }

    /// Attention probabilities of one unmasked sequence: `data[((layer * heads + head) * n + q) * n + k]`.
    pub fn attention_probs(&self, ids: &[u32]) -> Result<AttentionMaps> {
        let p = Prepared::rows(&[MaskedRow::full(ids)], 0, self.config(), self.device())?;
        let options = ForwardOptions {
            capture_attention: true,
            ..ForwardOptions::default()
        };
        let mut data = Vec::new();
        for t in &self.llama.forward(&p, options)?.attention {
            data.extend(t.flatten_all()?.to_vec1::<f32>()?);
        }
        Ok(AttentionMaps {
            layers: self.config().num_layers,
            heads: self.config().num_heads,
            len: ids.len(),
            data,
        })
    }

    /// All weights as f32 tensors with Hugging Face names and layout (quantized ones
    /// dequantized; Q/K rows of an interleaved-RoPE model permuted to rotate-half), for export.
    pub fn hf_tensors(&self) -> Result<BTreeMap<String, Tensor>> {
        self.llama.hf_tensors()
    }
}
