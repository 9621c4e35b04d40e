//! The built-in default model: the trained assets compiled into the binary.

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
    serde_json::from_str(TRAINING_JSON).map_err(|e| {
        ToyError::Settings(format!(
            "the embedded training.json is malformed: {e}; retrain the toy model"
        ))
    })
}
