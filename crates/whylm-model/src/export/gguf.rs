//! GGUF files in llama.cpp's conventions: `<arch>.*` metadata, `blk.N.*` tensor names,
//! `llama`/`mistral` Q/K rows in adjacent-pair RoPE layout.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::Tensor;

use crate::config::{Config, RopeScaling, RopeStyle};
use crate::error::{ModelError, Result};
use crate::model::Model;
use crate::names::hf_to_gguf_name;
use crate::rope::{inverse_frequencies, permute_qk};

/// Writes a GGUF file from metadata and tensors (thin wrapper with path-aware errors).
pub fn write_gguf(path: &Path, metadata: &[(String, Value)], tensors: &[(String, QTensor)]) -> Result<()> {
    let file = File::create(path).map_err(|e| ModelError::io(path, e))?;
    let mut w = BufWriter::new(file);
    let md: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let ts: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    gguf_file::write(&mut w, &md, &ts)?;
    use std::io::Write;
    w.flush().map_err(|e| ModelError::io(path, e))?;
    Ok(())
}

/// The GGUF storage type a 2-D weight gets when `dtype` is requested: quantized types need
/// rows that are a whole number of blocks; other rows stay F32 (llama.cpp falls back too).
pub fn storage_type_for(dims: &[usize], dtype: GgmlDType) -> GgmlDType {
    match dims {
        [_, cols] if cols % dtype.block_size() == 0 => dtype,
        _ => GgmlDType::F32,
    }
}

/// Writes a model as a GGUF file (architecture of the model; `llama`/`mistral` rows in
/// adjacent-pair RoPE layout as llama.cpp expects). Matrices are stored as `dtype` where their
/// row length allows it, norms and biases as F32. `extra` metadata (e.g. the `tokenizer.*`
/// keys of the source GGUF) is copied unless it collides with a model key.
pub fn save_gguf(model: &Model, path: &Path, dtype: GgmlDType, extra: &HashMap<String, Value>) -> Result<()> {
    let c = model.config();
    let mut tensors = model.hf_tensors()?;
    // The GGUF loader reads rows in the architecture's GGUF layout (llama.cpp's convention).
    if c.architecture.spec().gguf_rope_style == RopeStyle::Interleaved {
        permute_qk(&mut tensors, c, RopeStyle::Interleaved)?;
    }
    let mut md = model_metadata(c);
    let mut extra_keys: Vec<&String> = extra.keys().collect();
    extra_keys.sort();
    for k in extra_keys {
        if !md.iter().any(|(m, _)| m == k) && k != "general.alignment" {
            md.push((k.clone(), extra[k].clone()));
        }
    }
    let mut qtensors = Vec::new();
    if let Some(factors) = rope_freqs(c) {
        let t = Tensor::from_vec(factors.clone(), factors.len(), model.device())?;
        qtensors.push((
            "rope_freqs.weight".to_string(),
            QTensor::quantize(&t, GgmlDType::F32)?,
        ));
    }
    qtensors.extend(quantized_tensors(&tensors, c, dtype)?);
    write_gguf(path, &md, &qtensors)
}

fn quantized_tensors(
    tensors: &BTreeMap<String, Tensor>,
    c: &Config,
    dtype: GgmlDType,
) -> Result<Vec<(String, QTensor)>> {
    let mut out = Vec::new();
    for (hf_name, t) in tensors {
        let Some(gguf_name) = hf_to_gguf_name(hf_name, c.num_layers) else {
            continue;
        };
        let storage = storage_type_for(t.dims(), dtype);
        out.push((gguf_name, QTensor::quantize(&t.contiguous()?, storage)?));
    }
    Ok(out)
}

/// Per-frequency RoPE divisors for the `rope_freqs` tensor: the file's own, or Llama-3 scaling
/// in that form (llama.cpp stores it so).
fn rope_freqs(c: &Config) -> Option<Vec<f32>> {
    match &c.rope_scaling {
        Some(RopeScaling::FreqFactors(f)) => Some(f.clone()),
        Some(RopeScaling::Llama3 { .. }) => {
            let mut plain = c.clone();
            plain.rope_scaling = None;
            let base = inverse_frequencies(&plain);
            let scaled = inverse_frequencies(c);
            Some(base.iter().zip(&scaled).map(|(b, s)| (b / s) as f32).collect())
        }
        Some(RopeScaling::Linear { .. }) | None => None,
    }
}

fn model_metadata(c: &Config) -> Vec<(String, Value)> {
    let a = c.architecture.name();
    let u = |n: usize| Value::U32(n as u32);
    let mut md: Vec<(String, Value)> = vec![
        ("general.architecture".into(), Value::String(a.into())),
        (format!("{a}.context_length"), u(c.context_length)),
        (format!("{a}.embedding_length"), u(c.hidden_size)),
        (format!("{a}.feed_forward_length"), u(c.intermediate_size)),
        (format!("{a}.block_count"), u(c.num_layers)),
        (format!("{a}.attention.head_count"), u(c.num_heads)),
        (format!("{a}.attention.head_count_kv"), u(c.num_kv_heads)),
        (format!("{a}.attention.key_length"), u(c.head_dim)),
        (format!("{a}.attention.value_length"), u(c.head_dim)),
        (format!("{a}.rope.dimension_count"), u(c.head_dim)),
        (
            format!("{a}.attention.layer_norm_rms_epsilon"),
            Value::F32(c.rms_norm_eps as f32),
        ),
        (format!("{a}.rope.freq_base"), Value::F32(c.rope_theta as f32)),
        (format!("{a}.vocab_size"), u(c.vocab_size)),
    ];
    if let Some(RopeScaling::Linear { factor }) = &c.rope_scaling {
        md.push((format!("{a}.rope.scaling.type"), Value::String("linear".into())));
        md.push((format!("{a}.rope.scaling.factor"), Value::F32(*factor as f32)));
    }
    if let Some(window) = c.sliding_window {
        md.push((format!("{a}.attention.sliding_window"), u(window)));
    }
    if let Some(b) = c.bos_token_id {
        md.push(("tokenizer.ggml.bos_token_id".into(), Value::U32(b)));
    }
    if let Some(e) = c.eos_token_ids.first() {
        md.push(("tokenizer.ggml.eos_token_id".into(), Value::U32(*e)));
    }
    md
}
