//! Weight storage: quantized weights stay quantized (QMatMul over a QTensor), float weights
//! become plain f32 tensors. A `WeightSource` hands out tensors by canonical role so that one
//! model builder serves GGUF, safetensors and VarBuilder checkpoints.

use std::sync::Arc;

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{DType, Module, Tensor};

use crate::error::{ModelError, Result};

/// One stored tensor.
#[derive(Debug, Clone)]
pub enum Weight {
    Quantized(Arc<QTensor>),
    Float(Tensor),
}

impl Weight {
    pub fn dims(&self) -> Vec<usize> {
        match self {
            Weight::Quantized(q) => q.shape().dims().to_vec(),
            Weight::Float(t) => t.dims().to_vec(),
        }
    }

    /// Name of the storage type, as GGUF spells it.
    pub fn type_name(&self) -> String {
        match self {
            Weight::Quantized(q) => ggml_type_name(q.dtype()).to_string(),
            Weight::Float(t) => format!("{:?}", t.dtype()).to_uppercase(),
        }
    }

    pub fn storage_bytes(&self) -> usize {
        match self {
            Weight::Quantized(q) => q.storage_size_in_bytes(),
            Weight::Float(t) => t.elem_count() * t.dtype().size_in_bytes(),
        }
    }

    /// A float f32 tensor (dequantizing if needed), for norms, biases and export.
    pub fn to_f32(&self) -> Result<Tensor> {
        Ok(match self {
            Weight::Quantized(q) => q.dequantize(&q.device())?,
            Weight::Float(t) => t.to_dtype(DType::F32)?,
        })
    }

    pub fn to_qmatmul(&self) -> Result<QMatMul> {
        Ok(match self {
            Weight::Quantized(q) => match q.dtype() {
                // Float GGUF tensors become plain tensors (QMatMul does the same).
                GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16 => {
                    QMatMul::Tensor(q.dequantize(&q.device())?)
                }
                _ => QMatMul::QTensor(q.clone()),
            },
            Weight::Float(t) => QMatMul::Tensor(t.to_dtype(DType::F32)?),
        })
    }
}

pub fn ggml_type_name(dtype: GgmlDType) -> &'static str {
    match dtype {
        GgmlDType::F32 => "F32",
        GgmlDType::F16 => "F16",
        GgmlDType::BF16 => "BF16",
        GgmlDType::Q4_0 => "Q4_0",
        GgmlDType::Q4_1 => "Q4_1",
        GgmlDType::Q5_0 => "Q5_0",
        GgmlDType::Q5_1 => "Q5_1",
        GgmlDType::Q8_0 => "Q8_0",
        GgmlDType::Q8_1 => "Q8_1",
        GgmlDType::Q2K => "Q2_K",
        GgmlDType::Q3K => "Q3_K",
        GgmlDType::Q4K => "Q4_K",
        GgmlDType::Q5K => "Q5_K",
        GgmlDType::Q6K => "Q6_K",
        GgmlDType::Q8K => "Q8_K",
    }
}

/// A matrix-vector layer y = x W^T (+ b) over rows x of shape (n, in).
#[derive(Debug, Clone)]
pub(crate) struct Linear {
    pub weight: QMatMul,
    pub bias: Option<Tensor>,
}

impl Linear {
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = self.weight.forward(x)?;
        Ok(match &self.bias {
            Some(b) => y.broadcast_add(b)?,
            None => y,
        })
    }
}

/// Where a model builder gets its tensors. Names are the checkpoint's own names.
pub(crate) trait WeightSource {
    /// Human-readable origin for error messages ("stories260K.gguf").
    fn describe(&self) -> String;
    fn contains(&self, name: &str) -> bool;
    /// The tensor `name`, or None if absent. `expected` is the shape the model needs (sources
    /// that create tensors, such as a VarMap, use it).
    fn get(&mut self, name: &str, expected: &[usize]) -> Result<Option<Weight>>;
}

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

/// Fetches a tensor, insisting on presence and shape.
pub(crate) fn require(
    src: &mut dyn WeightSource,
    name: &str,
    expected: &[usize],
    arch: &str,
) -> Result<Weight> {
    let w = src
        .get(name, expected)?
        .ok_or_else(|| ModelError::MissingTensor {
            name: name.to_string(),
            source_desc: src.describe(),
            arch: arch.to_string(),
        })?;
    check_shape(name, &w, expected)?;
    Ok(w)
}

pub(crate) fn check_shape(name: &str, w: &Weight, expected: &[usize]) -> Result<()> {
    let found = w.dims();
    if found != expected {
        return Err(ModelError::ShapeMismatch {
            name: name.to_string(),
            expected: expected.to_vec(),
            found,
        });
    }
    Ok(())
}
