//! Model hyper-parameters and the checks the forward pass relies on. They are read from a
//! Hugging Face config.json (`hf_config`) or GGUF metadata (`gguf_config`).

use crate::arch::Architecture;
pub use crate::arch::RopeStyle;
use crate::error::{ModelError, Result};

/// Most cos (and sin) entries of the RoPE tables: context length x head_dim / 2. 2^26 is a 1M-token context at
/// head_dim 128 (256 MB per table), above every released model.
pub const MAX_ROPE_ENTRIES: usize = 1 << 26;

/// RoPE frequency scaling.
#[derive(Debug, Clone, PartialEq)]
pub enum RopeScaling {
    /// Positions divided by `factor`.
    Linear { factor: f64 },
    /// Llama 3.1 scaling (HF rope_type "llama3").
    Llama3 {
        factor: f64,
        low_freq_factor: f64,
        high_freq_factor: f64,
        original_max_position_embeddings: usize,
    },
    /// Per-frequency divisors (GGUF `rope_freqs.weight`), one per rotated pair.
    FreqFactors(Vec<f32>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub architecture: Architecture,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_layers: usize,
    pub num_heads: usize,
    pub num_kv_heads: usize,
    pub head_dim: usize,
    pub vocab_size: usize,
    pub rms_norm_eps: f64,
    pub rope_theta: f64,
    pub rope_scaling: Option<RopeScaling>,
    pub rope_style: RopeStyle,
    /// Maximum number of positions (the trained context).
    pub context_length: usize,
    pub tie_word_embeddings: bool,
    /// Q/K/V projections carry biases (Qwen2).
    pub attention_bias: bool,
    pub bos_token_id: Option<u32>,
    pub eos_token_ids: Vec<u32>,
    /// Attention window of a sliding-window model (Mistral, Phi-3, Qwen2 with
    /// use_sliding_window). whylm attends to every earlier slot, so it refuses sequences longer
    /// than the window instead of computing something else.
    pub sliding_window: Option<usize>,
}

impl Config {
    /// A small Llama configuration, handy for synthetic models and tests.
    #[allow(clippy::too_many_arguments)]
    pub fn tiny_llama(
        vocab_size: usize,
        hidden_size: usize,
        intermediate_size: usize,
        num_layers: usize,
        num_heads: usize,
        num_kv_heads: usize,
        context_length: usize,
    ) -> Self {
        Self {
            architecture: Architecture::Llama,
            hidden_size,
            intermediate_size,
            num_layers,
            num_heads,
            num_kv_heads,
            head_dim: hidden_size / num_heads.max(1),
            vocab_size,
            rms_norm_eps: 1e-5,
            rope_theta: 10000.0,
            rope_scaling: None,
            rope_style: RopeStyle::RotateHalf,
            context_length,
            tie_word_embeddings: false,
            attention_bias: false,
            bos_token_id: None,
            eos_token_ids: Vec::new(),
            sliding_window: None,
        }
    }

    pub fn q_dim(&self) -> usize {
        self.num_heads * self.head_dim
    }

    pub fn kv_dim(&self) -> usize {
        self.num_kv_heads * self.head_dim
    }

    /// Checks that a sequence needing `needed` positions fits the context and, for a
    /// sliding-window model, the window (inside it full attention is what the model computes).
    pub fn check_positions(&self, needed: usize) -> Result<()> {
        if needed > self.context_length {
            return Err(ModelError::ContextOverflow {
                needed,
                context: self.context_length,
            });
        }
        if let Some(window) = self.sliding_window {
            if needed > window {
                return Err(ModelError::SlidingWindow { needed, window });
            }
        }
        Ok(())
    }

    /// Checks the relations between the numbers that the forward pass relies on.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(ModelError::Config { message: m });
        if self.hidden_size == 0 || self.num_layers == 0 || self.vocab_size == 0 {
            return bad("hidden size, layer count and vocabulary size must be positive".into());
        }
        if self.num_heads == 0 || self.num_kv_heads == 0 || self.head_dim == 0 {
            return bad("head counts and head_dim must be positive".into());
        }
        if (self.num_heads / self.num_kv_heads) * self.num_kv_heads != self.num_heads {
            return bad(format!(
                "{} attention heads are not a multiple of {} key/value heads",
                self.num_heads, self.num_kv_heads
            ));
        }
        if self.head_dim & 1 == 1 {
            return bad(format!("head_dim {} must be even for RoPE", self.head_dim));
        }
        if self.context_length == 0 {
            return bad("context length must be positive".into());
        }
        // The RoPE tables hold cos and sin for every position of the context, built when the model loads: a
        // config that claims an absurd context must fail here, not in a multi-gigabyte allocation.
        let rope_entries = self.context_length.checked_mul(self.head_dim / 2);
        if rope_entries.is_none_or(|n| n > MAX_ROPE_ENTRIES) {
            return bad(format!(
                "context length {} with head_dim {} needs RoPE tables larger than the {MAX_ROPE_ENTRIES} entries \
                 whylm accepts; the config claims a context far beyond any real model's, fix its context length",
                self.context_length, self.head_dim
            ));
        }
        if let Some(RopeScaling::FreqFactors(f)) = &self.rope_scaling {
            if f.len() != self.head_dim / 2 {
                return bad(format!(
                    "rope_freqs has {} factors, expected head_dim/2 = {}",
                    f.len(),
                    self.head_dim / 2
                ));
            }
        }
        Ok(())
    }
}
