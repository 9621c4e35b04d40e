//! Text to token ids plus byte spans, for the tokenizers Llama-family models ship with.
//!
//! - [`Tokenizer::from_hf_dir`] / [`Tokenizer::from_tokenizer_json`]: a Hugging Face
//!   `tokenizer.json` through the `tokenizers` crate.
//! - [`Tokenizer::from_gguf_file`] / [`Tokenizer::from_gguf_bytes`] /
//!   [`Tokenizer::from_gguf_metadata`]: the vocabulary a GGUF file embeds, converted to a
//!   `tokenizers` BPE so that it tokenizes exactly as llama.cpp does (checked against llama.cpp's
//!   own test vectors in `tests/conformance.rs`). Supported `tokenizer.ggml.model` values:
//!   `llama` (SentencePiece BPE) and `gpt2` (byte-level BPE, with every pre-tokenizer in
//!   [`SUPPORTED_GGUF_PRE_TOKENIZERS`]). The crate reads GGUF headers itself ([`GgufMetadata`]).
//!
//! [`Tokenizer::encode`] returns an [`Encoding`]: ids, byte spans into the original text (the
//! contract is documented on [`Encoding::spans`]) and which tokens are special.

mod error;
mod gguf;
mod hf;
mod parts;
mod pieces;
mod spans;
mod text_tokenizer;
mod tokenizer;

pub use error::{Result, TokenizeError};
pub use gguf::{GgufMetadata, MetaValue};
pub use gguf::{SUPPORTED_MODELS as SUPPORTED_GGUF_MODELS, SUPPORTED_PRE as SUPPORTED_GGUF_PRE_TOKENIZERS};
pub use parts::TokenizerKind;
pub use tokenizer::{EncodeOptions, Tokenizer};
pub use whylm_backend::Encoding;
