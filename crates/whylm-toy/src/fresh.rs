//! A freshly initialised toy model on whylm-model's own forward pass, ready to train.

use crate::error::ToyError;
use crate::shape::ToyShape;
use crate::train::init_parameters;
use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use whylm_model::{Config, Model};

/// whylm-model's configuration for a toy shape, parsed from the same `config.json` text the assets carry.
pub fn model_config(shape: &ToyShape) -> Result<Config, ToyError> {
    Ok(Config::from_hf_json(&shape.config_json())?)
}

/// A model whose parameters are trainable variables in `varmap`.
pub struct FreshModel {
    pub varmap: VarMap,
    pub model: Model,
    pub config: Config,
}

/// Builds the model through `Model::from_var_builder` and sets its weights from `seed` (see
/// [`init_parameters`]), so that training runs the exact forward pass the runtime serves.
pub fn fresh_model(shape: &ToyShape, seed: u64, device: &Device) -> Result<FreshModel, ToyError> {
    let config = model_config(shape)?;
    let varmap = VarMap::new();
    let model = Model::from_var_builder(&config, VarBuilder::from_varmap(&varmap, DType::F32, device))?;
    init_parameters(&varmap, seed, shape.num_hidden_layers)?;
    Ok(FreshModel {
        varmap,
        model,
        config,
    })
}
