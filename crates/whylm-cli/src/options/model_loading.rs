//! Which model a command runs: the one the user named (loaded by `whylm_model::load`) or the built-in default.

use std::path::Path;

use anyhow::Result;
use whylm_model::LoadedModel;

use crate::failure::UserError;
use crate::options::model_path::check_model_path;
use crate::options::weights::WeightOptions;

/// What reports call the built-in default model.
const DEFAULT_MODEL_NAME: &str = "whylm-toy (built-in)";
/// What reports call the long built-in model.
const LONG_MODEL_NAME: &str = "whylm-toy long (built-in)";

/// The built-in models by the names `--model` takes: the default one, and the long one (prompts up to 2,048
/// tokens, see whylm-toy's long.rs).
const BUILTIN_NAMES: [&str; 2] = ["builtin", "builtin:long"];

/// Loads `path` with the weights stored as `weights` asks; every failure is about the user's file (missing,
/// damaged, unsupported) or options (a memory limit too small), so it exits 2.
pub fn load_model(path: &Path, weights: &WeightOptions) -> Result<LoadedModel> {
    match path.to_str() {
        Some("builtin") => return load_default_model(),
        Some("builtin:long") => return load_long_model(),
        Some(name) if name.starts_with("builtin:") && !path.exists() => {
            return Err(UserError::from_message(format!(
                "there is no built-in model {name:?}; the built-in models are {}",
                BUILTIN_NAMES.join(" and ")
            ))
            .into())
        }
        _ => {}
    }
    // The precise messages for a missing path or a directory that is no model come from the check; the loader's
    // own errors (damaged or unsupported files) already say what is wrong with the file.
    check_model_path(path, "config.json")?;
    whylm_model::load_with(path, &weights.load_options())
        .map_err(|error| UserError::from_message(error).into())
}

/// Loads the model the user named, or the built-in default model (always in its own f32 weights), saying so on
/// stderr unless `quiet`.
pub fn load_model_or_default(
    path: Option<&Path>,
    weights: &WeightOptions,
    quiet: bool,
) -> Result<LoadedModel> {
    match path {
        Some(path) => load_model(path, weights),
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
    let mut loaded = whylm_toy::default_model()
        .map_err(|e| anyhow::anyhow!("the built-in default model failed to load: {e}"))?;
    DEFAULT_MODEL_NAME.clone_into(&mut loaded.name);
    Ok(loaded)
}

/// The long built-in model (`--model builtin:long`); like the default one, a failure is whylm's (exit 1).
fn load_long_model() -> Result<LoadedModel> {
    let mut loaded = whylm_toy::long_model()
        .map_err(|e| anyhow::anyhow!("the long built-in model failed to load: {e}"))?;
    LONG_MODEL_NAME.clone_into(&mut loaded.name);
    Ok(loaded)
}

/// The loaded model as the backend every command runs through, named as reports name it.
/// What the explanation document records about the model.
pub fn report_info(loaded: &LoadedModel) -> whylm_report::ModelInfo {
    whylm_report::ModelInfo {
        name: loaded.name.clone(),
        path: loaded.info.source.clone(),
        architecture: loaded.info.architecture.clone(),
        dtype: loaded.info.dtype.chosen.name().to_string(),
        dtype_reason: loaded.info.dtype.why(),
        weight_bytes: loaded.info.weight_bytes as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_model_is_named_as_built_in() {
        let loaded = load_model_or_default(None, &WeightOptions::default(), true).unwrap();
        assert_eq!(loaded.name, DEFAULT_MODEL_NAME);
        assert_eq!(report_info(&loaded).name, DEFAULT_MODEL_NAME);
        assert_eq!(
            whylm_model::Backend::info(&loaded.backend()).name,
            DEFAULT_MODEL_NAME
        );
    }

    #[test]
    fn built_in_models_load_by_name_and_an_unknown_one_is_named_in_the_error() {
        let weights = WeightOptions::default();
        let long = load_model_or_default(Some(Path::new("builtin:long")), &weights, true).unwrap();
        assert_eq!(long.name, LONG_MODEL_NAME);
        assert!(long.model.config().context_length >= 2048);
        let short = load_model_or_default(Some(Path::new("builtin")), &weights, true).unwrap();
        assert_eq!(short.name, DEFAULT_MODEL_NAME);
        let Err(error) = load_model(Path::new("builtin:huge"), &weights) else {
            panic!("builtin:huge loaded");
        };
        let error = error.to_string();
        assert!(
            error.contains("builtin:huge") && error.contains("builtin:long"),
            "{error}"
        );
    }
}
