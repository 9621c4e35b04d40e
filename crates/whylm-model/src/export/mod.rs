//! Writing checkpoints: Hugging Face directories (config.json + model.safetensors) and GGUF
//! files (optionally quantized), both readable by this crate's loaders.

mod gguf;
mod hf;

pub use gguf::{save_gguf, storage_type_for, write_gguf};
pub use hf::{save_hf_dir, save_hf_tensors, save_varmap_hf_dir};
