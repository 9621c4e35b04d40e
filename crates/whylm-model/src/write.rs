//! Writing checkpoints: Hugging Face directories (config.json + model.safetensors) and GGUF
//! files (optionally quantized), both readable by this crate's loaders.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{DType, Tensor};

use crate::config::{Config, RopeScaling, RopeStyle};
use crate::error::{ModelError, Result};
use crate::model::Model;
use crate::weights::{Naming, Role};

/// Converts Q/K weights (and biases) between the two RoPE row layouts, in place.
/// HF layout = rotate-half; GGUF `llama` layout = adjacent pairs.
pub(crate) fn permute_qk(
    tensors: &mut BTreeMap<String, Tensor>,
    config: &Config,
    to: RopeStyle,
) -> Result<()> {
    let hd = config.head_dim;
    for l in 0..config.num_layers {
        for (role, heads) in [(Role::Q, config.num_heads), (Role::K, config.num_kv_heads)] {
            for bias in [false, true] {
                let name = Naming::HuggingFace.name(role, l, bias);
                let Some(w) = tensors.get(&name) else { continue };
                let cols = if bias { 1 } else { w.dim(1)? };
                // Interleaved row (head, i, pair) <-> rotate-half row (head, pair, i).
                let split = match to {
                    RopeStyle::RotateHalf => (heads, hd / 2, 2, cols),
                    RopeStyle::Interleaved => (heads, 2, hd / 2, cols),
                };
                let p = w
                    .reshape(split)?
                    .transpose(1, 2)?
                    .contiguous()?
                    .reshape(w.shape())?;
                tensors.insert(name, p);
            }
        }
    }
    Ok(())
}

/// Writes `config.json` and `model.safetensors` (f32, HF names) into `dir`, creating it.
pub fn save_hf_tensors(tensors: &BTreeMap<String, Tensor>, config: &Config, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| ModelError::io(dir, e))?;
    let mut hf_config = config.clone();
    hf_config.rope_style = RopeStyle::RotateHalf;
    if let Some(RopeScaling::FreqFactors(_)) = hf_config.rope_scaling {
        return Err(ModelError::Config {
            message: "per-frequency RoPE factors (GGUF rope_freqs) have no config.json form; export this model as GGUF".into(),
        });
    }
    let config_path = dir.join("config.json");
    std::fs::write(&config_path, hf_config.to_hf_json()).map_err(|e| ModelError::io(&config_path, e))?;
    let mut plain: HashMap<String, Tensor> = HashMap::new();
    for (k, v) in tensors {
        plain.insert(k.clone(), v.to_dtype(DType::F32)?.contiguous()?);
    }
    let st_path = dir.join("model.safetensors");
    candle_core::safetensors::save(&plain, &st_path)?;
    Ok(())
}

/// Saves a model as a Hugging Face directory that [`crate::load_hf_model`] reads back.
pub fn save_hf_dir(model: &Model, dir: &Path) -> Result<()> {
    save_hf_tensors(&model.hf_tensors()?, model.config(), dir)
}

/// Saves the variables of a training run (HF names, as made by [`Model::from_var_builder`]).
pub fn save_varmap_hf_dir(varmap: &candle_nn::VarMap, config: &Config, dir: &Path) -> Result<()> {
    let data = varmap
        .data()
        .lock()
        .map_err(|_| ModelError::InvalidInput("the VarMap lock is poisoned".into()))?;
    let tensors: BTreeMap<String, Tensor> = data
        .iter()
        .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
        .collect();
    save_hf_tensors(&tensors, config, dir)
}

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
    // The GGUF loader reads llama/mistral rows as adjacent-pair RoPE (llama.cpp's convention).
    if matches!(
        c.architecture,
        crate::config::Architecture::Llama | crate::config::Architecture::Mistral
    ) {
        permute_qk(&mut tensors, c, RopeStyle::Interleaved)?;
    }
    let a = c.architecture.name();
    let mut md: Vec<(String, Value)> = vec![
        ("general.architecture".into(), Value::String(a.into())),
        (format!("{a}.context_length"), Value::U32(c.context_length as u32)),
        (format!("{a}.embedding_length"), Value::U32(c.hidden_size as u32)),
        (
            format!("{a}.feed_forward_length"),
            Value::U32(c.intermediate_size as u32),
        ),
        (format!("{a}.block_count"), Value::U32(c.num_layers as u32)),
        (
            format!("{a}.attention.head_count"),
            Value::U32(c.num_heads as u32),
        ),
        (
            format!("{a}.attention.head_count_kv"),
            Value::U32(c.num_kv_heads as u32),
        ),
        (format!("{a}.attention.key_length"), Value::U32(c.head_dim as u32)),
        (
            format!("{a}.attention.value_length"),
            Value::U32(c.head_dim as u32),
        ),
        (format!("{a}.rope.dimension_count"), Value::U32(c.head_dim as u32)),
        (
            format!("{a}.attention.layer_norm_rms_epsilon"),
            Value::F32(c.rms_norm_eps as f32),
        ),
        (format!("{a}.rope.freq_base"), Value::F32(c.rope_theta as f32)),
        (format!("{a}.vocab_size"), Value::U32(c.vocab_size as u32)),
    ];
    if let Some(RopeScaling::Linear { factor }) = &c.rope_scaling {
        md.push((format!("{a}.rope.scaling.type"), Value::String("linear".into())));
        md.push((format!("{a}.rope.scaling.factor"), Value::F32(*factor as f32)));
    }
    if let Some(b) = c.bos_token_id {
        md.push(("tokenizer.ggml.bos_token_id".into(), Value::U32(b)));
    }
    if let Some(e) = c.eos_token_ids.first() {
        md.push(("tokenizer.ggml.eos_token_id".into(), Value::U32(*e)));
    }
    let mut extra_keys: Vec<&String> = extra.keys().collect();
    extra_keys.sort();
    for k in extra_keys {
        if !md.iter().any(|(m, _)| m == k) && k != "general.alignment" {
            md.push((k.clone(), extra[k].clone()));
        }
    }
    let mut qtensors = Vec::new();
    let rope_factors = crate::rope::inverse_frequencies(c);
    if let Some(RopeScaling::FreqFactors(f)) = &c.rope_scaling {
        let t = Tensor::from_vec(f.clone(), f.len(), model.device())?;
        qtensors.push((
            "rope_freqs.weight".to_string(),
            QTensor::quantize(&t, GgmlDType::F32)?,
        ));
    } else if let Some(RopeScaling::Llama3 { .. }) = &c.rope_scaling {
        // llama.cpp stores Llama-3 scaling as per-frequency divisors.
        let mut plain = c.clone();
        plain.rope_scaling = None;
        let base = crate::rope::inverse_frequencies(&plain);
        let f: Vec<f32> = base
            .iter()
            .zip(&rope_factors)
            .map(|(b, s)| (b / s) as f32)
            .collect();
        let t = Tensor::from_vec(f.clone(), f.len(), model.device())?;
        qtensors.push((
            "rope_freqs.weight".to_string(),
            QTensor::quantize(&t, GgmlDType::F32)?,
        ));
    }
    for (hf_name, t) in &tensors {
        let Some(gguf_name) = hf_to_gguf_name(hf_name, c.num_layers) else {
            continue;
        };
        let storage = storage_type_for(t.dims(), dtype);
        qtensors.push((gguf_name, QTensor::quantize(&t.contiguous()?, storage)?));
    }
    write_gguf(path, &md, &qtensors)
}

fn hf_to_gguf_name(hf: &str, layers: usize) -> Option<String> {
    let roles = [
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
    for l in 0..layers.max(1) {
        for role in roles {
            for bias in [false, true] {
                if Naming::HuggingFace.name(role, l, bias) == hf {
                    return Some(Naming::Gguf.name(role, l, bias));
                }
            }
        }
    }
    None
}
