//! `load(path)`: model + tokenizer + info in one call, for the CLI and the explain layer.

use std::collections::HashMap;
use std::path::Path;

use candle_core::quantized::gguf_file::Value as GgufValue;
use candle_core::Device;
use whylm_tokenize::Tokenizer;

use crate::dtype::LoadOptions;
use crate::error::{ModelError, Result};
use crate::load::{
    is_gguf_file, load_gguf_model_with, load_hf_model_from_memory, load_hf_model_with, ModelFormat, ModelInfo,
};
use crate::model::Model;

/// A model with its tokenizer.
pub struct LoadedModel {
    pub model: Model,
    pub tokenizer: Tokenizer,
    pub info: ModelInfo,
    /// A short name for reports: GGUF `general.name`, else the file or directory name.
    pub name: String,
}

/// The file stem or directory name of `path` (the whole path when it has none).
fn path_name(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// GGUF `general.name`, unless it is blank or only repeats the architecture (converters often write "llama"),
/// in which case the file name says more.
fn gguf_name(metadata: &HashMap<String, GgufValue>, architecture: &str, path: &Path) -> String {
    match metadata.get("general.name") {
        Some(GgufValue::String(name)) if !name.trim().is_empty() && name != architecture => name.clone(),
        _ => path_name(path),
    }
}

fn tokenizer_error(e: impl std::fmt::Display) -> ModelError {
    ModelError::Tokenizer(e.to_string().lines().next().unwrap_or("").to_string())
}

/// Loads a GGUF file or a Hugging Face directory (config.json + *.safetensors +
/// tokenizer.json) on the CPU, with the weight dtype `auto` (the fastest that fits in the
/// available memory).
pub fn load(path: &Path) -> Result<LoadedModel> {
    load_with(path, &LoadOptions::default())
}

/// [`load`] with a weight dtype and memory limit.
pub fn load_with(path: &Path, options: &LoadOptions) -> Result<LoadedModel> {
    load_on(path, options, &Device::Cpu)
}

/// [`load_with`] on `device`.
pub fn load_on(path: &Path, options: &LoadOptions, device: &Device) -> Result<LoadedModel> {
    let source = path.display().to_string();
    if path.is_dir() {
        if !path.join("config.json").is_file() {
            return Err(ModelError::UnknownFormat {
                path: path.to_path_buf(),
            });
        }
        let model = load_hf_model_with(path, options, device)?;
        let tokenizer = Tokenizer::from_hf_dir(path).map_err(tokenizer_error)?;
        let info = ModelInfo::describe(&model, ModelFormat::HuggingFace, source);
        return Ok(LoadedModel {
            model,
            tokenizer,
            info,
            name: path_name(path),
        });
    }
    if !path.exists() {
        return Err(ModelError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        ));
    }
    if !is_gguf_file(path) {
        return Err(ModelError::UnknownFormat {
            path: path.to_path_buf(),
        });
    }
    let gguf = load_gguf_model_with(path, options, device)?;
    let tokenizer = Tokenizer::from_gguf_file(path).map_err(tokenizer_error)?;
    let info = ModelInfo::describe(&gguf.model, ModelFormat::Gguf, source);
    let name = gguf_name(&gguf.metadata, &info.architecture, path);
    Ok(LoadedModel {
        model: gguf.model,
        tokenizer,
        info,
        name,
    })
}

/// Loads a model held in memory (config.json text, safetensors bytes, tokenizer.json bytes),
/// e.g. a small model embedded in the binary.
pub fn load_from_memory(config_json: &str, safetensors: &[u8], tokenizer_json: &[u8]) -> Result<LoadedModel> {
    let model = load_hf_model_from_memory(config_json, safetensors, &Device::Cpu)?;
    let tokenizer = Tokenizer::from_tokenizer_json(tokenizer_json).map_err(tokenizer_error)?;
    let info = ModelInfo::describe(&model, ModelFormat::Memory, "<embedded>".into());
    Ok(LoadedModel {
        model,
        tokenizer,
        info,
        name: "<embedded>".into(),
    })
}
