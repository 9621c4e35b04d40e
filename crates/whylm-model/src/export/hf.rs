//! Hugging Face directories: config.json and one f32 model.safetensors.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use candle_core::{DType, Tensor};

use crate::config::{Config, RopeScaling, RopeStyle};
use crate::error::{ModelError, Result};
use crate::model::Model;

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
        .map_err(|_| ModelError::Internal("the VarMap lock is poisoned by a panicked thread".into()))?;
    let tensors: BTreeMap<String, Tensor> = data
        .iter()
        .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
        .collect();
    save_hf_tensors(&tensors, config, dir)
}
