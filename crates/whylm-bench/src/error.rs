//! Errors of the benchmark suite.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("model runtime: {0}")]
    Model(#[from] whylm_model::ModelError),
    #[error("model backend: {0}")]
    Backend(#[from] whylm_model::BackendError),
    #[error("explanation failed: {0}")]
    Shapley(#[from] whylm_shapley::ShapleyError),
    #[error("tensor computation failed: {0}")]
    Candle(#[from] candle_core::Error),
    #[error("tokenizer: {message}; check that {path} is the stories260K GGUF with its vocabulary")]
    Tokenizer { path: PathBuf, message: String },
    #[error("cannot write {path}: {source}; pass a writable directory for the synthetic model")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("real-model section: {0}")]
    RealModel(String),
    #[error("invalid benchmark options: {0}")]
    Options(String),
}

pub type Result<T, E = BenchError> = std::result::Result<T, E>;
