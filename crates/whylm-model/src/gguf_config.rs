//! Reading a model's hyper-parameters from GGUF metadata (`general.architecture` and the
//! `<arch>.*` keys). Keys that change the computation in ways whylm does not implement are
//! refused with an error naming the key.

use std::collections::HashMap;

use candle_core::quantized::gguf_file::Value;

use crate::arch::{Architecture, SlidingWindowRule};
use crate::config::{Config, RopeScaling};
use crate::error::{ModelError, Result};

/// The `<arch>.*` keys of one file.
struct ArchKeys<'a> {
    meta: &'a HashMap<String, Value>,
    arch: &'a str,
}

impl ArchKeys<'_> {
    fn key(&self, k: &str) -> String {
        format!("{}.{k}", self.arch)
    }

    fn usize(&self, k: &str) -> Option<usize> {
        self.meta.get(&self.key(k)).and_then(gguf_usize)
    }

    fn f64(&self, k: &str) -> Option<f64> {
        self.meta.get(&self.key(k)).and_then(gguf_f64)
    }

    fn string(&self, k: &str) -> Option<&str> {
        self.meta
            .get(&self.key(k))
            .and_then(|v| v.to_string().ok())
            .map(String::as_str)
    }

    fn need_usize(&self, k: &str) -> Result<usize> {
        self.usize(k).ok_or_else(|| missing(&self.key(k)))
    }

    fn unsupported(&self, k: &str, value: impl std::fmt::Display, supported: &str) -> ModelError {
        ModelError::UnsupportedField {
            field: self.key(k),
            source_desc: "the GGUF header".into(),
            value: value.to_string(),
            supported: supported.to_string(),
        }
    }

    /// Refuses mixture-of-experts files, logit soft-capping and partial rotary embeddings.
    fn refuse_unimplemented(&self, head_dim: usize) -> Result<()> {
        if let Some(n) = self.usize("expert_count").filter(|n| *n > 0) {
            return Err(self.unsupported("expert_count", n, "0 (dense feed-forward layers)"));
        }
        for k in ["final_logit_softcapping", "attn_logit_softcapping"] {
            if let Some(cap) = self.f64(k).filter(|c| *c != 0.0) {
                return Err(self.unsupported(k, cap, "no soft-capping"));
            }
        }
        if let Some(n) = self.usize("rope.dimension_count").filter(|n| *n != head_dim) {
            return Err(self.unsupported(
                "rope.dimension_count",
                n,
                &format!("the head dimension {head_dim} (RoPE over the whole head)"),
            ));
        }
        Ok(())
    }

    fn rope_scaling(&self, rope_freqs: Option<Vec<f32>>) -> Result<Option<RopeScaling>> {
        if let Some(f) = rope_freqs {
            return Ok(Some(RopeScaling::FreqFactors(f)));
        }
        match self.string("rope.scaling.type") {
            Some("linear") => Ok(self
                .f64("rope.scaling.factor")
                .map(|factor| RopeScaling::Linear { factor })),
            Some("none") | None => Ok(None),
            Some(other) => Err(self.unsupported("rope.scaling.type", other, "none, linear, rope_freqs")),
        }
    }
}

fn missing(key: &str) -> ModelError {
    ModelError::MissingMetadata {
        key: key.to_string(),
        source_desc: "the GGUF header".into(),
    }
}

impl Config {
    /// Reads GGUF metadata (`general.architecture` and `<arch>.*` keys). `rope_freqs` comes from
    /// the tensor of that name, which the caller passes when the file has it.
    pub fn from_gguf_metadata(
        meta: &HashMap<String, Value>,
        vocab_from_tensor: Option<usize>,
        rope_freqs: Option<Vec<f32>>,
    ) -> Result<Self> {
        let arch_name = meta
            .get("general.architecture")
            .and_then(|v| v.to_string().ok())
            .ok_or_else(|| missing("general.architecture"))?;
        let architecture = Architecture::parse(arch_name)?;
        let keys = ArchKeys {
            meta,
            arch: arch_name,
        };
        let hidden_size = keys.need_usize("embedding_length")?;
        let num_heads = keys.need_usize("attention.head_count")?;
        // As llama.cpp reads it: the rotated dimensions default to the head dimension, and
        // fewer of them is partial rotary embedding.
        let head_dim = keys
            .usize("attention.key_length")
            .unwrap_or(hidden_size / num_heads.max(1));
        keys.refuse_unimplemented(head_dim)?;
        let vocab_size = keys
            .usize("vocab_size")
            .or(vocab_from_tensor)
            .or_else(|| {
                meta.get("tokenizer.ggml.tokens")
                    .and_then(|v| v.to_vec().ok())
                    .map(Vec::len)
            })
            .ok_or_else(|| missing(&keys.key("vocab_size")))?;
        let token_id = |k: &str| meta.get(k).and_then(gguf_usize).map(|v| v as u32);
        let spec = architecture.spec();
        let config = Self {
            architecture,
            hidden_size,
            intermediate_size: keys.need_usize("feed_forward_length")?,
            num_layers: keys.need_usize("block_count")?,
            num_heads,
            num_kv_heads: keys.usize("attention.head_count_kv").unwrap_or(num_heads),
            head_dim,
            vocab_size,
            rms_norm_eps: keys.f64("attention.layer_norm_rms_epsilon").unwrap_or(1e-5),
            rope_theta: keys.f64("rope.freq_base").unwrap_or(10000.0),
            rope_scaling: keys.rope_scaling(rope_freqs)?,
            rope_style: spec.gguf_rope_style,
            context_length: keys.usize("context_length").unwrap_or(2048),
            tie_word_embeddings: false,
            attention_bias: spec.qkv_bias_default,
            bos_token_id: token_id("tokenizer.ggml.bos_token_id"),
            // a chat model ends its turn with EOT (or EOM) when that is not its EOS (llama.cpp stops on all three)
            eos_token_ids: ["eos", "eot", "eom"]
                .iter()
                .filter_map(|name| token_id(&format!("tokenizer.ggml.{name}_token_id")))
                .collect(),
            // GGUF has no use_sliding_window flag; llama.cpp's converter writes the key only for
            // models whose attention is windowed.
            sliding_window: match spec.sliding_window {
                SlidingWindowRule::Never => None,
                SlidingWindowRule::WhenSet | SlidingWindowRule::WhenEnabled => {
                    keys.usize("attention.sliding_window")
                }
            },
        };
        config.validate()?;
        Ok(config)
    }
}

pub(crate) fn gguf_usize(v: &Value) -> Option<usize> {
    match v {
        Value::U8(x) => Some(*x as usize),
        Value::I8(x) => usize::try_from(*x).ok(),
        Value::U16(x) => Some(*x as usize),
        Value::I16(x) => usize::try_from(*x).ok(),
        Value::U32(x) => Some(*x as usize),
        Value::I32(x) => usize::try_from(*x).ok(),
        Value::U64(x) => usize::try_from(*x).ok(),
        Value::I64(x) => usize::try_from(*x).ok(),
        _ => None,
    }
}

pub(crate) fn gguf_f64(v: &Value) -> Option<f64> {
    match v {
        Value::F32(x) => Some(*x as f64),
        Value::F64(x) => Some(*x),
        other => gguf_usize(other).map(|x| x as f64),
    }
}
