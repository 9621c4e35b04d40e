//! whylm-model: the Llama-family runtime of whylm on candle ops.
//!
//! - [`load`] a GGUF file or a Hugging Face directory (or [`load_from_memory`]) into a
//!   [`LoadedModel`] (model + tokenizer + [`ModelInfo`]).
//! - [`masked_row`] turns a coalition (kept flags) into a [`MaskedRow`] for a [`Masker`];
//!   [`Model::score_rows`] scores a target after many rows in batched teacher-forced passes:
//!   hidden slots are dropped, batches are sized from [`Model::memory_budget`], and the leading
//!   slots every row shares run once (their keys/values cached across calls; see
//!   [`Model::set_prefix_sharing`]).
//! - [`Model::generate`], [`Model::attention_probs`], [`Model::forward_train`] (autograd),
//!   [`save_hf_dir`] / [`save_gguf`] for fixtures and the toy model.

mod backend;
mod config;
mod error;
mod generate;
mod load;
mod loaded;
pub use loaded::{load, load_from_memory, load_on, LoadedModel};
mod model;
mod prefix;
mod rope;
mod score;
mod sources;
mod threads;
mod weights;
mod write;

pub use backend::Embedded;
pub use candle_core::quantized::gguf_file::Value as GgufValue;
pub use candle_core::quantized::GgmlDType;
pub use candle_core::{DType, Device, Tensor};
pub use config::{Architecture, Config, RopeScaling, RopeStyle, SUPPORTED_ARCHITECTURES};
pub use error::{ModelError, Result};
pub use generate::{argmax, sample};
pub use load::{
    is_gguf_file, load_gguf_model, load_gguf_model_from_bytes, load_hf_model, load_hf_model_from_memory,
    GgufModel, ModelFormat, ModelInfo,
};
pub use model::{AttentionMaps, Model, WeightStats, DEFAULT_MEMORY_BUDGET};
pub use threads::{num_threads, set_num_threads};
pub use weights::ggml_type_name;
pub use whylm_backend::{
    masked_row, Backend, BackendError, GenerateSettings, Generation, MaskedRow, Masker, Sampling, ScoreKind,
    StopReason,
};
pub use write::{save_gguf, save_hf_dir, save_hf_tensors, save_varmap_hf_dir, storage_type_for, write_gguf};
