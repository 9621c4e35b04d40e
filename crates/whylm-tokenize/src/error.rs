//! Everything that can go wrong while loading a tokenizer or encoding text.

use std::path::PathBuf;

/// Errors of this crate. Each message says what is wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    #[error("tokenizer file {path} does not exist: check the path (a GGUF file or a Hugging Face model directory)")]
    MissingFile { path: PathBuf },

    #[error("cannot read {path}: {source}; check the file's permissions")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path} is not a GGUF file (its first bytes are {found:?}, expected \"GGUF\"): pass a .gguf model or vocabulary file")]
    NotGguf { path: PathBuf, found: String },

    #[error("GGUF file {path} is truncated or corrupt ({detail}): download or convert it again")]
    TruncatedGguf { path: PathBuf, detail: String },

    #[error("the GGUF data is not a readable GGUF header ({detail}): pass the bytes of a .gguf model or vocabulary file")]
    MalformedGgufBytes { detail: String },

    #[error("the GGUF metadata has no usable `{key}` ({detail}): this file carries no complete tokenizer; use a GGUF converted with a recent llama.cpp or a Hugging Face directory with tokenizer.json")]
    MissingVocabKey { key: String, detail: String },

    #[error("unsupported tokenizer model `{model}`: supported are {supported}; convert the model with one of those tokenizers or use its Hugging Face tokenizer.json")]
    UnsupportedModel { model: String, supported: String },

    #[error("malformed tokenizer.json{where_}: {detail}; re-download it or re-export it with the `tokenizers` library")]
    MalformedTokenizerJson { where_: String, detail: String },

    #[error("malformed tokenizer_config.json at {path}: {detail}; fix or delete the file")]
    MalformedTokenizerConfig { path: PathBuf, detail: String },

    #[error("cannot build the tokenizer from the GGUF vocabulary: {detail}; the vocabulary is inconsistent, convert the model again")]
    InvalidVocab { detail: String },

    #[error("the input is not valid UTF-8 (first bad byte at offset {offset}): decode the text to UTF-8 before tokenizing")]
    InvalidUtf8 { offset: usize },

    #[error("token id {id} is outside the vocabulary (size {vocab_size}): the ids come from a different tokenizer")]
    UnknownId { id: u32, vocab_size: usize },

    #[error("tokenization failed: {detail}; please report this with the input text")]
    Encode { detail: String },
}

/// Shorthand used throughout the crate.
pub type Result<T> = std::result::Result<T, TokenizeError>;
