//! whylm-toy: a synthetic key-value language in plain words, and the small Llama trained on it.
//!
//! The language's prompts record which words their answers are read from (`Example::sources`), which makes the
//! trained model a ground truth for attribution methods as well as whylm's built-in default model.

pub mod assets;
/// Needs the trained files in assets/ (config.json, model.safetensors, training.json); enable with the
/// `trained-assets` feature once they are committed.
#[cfg(feature = "trained-assets")]
pub mod builtin;
mod distractors;
pub mod error;
pub mod fresh;
pub mod language;
pub mod long;
pub mod shape;
pub mod tokenizer_files;
pub mod train;
pub mod vocab;

pub use assets::TrainingRecord;
#[cfg(feature = "trained-assets")]
pub use builtin::{default_model, default_training_record, long_model, long_training_record};
pub use error::ToyError;
pub use fresh::{fresh_model, FreshModel};
pub use language::{Example, Generator, LanguageSettings, TaskKind, WordDeletion};
pub use shape::ToyShape;
pub use train::{train, Batch, LossOn, StepReport, TrainSettings, TrainableLm};
pub mod held_out;
