//! Reading and writing a Hugging Face `config.json`. Every field that changes what the model
//! computes is either implemented or refused with an error naming it; fields that do not change
//! the computation are ignored.

use serde::Deserialize;

use crate::arch::{Architecture, SlidingWindowRule};
use crate::config::{Config, RopeScaling, RopeStyle};
use crate::error::{ModelError, Result};

/// RoPE settings: transformers < 5 writes `rope_scaling` (and `rope_theta` at the top level),
/// transformers >= 5 writes both into `rope_parameters`.
#[derive(Debug, Default, Deserialize)]
struct RopeJson {
    rope_type: Option<String>,
    /// The older spelling of `rope_type`.
    #[serde(rename = "type")]
    kind: Option<String>,
    rope_theta: Option<f64>,
    factor: Option<f64>,
    low_freq_factor: Option<f64>,
    high_freq_factor: Option<f64>,
    original_max_position_embeddings: Option<f64>,
    partial_rotary_factor: Option<f64>,
}

impl RopeJson {
    fn kind(&self) -> Option<&str> {
        self.rope_type.as_deref().or(self.kind.as_deref())
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(u32),
    Many(Vec<u32>),
}

/// The fields of config.json that whylm reads.
#[derive(Debug, Deserialize)]
struct ConfigJson {
    model_type: Option<String>,
    #[serde(default)]
    architectures: Vec<String>,
    hidden_size: Option<usize>,
    intermediate_size: Option<usize>,
    num_hidden_layers: Option<usize>,
    num_attention_heads: Option<usize>,
    num_key_value_heads: Option<usize>,
    head_dim: Option<usize>,
    vocab_size: Option<usize>,
    max_position_embeddings: Option<usize>,
    rms_norm_eps: Option<f64>,
    rope_theta: Option<f64>,
    rope_scaling: Option<RopeJson>,
    rope_parameters: Option<RopeJson>,
    partial_rotary_factor: Option<f64>,
    tie_word_embeddings: Option<bool>,
    attention_bias: Option<bool>,
    mlp_bias: Option<bool>,
    hidden_act: Option<String>,
    sliding_window: Option<usize>,
    use_sliding_window: Option<bool>,
    layer_types: Option<Vec<String>>,
    final_logit_softcapping: Option<f64>,
    attn_logit_softcapping: Option<f64>,
    bos_token_id: Option<u32>,
    eos_token_id: Option<OneOrMany>,
}

fn unsupported(field: &str, value: impl std::fmt::Display, supported: &str) -> ModelError {
    ModelError::UnsupportedField {
        field: field.to_string(),
        source_desc: "config.json".into(),
        value: value.to_string(),
        supported: supported.to_string(),
    }
}

fn required(value: Option<usize>, field: &str) -> Result<usize> {
    value.ok_or_else(|| ModelError::Config {
        message: format!("config.json lacks the integer field '{field}'"),
    })
}

impl ConfigJson {
    fn architecture(&self) -> Result<Architecture> {
        let name = self
            .model_type
            .as_deref()
            .or(self.architectures.first().map(String::as_str))
            .ok_or_else(|| ModelError::Config {
                message: "config.json has neither model_type nor architectures".into(),
            })?;
        Architecture::parse(name)
    }

    /// rope_theta at the top level or inside rope_parameters (transformers >= 5); both must agree.
    fn rope_theta(&self) -> Result<f64> {
        let nested = self.rope_parameters.as_ref().and_then(|r| r.rope_theta);
        match (self.rope_theta, nested) {
            (Some(top), Some(inner)) if top != inner => Err(ModelError::Config {
                message: format!(
                    "rope_theta is {top} but rope_parameters.rope_theta is {inner}; make them agree or remove one"
                ),
            }),
            (top, inner) => Ok(top.or(inner).unwrap_or(10000.0)),
        }
    }

    /// The RoPE scaling of rope_parameters (transformers >= 5) or rope_scaling (older).
    fn rope_scaling(&self) -> Result<Option<RopeScaling>> {
        let mut found = None;
        for (field, rope) in [
            ("rope_parameters", &self.rope_parameters),
            ("rope_scaling", &self.rope_scaling),
        ] {
            let Some(rope) = rope else { continue };
            if let Some(f) = rope.partial_rotary_factor.filter(|f| *f != 1.0) {
                return Err(unsupported(
                    &format!("{field}.partial_rotary_factor"),
                    f,
                    "1 (RoPE over the whole head)",
                ));
            }
            let scaling = rope_scaling_of(field, rope)?;
            if found.is_some() && scaling.is_some() && found != scaling {
                return Err(ModelError::Config {
                    message: "rope_parameters and rope_scaling describe different RoPE scalings; keep one"
                        .into(),
                });
            }
            found = found.or(scaling);
        }
        Ok(found)
    }

    /// The window whylm must respect, following the architecture's rule for `sliding_window`.
    fn sliding_window(&self, arch: Architecture) -> Result<Option<usize>> {
        let per_layer = self
            .layer_types
            .as_ref()
            .is_some_and(|types| types.iter().any(|t| t == "sliding_attention"));
        let applies = per_layer
            || match arch.spec().sliding_window {
                SlidingWindowRule::Never => false,
                SlidingWindowRule::WhenSet => true,
                SlidingWindowRule::WhenEnabled => self.use_sliding_window == Some(true),
            };
        if !applies {
            return Ok(None);
        }
        match self.sliding_window {
            Some(w) => Ok(Some(w)),
            None if per_layer => Err(ModelError::Config {
                message: "layer_types has sliding_attention layers but sliding_window is not set; set it"
                    .into(),
            }),
            None => Ok(None),
        }
    }

    /// Refuses the fields that change the computation in ways whylm does not implement.
    fn refuse_unimplemented(&self, arch: Architecture) -> Result<()> {
        if let Some(act) = self
            .hidden_act
            .as_deref()
            .filter(|a| !matches!(*a, "silu" | "swish"))
        {
            return Err(unsupported("hidden_act", act, "silu"));
        }
        if let Some(f) = self.partial_rotary_factor.filter(|f| *f != 1.0) {
            return Err(unsupported(
                "partial_rotary_factor",
                f,
                "1 (RoPE over the whole head)",
            ));
        }
        for (field, cap) in [
            ("final_logit_softcapping", self.final_logit_softcapping),
            ("attn_logit_softcapping", self.attn_logit_softcapping),
        ] {
            if let Some(cap) = cap {
                return Err(unsupported(field, cap, "no soft-capping (null)"));
            }
        }
        if self.mlp_bias == Some(true) {
            return Err(unsupported("mlp_bias", true, "false"));
        }
        if self.attention_bias == Some(true) && !arch.spec().qkv_bias_allowed {
            return Err(unsupported(
                "attention_bias",
                true,
                &format!("false for {}", arch.name()),
            ));
        }
        Ok(())
    }
}

fn rope_scaling_of(field: &str, rope: &RopeJson) -> Result<Option<RopeScaling>> {
    let num = |v: Option<f64>, d: f64| v.unwrap_or(d);
    Ok(match rope.kind() {
        None | Some("default") => None,
        Some("linear") => Some(RopeScaling::Linear {
            factor: num(rope.factor, 1.0),
        }),
        Some("llama3") => Some(RopeScaling::Llama3 {
            factor: num(rope.factor, 8.0),
            low_freq_factor: num(rope.low_freq_factor, 1.0),
            high_freq_factor: num(rope.high_freq_factor, 4.0),
            original_max_position_embeddings: num(rope.original_max_position_embeddings, 8192.0) as usize,
        }),
        Some(other) => {
            return Err(unsupported(
                &format!("{field}.rope_type"),
                other,
                "default, linear, llama3",
            ))
        }
    })
}

impl Config {
    /// Reads a Hugging Face `config.json`.
    pub fn from_hf_json(text: &str) -> Result<Self> {
        let json: ConfigJson = serde_json::from_str(text).map_err(|e| ModelError::Config {
            message: format!("config.json is not valid JSON or a field has the wrong type: {e}"),
        })?;
        let architecture = json.architecture()?;
        json.refuse_unimplemented(architecture)?;
        let hidden_size = required(json.hidden_size, "hidden_size")?;
        let num_heads = required(json.num_attention_heads, "num_attention_heads")?;
        let sliding_window = json.sliding_window(architecture)?;
        let config = Self {
            architecture,
            hidden_size,
            intermediate_size: required(json.intermediate_size, "intermediate_size")?,
            num_layers: required(json.num_hidden_layers, "num_hidden_layers")?,
            num_heads,
            num_kv_heads: json.num_key_value_heads.unwrap_or(num_heads),
            head_dim: json.head_dim.unwrap_or(hidden_size / num_heads.max(1)),
            vocab_size: required(json.vocab_size, "vocab_size")?,
            rms_norm_eps: json.rms_norm_eps.unwrap_or(1e-5),
            rope_theta: json.rope_theta()?,
            rope_scaling: json.rope_scaling()?,
            rope_style: RopeStyle::RotateHalf,
            context_length: json.max_position_embeddings.unwrap_or(2048),
            tie_word_embeddings: json.tie_word_embeddings.unwrap_or(false),
            attention_bias: json
                .attention_bias
                .unwrap_or(architecture.spec().qkv_bias_default),
            bos_token_id: json.bos_token_id,
            eos_token_ids: match json.eos_token_id {
                Some(OneOrMany::One(id)) => vec![id],
                Some(OneOrMany::Many(ids)) => ids,
                None => Vec::new(),
            },
            sliding_window,
        };
        config.validate()?;
        Ok(config)
    }

    /// Adds the stop ids of a `generation_config.json` (its `eos_token_id`, one id or a list: chat models list
    /// their end-of-turn token there) to the config's own, without repeats.
    pub fn add_generation_config(&mut self, text: &str) -> Result<()> {
        #[derive(Deserialize)]
        struct GenerationConfig {
            eos_token_id: Option<OneOrMany>,
        }
        let json: GenerationConfig = serde_json::from_str(text).map_err(|e| ModelError::Config {
            message: format!(
                "generation_config.json is not valid JSON or eos_token_id is not an id or a list: {e}"
            ),
        })?;
        let ids = match json.eos_token_id {
            Some(OneOrMany::One(id)) => vec![id],
            Some(OneOrMany::Many(ids)) => ids,
            None => Vec::new(),
        };
        for id in ids {
            if !self.eos_token_ids.contains(&id) {
                self.eos_token_ids.push(id);
            }
        }
        Ok(())
    }

    /// Writes a Hugging Face `config.json` that [`Config::from_hf_json`] reads back.
    pub fn to_hf_json(&self) -> String {
        let spec = self.architecture.spec();
        let mut obj = serde_json::json!({
            "architectures": [spec.hf_class],
            "model_type": spec.name,
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
            if let Some(window) = self.sliding_window {
                map.insert("sliding_window".into(), window.into());
                if spec.sliding_window == SlidingWindowRule::WhenEnabled {
                    map.insert("use_sliding_window".into(), true.into());
                }
            }
            if let Some(scaling) = rope_scaling_json(self.rope_scaling.as_ref()) {
                map.insert("rope_scaling".into(), scaling);
            }
        }
        serde_json::to_string_pretty(&obj).unwrap_or_default()
    }
}

fn rope_scaling_json(scaling: Option<&RopeScaling>) -> Option<serde_json::Value> {
    match scaling? {
        RopeScaling::Linear { factor } => Some(serde_json::json!({"rope_type": "linear", "factor": factor})),
        RopeScaling::Llama3 {
            factor,
            low_freq_factor,
            high_freq_factor,
            original_max_position_embeddings,
        } => Some(serde_json::json!({"rope_type": "llama3", "factor": factor,
            "low_freq_factor": low_freq_factor, "high_freq_factor": high_freq_factor,
            "original_max_position_embeddings": original_max_position_embeddings})),
        RopeScaling::FreqFactors(_) => None,
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

    #[test]
    fn generation_config_adds_end_of_turn_ids_once() {
        let mut c = Config::tiny_llama(100, 16, 40, 2, 4, 2, 64);
        c.eos_token_ids = vec![2];
        c.add_generation_config(r#"{"eos_token_id": [2, 7], "do_sample": true}"#)
            .unwrap();
        assert_eq!(c.eos_token_ids, [2, 7]);
        c.add_generation_config(r#"{"eos_token_id": 9}"#).unwrap();
        c.add_generation_config(r#"{"temperature": 0.7}"#).unwrap();
        assert_eq!(c.eos_token_ids, [2, 7, 9]);
        let bad = c.add_generation_config(r#"{"eos_token_id": "two"}"#).unwrap_err();
        assert!(bad.to_string().contains("generation_config.json"), "{bad}");
    }
}
