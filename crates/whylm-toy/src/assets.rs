//! Writing the trained model's files (the assets that `builtin` embeds).

use crate::error::ToyError;
use crate::fresh::FreshModel;
use crate::tokenizer_files::{tokenizer_config_json, tokenizer_json};
use crate::train::TrainSettings;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a training run did, kept beside the weights (`training.json`) so that tests can regenerate the exact
/// training stream and check that held-out prompts are new.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    pub settings: TrainSettings,
    pub final_loss: f32,
    /// Mean loss over the last 100 steps (one step's loss is noisy).
    pub final_loss_last_100: f32,
    pub held_out_accuracy: f64,
    pub held_out_seed: u64,
    pub held_out_examples: usize,
    pub wall_seconds: f64,
    pub command: String,
}

/// Writes config.json, model.safetensors, tokenizer.json, tokenizer_config.json, training.json and TRAINING.md.
pub fn write_assets(
    dir: &Path,
    trained: &FreshModel,
    record: &TrainingRecord,
    loss_curve: &str,
) -> Result<(), ToyError> {
    whylm_model::save_varmap_hf_dir(&trained.varmap, &trained.config, dir)?;
    write_tokenizer_files(dir, record.settings.context_len)?;
    let json = serde_json::to_string_pretty(record)
        .map_err(|e| ToyError::Settings(format!("cannot serialise the training record: {e}")))?;
    write_text(dir, "training.json", json + "\n")?;
    write_text(dir, "TRAINING.md", training_markdown(record, loss_curve))?;
    Ok(())
}

/// Writes tokenizer.json and tokenizer_config.json (they depend on the vocabulary only, not on training).
pub fn write_tokenizer_files(dir: &Path, context_len: usize) -> Result<(), ToyError> {
    write_text(dir, "tokenizer.json", tokenizer_json())?;
    write_text(dir, "tokenizer_config.json", tokenizer_config_json(context_len))
}

fn write_text(dir: &Path, name: &str, text: String) -> Result<(), ToyError> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|source| ToyError::Write { path, source })
}

fn training_markdown(record: &TrainingRecord, loss_curve: &str) -> String {
    let s = &record.settings;
    format!(
        "# The built-in toy model\n\n\
         A small Llama trained by `whylm-toy` on its synthetic language (key-value recall, copying, distractor \
         sentences), with whylm-model's own forward pass, candle autograd and AdamW.\n\n\
         Command (from the repository root):\n\n```\n{command}\n```\n\n\
         | | |\n|---|---|\n\
         | seed (data stream and initial weights) | {seed} |\n\
         | steps | {steps} |\n\
         | batch size | {batch} |\n\
         | peak learning rate (warm-up {warmup} steps, cosine to a tenth) | {lr} |\n\
         | weight decay | {wd} |\n\
         | loss on | {loss_on:?} |\n\
         | recall prompts (share of all prompts) | {recall} |\n\
         | recall prompts thinned: share, max rate of non-source word deletion | {thin_share}, {thin_rate} |\n\
         | final loss (last step) | {final_loss:.4} |\n\
         | final loss (mean of last 100 steps) | {final_loss_100:.4} |\n\
         | held-out greedy accuracy ({n} prompts, seed {held_seed}) | {acc:.4} |\n\
         | wall time | {wall:.0} s |\n\n\
         `training.json` holds the same facts in machine-readable form (tests regenerate the training stream from \
         it to check that held-out prompts are new).\n\n\
         ## Loss curve (mean over each 100 steps)\n\n```\n{loss_curve}```\n",
        command = record.command,
        seed = s.seed,
        steps = s.steps,
        batch = s.batch_size,
        warmup = s.warmup_steps,
        lr = s.learning_rate,
        wd = s.weight_decay,
        loss_on = s.loss_on,
        recall = s.language.recall_fraction,
        thin_share = s.language.word_deletion.share,
        thin_rate = s.language.word_deletion.max_rate,
        final_loss = record.final_loss,
        final_loss_100 = record.final_loss_last_100,
        n = record.held_out_examples,
        held_seed = record.held_out_seed,
        acc = record.held_out_accuracy,
        wall = record.wall_seconds,
    )
}
