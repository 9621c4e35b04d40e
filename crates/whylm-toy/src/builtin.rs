//! The built-in models: the trained assets compiled into the binary. `default_model` answers the short prompts of
//! the toy language (its context is 64 tokens); `long_model` answers long recall prompts (up to 2,048 tokens, up to
//! 10 facts among 110-140 distractor sentences) and is the ground truth for long-context explanations.

use crate::assets::TrainingRecord;
use crate::error::ToyError;
use whylm_model::LoadedModel;

const CONFIG_JSON: &str = include_str!("../assets/config.json");
const MODEL_SAFETENSORS: &[u8] = include_bytes!("../assets/model.safetensors");
const TOKENIZER_JSON: &[u8] = include_bytes!("../assets/tokenizer.json");
const TRAINING_JSON: &str = include_str!("../assets/training.json");

/// The built-in toy model (weights, config and tokenizer compiled into the binary).
pub fn default_model() -> Result<LoadedModel, ToyError> {
    Ok(whylm_model::load_from_memory(
        CONFIG_JSON,
        MODEL_SAFETENSORS,
        TOKENIZER_JSON,
    )?)
}

/// How the built-in model was trained.
pub fn default_training_record() -> Result<TrainingRecord, ToyError> {
    training_record(TRAINING_JSON, "training.json")
}

/// An embedded training record; malformed means the assets were written by another version of whylm-toy.
fn training_record(json: &str, file: &str) -> Result<TrainingRecord, ToyError> {
    serde_json::from_str(json).map_err(|e| {
        ToyError::Settings(format!(
            "the embedded {file} is malformed: {e}; retrain the toy model"
        ))
    })
}

const LONG_CONFIG_JSON: &str = include_str!("../assets/long/config.json");
const LONG_MODEL_SAFETENSORS: &[u8] = include_bytes!("../assets/long/model.safetensors");
const LONG_TRAINING_JSON: &str = include_str!("../assets/long/training.json");

/// The long built-in model (`--model builtin:long`): the default model fine-tuned on long prompts (a few facts
/// among a hundred or more long distractor sentences). Same vocabulary and tokenizer as the default model.
pub fn long_model() -> Result<LoadedModel, ToyError> {
    Ok(whylm_model::load_from_memory(
        LONG_CONFIG_JSON,
        LONG_MODEL_SAFETENSORS,
        TOKENIZER_JSON,
    )?)
}

/// How the long built-in model was trained (its last fine-tuning phase, whose language its held-out prompts use).
pub fn long_training_record() -> Result<TrainingRecord, ToyError> {
    training_record(LONG_TRAINING_JSON, "long/training.json")
}
