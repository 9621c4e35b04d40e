//! The Llama-family variants this runtime runs and, in one table, everything that differs
//! between them: names, the RoPE row layout of their GGUF files, biases, fused projections and
//! which config field turns on a sliding attention window.

use crate::error::{ModelError, Result};

/// The Llama-family variants this runtime runs.
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

/// How query/key rows are laid out for rotary embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RopeStyle {
    /// Rotate adjacent pairs (x0,x1), (x2,x3), ...: llama.cpp's GGUF `llama` layout, llama2.c.
    Interleaved,
    /// Rotate the first half against the second half: Hugging Face layout, GGUF qwen2/phi3.
    RotateHalf,
}

/// When a config's `sliding_window` limits attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlidingWindowRule {
    /// The architecture has no sliding window; the field is not read (transformers ignores it).
    Never,
    /// `sliding_window` applies whenever it is set (a number, not null).
    WhenSet,
    /// `sliding_window` applies only with `use_sliding_window: true` (Qwen2).
    WhenEnabled,
}

/// The per-architecture differences, one row per [`Architecture`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArchSpec {
    pub arch: Architecture,
    /// HF `model_type` and GGUF `general.architecture`.
    pub name: &'static str,
    /// HF `architectures[0]`.
    pub hf_class: &'static str,
    /// Row layout of Q/K in llama.cpp's GGUF files: its converter permutes `llama`-type models
    /// for adjacent-pair RoPE; qwen2 and phi3 use its NEOX (rotate-half) mode. HF files are
    /// always rotate-half.
    pub gguf_rope_style: RopeStyle,
    /// Whether Q/K/V carry biases when config.json does not say (`attention_bias`).
    pub qkv_bias_default: bool,
    /// Whether `attention_bias: true` is implemented for this architecture.
    pub qkv_bias_allowed: bool,
    /// Whether the attention output projection carries a bias along with Q/K/V (Llama's
    /// `attention_bias` covers o_proj too; Qwen2's biases are on Q/K/V only).
    pub o_bias_with_qkv: bool,
    /// Q/K/V may be stored as one matrix, rows [q; k; v] (Phi-3's qkv_proj / attn_qkv).
    pub fused_qkv: bool,
    /// Gate and up may be stored as one matrix, rows [gate; up] (Phi-3's gate_up_proj).
    pub fused_gate_up: bool,
    pub sliding_window: SlidingWindowRule,
}

const TABLE: [ArchSpec; 4] = [
    ArchSpec {
        arch: Architecture::Llama,
        name: "llama",
        hf_class: "LlamaForCausalLM",
        gguf_rope_style: RopeStyle::Interleaved,
        qkv_bias_default: false,
        qkv_bias_allowed: true,
        o_bias_with_qkv: true,
        fused_qkv: false,
        fused_gate_up: false,
        sliding_window: SlidingWindowRule::Never,
    },
    ArchSpec {
        arch: Architecture::Mistral,
        name: "mistral",
        hf_class: "MistralForCausalLM",
        gguf_rope_style: RopeStyle::Interleaved,
        qkv_bias_default: false,
        qkv_bias_allowed: false,
        o_bias_with_qkv: false,
        fused_qkv: false,
        fused_gate_up: false,
        sliding_window: SlidingWindowRule::WhenSet,
    },
    ArchSpec {
        arch: Architecture::Qwen2,
        name: "qwen2",
        hf_class: "Qwen2ForCausalLM",
        gguf_rope_style: RopeStyle::RotateHalf,
        qkv_bias_default: true,
        qkv_bias_allowed: true,
        o_bias_with_qkv: false,
        fused_qkv: false,
        fused_gate_up: false,
        sliding_window: SlidingWindowRule::WhenEnabled,
    },
    ArchSpec {
        arch: Architecture::Phi3,
        name: "phi3",
        hf_class: "Phi3ForCausalLM",
        gguf_rope_style: RopeStyle::RotateHalf,
        qkv_bias_default: false,
        qkv_bias_allowed: false,
        o_bias_with_qkv: false,
        fused_qkv: true,
        fused_gate_up: true,
        sliding_window: SlidingWindowRule::WhenSet,
    },
];

impl Architecture {
    /// Reads an HF `model_type`, an HF class name (`LlamaForCausalLM`) or a GGUF architecture.
    pub fn parse(name: &str) -> Result<Self> {
        let lower = name.to_ascii_lowercase();
        TABLE
            .iter()
            .find(|s| lower == s.name || lower == s.hf_class.to_ascii_lowercase())
            .map(|s| s.arch)
            .ok_or_else(|| ModelError::UnsupportedArchitecture {
                found: name.to_string(),
                supported: SUPPORTED_ARCHITECTURES.to_string(),
            })
    }

    pub fn name(&self) -> &'static str {
        self.spec().name
    }

    pub(crate) fn spec(&self) -> &'static ArchSpec {
        // TABLE has one row per variant, in declaration order.
        &TABLE[*self as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_finds_its_own_row() {
        for arch in [
            Architecture::Llama,
            Architecture::Mistral,
            Architecture::Qwen2,
            Architecture::Phi3,
        ] {
            assert_eq!(arch.spec().arch, arch);
            assert_eq!(Architecture::parse(arch.name()).unwrap(), arch);
            assert_eq!(Architecture::parse(arch.spec().hf_class).unwrap(), arch);
        }
    }
}
