//! The one error type of the model runtime. Every message says what is wrong and what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a readable GGUF file ({message}); check that the download is complete and the file is GGUF v2 or v3")]
    Gguf { path: PathBuf, message: String },
    #[error("unsupported architecture '{found}'; supported: {supported}")]
    UnsupportedArchitecture { found: String, supported: String },
    #[error("missing metadata '{key}' in {source_desc}; the file was probably written by an unsupported converter")]
    MissingMetadata { key: String, source_desc: String },
    #[error("invalid config: {message}")]
    Config { message: String },
    #[error(
        "tensor '{name}' is missing from {source_desc}; the checkpoint is incomplete or not a {arch} model"
    )]
    MissingTensor {
        name: String,
        source_desc: String,
        arch: String,
    },
    #[error("tensor '{name}' has shape {found:?} but the config implies {expected:?}; config.json does not match the weights")]
    ShapeMismatch {
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error("tensor '{name}' has unsupported type {dtype}; supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K")]
    UnsupportedDType { name: String, dtype: String },
    #[error("safetensors file {path}: {message}")]
    Safetensors { path: PathBuf, message: String },
    #[error("the input needs {needed} positions but the model's context is {context}; shorten the prompt or the target")]
    ContextOverflow { needed: usize, context: usize },
    #[error("the input needs {needed} positions but the model attends only to the last {window} (sliding_window); whylm does not implement windowed attention, so shorten the prompt or the target to at most {window} tokens")]
    SlidingWindow { needed: usize, window: usize },
    #[error("{field} = {value} in {source_desc} is not implemented by whylm (it implements {supported}); whylm refuses the model rather than compute something else, so use a model without it")]
    UnsupportedField {
        field: String,
        source_desc: String,
        value: String,
        supported: String,
    },
    /// The caller's mistake: rows, targets or ids that do not fit the model.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A broken invariant inside whylm-model: a bug, not the caller's fault.
    #[error("internal error in whylm-model: {0}; this is a bug, please report it")]
    Internal(String),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("model path {path} is neither a .gguf file nor a directory with config.json; pass a GGUF file or a Hugging Face model directory")]
    UnknownFormat { path: PathBuf },
    /// The weights do not fit in the memory limit in the asked dtype (or in any, for auto).
    #[error("{0}")]
    MemoryLimit(String),
    #[error("tensor computation failed: {0}")]
    Candle(#[from] candle_core::Error),
}

pub type Result<T, E = ModelError> = std::result::Result<T, E>;

impl ModelError {
    /// Whether the request (rows, target, prompt length) is at fault rather than whylm or the
    /// model files.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            ModelError::ContextOverflow { .. }
                | ModelError::SlidingWindow { .. }
                | ModelError::InvalidInput(_)
                | ModelError::Tokenizer(_)
        )
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ModelError::Io {
            path: path.into(),
            source,
        }
    }
}
