//! Loading a model with its tokenizer: a GGUF file, a Hugging Face directory, or the built-in default model.

use std::path::Path;

use anyhow::Result;
use whylm_model::{load_gguf_model, load_hf_model, Device, GgufValue, Model, ModelFormat, ModelInfo};
use whylm_tokenize::Tokenizer;

use crate::failure::UserError;
use crate::fault::tokenize_error;
use crate::options::model_path::{check_model_path, ModelPathKind};

/// A model ready to run, and what reports say about it.
pub struct LoadedModel {
    pub model: Model,
    pub tokenizer: Tokenizer,
    pub info: ModelInfo,
    /// A short name for reports (GGUF `general.name`, else the file or directory name).
    pub name: String,
}

impl LoadedModel {
    /// What the explanation document records about the model.
    pub fn report_info(&self) -> whylm_report::ModelInfo {
        whylm_report::ModelInfo {
            name: self.name.clone(),
            path: self.info.source.clone(),
            architecture: self.info.architecture.clone(),
        }
    }
}

/// Loads `path`; every failure is about the user's file (missing, damaged, unsupported), so it exits 2.
pub fn load_model(path: &Path) -> Result<LoadedModel> {
    let device = Device::Cpu;
    let source = path.display().to_string();
    let fallback_name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| source.clone());
    match check_model_path(path, "config.json")? {
        ModelPathKind::File => {
            let gguf = load_gguf_model(path, &device).map_err(UserError::from_message)?;
            let tokenizer = Tokenizer::from_gguf_file(path).map_err(tokenize_error)?;
            let info = ModelInfo::describe(&gguf.model, ModelFormat::Gguf, source);
            // Converters often write the architecture ("llama") as the name; the file name says more then.
            let name = match gguf.metadata.get("general.name") {
                Some(GgufValue::String(name)) if !name.trim().is_empty() && *name != info.architecture => {
                    name.clone()
                }
                _ => fallback_name,
            };
            Ok(LoadedModel {
                model: gguf.model,
                tokenizer,
                info,
                name,
            })
        }
        ModelPathKind::Directory => {
            let model = load_hf_model(path, &device).map_err(UserError::from_message)?;
            let tokenizer = Tokenizer::from_hf_dir(path).map_err(tokenize_error)?;
            let info = ModelInfo::describe(&model, ModelFormat::HuggingFace, source);
            Ok(LoadedModel {
                model,
                tokenizer,
                info,
                name: fallback_name,
            })
        }
    }
}

/// Loads the model the user named, or the built-in default model, saying so on stderr unless `quiet`.
pub fn load_model_or_default(path: Option<&Path>, quiet: bool) -> Result<LoadedModel> {
    match path {
        Some(path) => load_model(path),
        None => {
            let loaded = load_default_model()?;
            if !quiet {
                eprintln!(
                    "note: no --model given, so whylm uses its built-in default model (a small model trained on a \
                     synthetic key-value language); pass --model PATH to explain your own model"
                );
            }
            Ok(loaded)
        }
    }
}

/// The built-in model: whylm-toy's weights and tokenizer, compiled into the binary. It cannot be the user's fault if
/// it fails to load, so that is an internal error (exit 1).
fn load_default_model() -> Result<LoadedModel> {
    let loaded = whylm_toy::default_model()
        .map_err(|e| anyhow::anyhow!("the built-in default model failed to load: {e}"))?;
    Ok(LoadedModel {
        model: loaded.model,
        tokenizer: loaded.tokenizer,
        info: loaded.info,
        name: "whylm-toy (built-in)".to_string(),
    })
}
