//! Tensor names by canonical role, in GGUF and Hugging Face spelling.

/// Tensor names of one checkpoint format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Naming {
    Gguf,
    HuggingFace,
}

/// Canonical weight roles of a Llama-family layer.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Role {
    Embed,
    FinalNorm,
    Output,
    AttnNorm,
    Q,
    K,
    V,
    Qkv,
    O,
    FfnNorm,
    Gate,
    Up,
    GateUp,
    Down,
}

impl Naming {
    /// The tensor name of `role` in `layer`; `bias` selects the bias instead of the weight.
    pub fn name(&self, role: Role, layer: usize, bias: bool) -> String {
        let suffix = if bias { "bias" } else { "weight" };
        match self {
            Naming::Gguf => {
                let base = match role {
                    Role::Embed => return format!("token_embd.{suffix}"),
                    Role::FinalNorm => return format!("output_norm.{suffix}"),
                    Role::Output => return format!("output.{suffix}"),
                    Role::AttnNorm => "attn_norm",
                    Role::Q => "attn_q",
                    Role::K => "attn_k",
                    Role::V => "attn_v",
                    Role::Qkv => "attn_qkv",
                    Role::O => "attn_output",
                    Role::FfnNorm => "ffn_norm",
                    Role::Gate => "ffn_gate",
                    // llama.cpp stores Phi-3's fused gate+up as ffn_up with twice the rows.
                    Role::Up | Role::GateUp => "ffn_up",
                    Role::Down => "ffn_down",
                };
                format!("blk.{layer}.{base}.{suffix}")
            }
            Naming::HuggingFace => {
                let base = match role {
                    Role::Embed => return format!("model.embed_tokens.{suffix}"),
                    Role::FinalNorm => return format!("model.norm.{suffix}"),
                    Role::Output => return format!("lm_head.{suffix}"),
                    Role::AttnNorm => "input_layernorm",
                    Role::Q => "self_attn.q_proj",
                    Role::K => "self_attn.k_proj",
                    Role::V => "self_attn.v_proj",
                    Role::Qkv => "self_attn.qkv_proj",
                    Role::O => "self_attn.o_proj",
                    Role::FfnNorm => "post_attention_layernorm",
                    Role::Gate => "mlp.gate_proj",
                    Role::Up => "mlp.up_proj",
                    Role::GateUp => "mlp.gate_up_proj",
                    Role::Down => "mlp.down_proj",
                };
                format!("model.layers.{layer}.{base}.{suffix}")
            }
        }
    }
}

/// Every role, for mapping names between formats.
const ROLES: [Role; 14] = [
    Role::Embed,
    Role::FinalNorm,
    Role::Output,
    Role::AttnNorm,
    Role::Q,
    Role::K,
    Role::V,
    Role::Qkv,
    Role::O,
    Role::FfnNorm,
    Role::Gate,
    Role::Up,
    Role::GateUp,
    Role::Down,
];

/// The GGUF name of a Hugging Face tensor name (None for names this runtime does not use).
pub(crate) fn hf_to_gguf_name(hf: &str, layers: usize) -> Option<String> {
    for l in 0..layers.max(1) {
        for role in ROLES {
            for bias in [false, true] {
                if Naming::HuggingFace.name(role, l, bias) == hf {
                    return Some(Naming::Gguf.name(role, l, bias));
                }
            }
        }
    }
    None
}
