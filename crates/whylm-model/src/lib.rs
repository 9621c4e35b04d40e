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
//!
//! Inside: `layers` holds the network's pieces (embedding, norm, attention, MLP, block, head),
//! `llama` puts them together, `scorer` owns the scoring state; `arch` is the one table of
//! per-architecture differences that `hf_config` and `gguf_config` read files with.

mod arch;
mod attention_maps;
mod backend;
mod batch_plan;
mod config;
mod convert;
mod dtype;
mod dtype_plan;
mod error;
mod export;
mod forward;
mod generate;
mod gguf_check;
mod gguf_config;
mod hf_config;
mod layers;
mod llama;
mod load;
mod loaded;
mod model;
mod names;
mod prefix;
mod rope;
mod row_stable;
mod safetensors_source;
mod score;
mod scorer;
mod sources;
mod stats;
mod threads;
mod weights;

pub use arch::{Architecture, SUPPORTED_ARCHITECTURES};
pub use attention_maps::AttentionMaps;
pub use backend::Embedded;
pub use candle_core::quantized::gguf_file::Value as GgufValue;
pub use candle_core::quantized::GgmlDType;
pub use candle_core::{DType, Device, Tensor};
pub use config::{Config, RopeScaling, RopeStyle};
pub use dtype::{
    available_memory, bytes_text, parse_memory_size, DtypeChoice, LoadOptions, WeightDtype, WEIGHT_DTYPES,
};
pub use dtype_plan::MIN_BATCH_BUDGET;
pub use error::{ModelError, Result};
pub use export::{save_gguf, save_hf_dir, save_hf_tensors, save_varmap_hf_dir, storage_type_for, write_gguf};
pub use generate::{argmax, sample};
pub use load::{
    is_gguf_file, load_gguf_model, load_gguf_model_from_bytes, load_gguf_model_with, load_hf_model,
    load_hf_model_from_memory, load_hf_model_with, GgufModel, ModelFormat, ModelInfo,
};
pub use loaded::{load, load_from_memory, load_on, load_with, LoadedModel};
pub use model::Model;
pub use scorer::DEFAULT_MEMORY_BUDGET;
pub use stats::WeightStats;
pub use threads::{num_threads, set_num_threads};
pub use weights::ggml_type_name;
pub use whylm_backend::{
    masked_row, Backend, BackendError, GenerateSettings, Generation, MaskedRow, Masker, Sampling, ScoreKind,
    StopReason,
};
