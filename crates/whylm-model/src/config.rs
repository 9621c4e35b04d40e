//! Model hyper-parameters, read from GGUF metadata or a Hugging Face config.json.

use std::collections::HashMap;

use candle_core::quantized::gguf_file::Value;
use serde_json::Value as Json;

use crate::error::{ModelError, Result};

/// The Llama-family variants this runtime runs. They differ only in tensor naming, biases,
/// fused projections and the RoPE convention of their files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    Llama,
    Mistral,
    Qwen2,
    Phi3,
}

pub const SUPPORTED_ARCHITECTURES: &str =
    "llama, mistral, qwen2, phi3 (GGUF general.architecture; HF model_type llama, mistral, qwen2, phi3)";

impl Architecture {
    pub fn parse(name: &str) -> Result<Self> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "llama" | "llamaforcausallm" => Ok(Self::Llama),
            "mistral" | "mistralforcausallm" => Ok(Self::Mistral),
            "qwen2" | "qwen2forcausallm" => Ok(Self::Qwen2),
            "phi3" | "phi3forcausallm" => Ok(Self::Phi3),
            _ => Err(ModelError::UnsupportedArchitecture {
                found: name.to_string(),
                supported: SUPPORTED_ARCHITECTURES.to_string(),
            }),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Llama => "llama",
            Self::Mistral => "mistral",
            Self::Qwen2 => "qwen2",
            Self::Phi3 => "phi3",
        }
    }
}

/// How query/key rows are laid out for rotary embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RopeStyle {
    /// Rotate adjacent pairs (x0,x1), (x2,x3), ...: llama.cpp's GGUF `llama` layout, llama2.c.
    Interleaved,
    /// Rotate the first half against the second half: Hugging Face layout, GGUF qwen2/phi3.
    RotateHalf,
}

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
        }
    }

    pub fn q_dim(&self) -> usize {
        self.num_heads * self.head_dim
    }

    pub fn kv_dim(&self) -> usize {
        self.num_kv_heads * self.head_dim
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

    /// Reads a Hugging Face `config.json`.
    pub fn from_hf_json(text: &str) -> Result<Self> {
        let json: Json = serde_json::from_str(text).map_err(|e| ModelError::Config {
            message: format!("config.json is not valid JSON: {e}"),
        })?;
        let arch_name = json
            .get("model_type")
            .and_then(Json::as_str)
            .map(str::to_string)
            .or_else(|| {
                json.get("architectures")
                    .and_then(|a| a.get(0))
                    .and_then(Json::as_str)
                    .map(str::to_string)
            })
            .ok_or_else(|| ModelError::Config {
                message: "config.json has neither model_type nor architectures".into(),
            })?;
        let architecture = Architecture::parse(&arch_name)?;
        let usize_key = |k: &str| -> Result<usize> {
            json.get(k)
                .and_then(Json::as_u64)
                .map(|v| v as usize)
                .ok_or_else(|| ModelError::Config {
                    message: format!("config.json lacks the integer field '{k}'"),
                })
        };
        let hidden_size = usize_key("hidden_size")?;
        let num_heads = usize_key("num_attention_heads")?;
        let num_kv_heads = usize_key("num_key_value_heads").unwrap_or(num_heads);
        let head_dim = json
            .get("head_dim")
            .and_then(Json::as_u64)
            .map(|v| v as usize)
            .unwrap_or(hidden_size / num_heads.max(1));
        let rope_scaling = match json.get("rope_scaling") {
            Some(Json::Object(obj)) => {
                let kind = obj
                    .get("rope_type")
                    .or_else(|| obj.get("type"))
                    .and_then(Json::as_str)
                    .unwrap_or("");
                let num = |k: &str, d: f64| obj.get(k).and_then(Json::as_f64).unwrap_or(d);
                match kind {
                    "llama3" => Some(RopeScaling::Llama3 {
                        factor: num("factor", 8.0),
                        low_freq_factor: num("low_freq_factor", 1.0),
                        high_freq_factor: num("high_freq_factor", 4.0),
                        original_max_position_embeddings: num("original_max_position_embeddings", 8192.0)
                            as usize,
                    }),
                    "linear" => Some(RopeScaling::Linear {
                        factor: num("factor", 1.0),
                    }),
                    "default" => None,
                    other => {
                        return Err(ModelError::Config {
                            message: format!(
                                "rope_scaling type '{other}' is not supported (supported: llama3, linear)"
                            ),
                        })
                    }
                }
            }
            _ => None,
        };
        let eos_token_ids = match json.get("eos_token_id") {
            Some(Json::Number(n)) => n.as_u64().map(|v| vec![v as u32]).unwrap_or_default(),
            Some(Json::Array(a)) => a.iter().filter_map(Json::as_u64).map(|v| v as u32).collect(),
            _ => Vec::new(),
        };
        let config = Self {
            architecture,
            hidden_size,
            intermediate_size: usize_key("intermediate_size")?,
            num_layers: usize_key("num_hidden_layers")?,
            num_heads,
            num_kv_heads,
            head_dim,
            vocab_size: usize_key("vocab_size")?,
            rms_norm_eps: json.get("rms_norm_eps").and_then(Json::as_f64).unwrap_or(1e-5),
            rope_theta: json.get("rope_theta").and_then(Json::as_f64).unwrap_or(10000.0),
            rope_scaling,
            rope_style: RopeStyle::RotateHalf,
            context_length: usize_key("max_position_embeddings").unwrap_or(2048),
            tie_word_embeddings: json
                .get("tie_word_embeddings")
                .and_then(Json::as_bool)
                .unwrap_or(false),
            attention_bias: json
                .get("attention_bias")
                .and_then(Json::as_bool)
                .unwrap_or(architecture == Architecture::Qwen2),
            bos_token_id: json.get("bos_token_id").and_then(Json::as_u64).map(|v| v as u32),
            eos_token_ids,
        };
        config.validate()?;
        Ok(config)
    }

    /// Writes a Hugging Face `config.json` that [`Config::from_hf_json`] reads back.
    pub fn to_hf_json(&self) -> String {
        let arch_class = match self.architecture {
            Architecture::Llama => "LlamaForCausalLM",
            Architecture::Mistral => "MistralForCausalLM",
            Architecture::Qwen2 => "Qwen2ForCausalLM",
            Architecture::Phi3 => "Phi3ForCausalLM",
        };
        let mut obj = serde_json::json!({
            "architectures": [arch_class],
            "model_type": self.architecture.name(),
            "hidden_size": self.hidden_size,
            "intermediate_size": self.intermediate_size,
            "num_hidden_layers": self.num_layers,
            "num_attention_heads": self.num_heads,
            "num_key_value_heads": self.num_kv_heads,
            "head_dim": self.head_dim,
            "vocab_size": self.vocab_size,
            "max_position_embeddings": self.context_length,
            "rms_norm_eps": self.rms_norm_eps,
            "rope_theta": self.rope_theta,
            "hidden_act": "silu",
            "tie_word_embeddings": self.tie_word_embeddings,
            "attention_bias": self.attention_bias,
            "torch_dtype": "float32",
        });
        if let Some(map) = obj.as_object_mut() {
            if let Some(b) = self.bos_token_id {
                map.insert("bos_token_id".into(), b.into());
            }
            match self.eos_token_ids.as_slice() {
                [] => {}
                [one] => {
                    map.insert("eos_token_id".into(), (*one).into());
                }
                many => {
                    map.insert("eos_token_id".into(), many.to_vec().into());
                }
            }
            match &self.rope_scaling {
                Some(RopeScaling::Linear { factor }) => {
                    map.insert(
                        "rope_scaling".into(),
                        serde_json::json!({"rope_type": "linear", "factor": factor}),
                    );
                }
                Some(RopeScaling::Llama3 {
                    factor,
                    low_freq_factor,
                    high_freq_factor,
                    original_max_position_embeddings,
                }) => {
                    map.insert(
                        "rope_scaling".into(),
                        serde_json::json!({"rope_type": "llama3", "factor": factor,
                            "low_freq_factor": low_freq_factor, "high_freq_factor": high_freq_factor,
                            "original_max_position_embeddings": original_max_position_embeddings}),
                    );
                }
                Some(RopeScaling::FreqFactors(_)) | None => {}
            }
        }
        serde_json::to_string_pretty(&obj).unwrap_or_default()
    }

    /// Reads GGUF metadata (`general.architecture` and `<arch>.*` keys). `rope_freqs` comes from
    /// the tensor of that name, which the caller passes when the file has it.
    pub fn from_gguf_metadata(
        meta: &HashMap<String, Value>,
        vocab_from_tensor: Option<usize>,
        rope_freqs: Option<Vec<f32>>,
    ) -> Result<Self> {
        let missing = |key: &str| ModelError::MissingMetadata {
            key: key.to_string(),
            source_desc: "the GGUF header".into(),
        };
        let arch_name = meta
            .get("general.architecture")
            .and_then(|v| v.to_string().ok())
            .ok_or_else(|| missing("general.architecture"))?;
        let architecture = Architecture::parse(arch_name)?;
        let a = arch_name.as_str();
        let get_usize = |k: &str| -> Option<usize> { meta.get(&format!("{a}.{k}")).and_then(gguf_usize) };
        let need_usize = |k: &str| get_usize(k).ok_or_else(|| missing(&format!("{a}.{k}")));
        let get_f64 = |k: &str| -> Option<f64> { meta.get(&format!("{a}.{k}")).and_then(gguf_f64) };
        let hidden_size = need_usize("embedding_length")?;
        let num_heads = need_usize("attention.head_count")?;
        let num_kv_heads = get_usize("attention.head_count_kv").unwrap_or(num_heads);
        let head_dim = get_usize("attention.key_length")
            .or_else(|| get_usize("rope.dimension_count"))
            .unwrap_or(hidden_size / num_heads.max(1));
        let vocab_size = get_usize("vocab_size")
            .or(vocab_from_tensor)
            .or_else(|| {
                meta.get("tokenizer.ggml.tokens")
                    .and_then(|v| v.to_vec().ok())
                    .map(Vec::len)
            })
            .ok_or_else(|| missing(&format!("{a}.vocab_size")))?;
        let rope_scaling = if let Some(f) = rope_freqs {
            Some(RopeScaling::FreqFactors(f))
        } else {
            let kind = meta
                .get(&format!("{a}.rope.scaling.type"))
                .and_then(|v| v.to_string().ok())
                .cloned();
            match kind.as_deref() {
                Some("linear") => get_f64("rope.scaling.factor").map(|factor| RopeScaling::Linear { factor }),
                Some("none") | None => None,
                Some(other) => {
                    return Err(ModelError::Config {
                        message: format!(
                            "GGUF rope scaling '{other}' is not supported (supported: linear, rope_freqs)"
                        ),
                    })
                }
            }
        };
        let token_id = |k: &str| meta.get(k).and_then(gguf_usize).map(|v| v as u32);
        let config = Self {
            architecture,
            hidden_size,
            intermediate_size: need_usize("feed_forward_length")?,
            num_layers: need_usize("block_count")?,
            num_heads,
            num_kv_heads,
            head_dim,
            vocab_size,
            rms_norm_eps: get_f64("attention.layer_norm_rms_epsilon").unwrap_or(1e-5),
            rope_theta: get_f64("rope.freq_base").unwrap_or(10000.0),
            rope_scaling,
            // llama.cpp's converter permutes Q/K of `llama`-type models for adjacent-pair RoPE;
            // qwen2 and phi3 use its NEOX (rotate-half) mode.
            rope_style: match architecture {
                Architecture::Llama | Architecture::Mistral => RopeStyle::Interleaved,
                Architecture::Qwen2 | Architecture::Phi3 => RopeStyle::RotateHalf,
            },
            context_length: get_usize("context_length").unwrap_or(2048),
            tie_word_embeddings: false,
            attention_bias: architecture == Architecture::Qwen2,
            bos_token_id: token_id("tokenizer.ggml.bos_token_id"),
            eos_token_ids: token_id("tokenizer.ggml.eos_token_id").into_iter().collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hf_json_round_trips() {
        let mut c = Config::tiny_llama(100, 16, 40, 2, 4, 2, 64);
        c.bos_token_id = Some(1);
        c.eos_token_ids = vec![2];
        c.rope_scaling = Some(RopeScaling::Llama3 {
            factor: 8.0,
            low_freq_factor: 1.0,
            high_freq_factor: 4.0,
            original_max_position_embeddings: 32,
        });
        let back = Config::from_hf_json(&c.to_hf_json()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn unknown_model_type_lists_supported() {
        let err = Config::from_hf_json(r#"{"model_type":"gpt2"}"#).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("gpt2") && msg.contains("qwen2"), "{msg}");
    }
}
