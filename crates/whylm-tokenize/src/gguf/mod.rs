//! Vocabularies embedded in GGUF files: reading the header and metadata ([`GgufMetadata`]),
//! decoding the `tokenizer.ggml.*` keys, and converting them to the parts of a tokenizer that
//! tokenizes as llama.cpp does.

mod added_tokens;
mod bpe;
mod metadata;
mod pre_tokenizers;
mod reader;
mod spm;
mod vocab;

#[cfg(test)]
mod pre_tokenizer_tests;

pub use metadata::{GgufMetadata, MetaValue};
pub use pre_tokenizers::SUPPORTED_PRE;

use crate::error::{Result, TokenizeError};
use crate::parts::TokenizerParts;

/// GGUF `tokenizer.ggml.model` values this crate converts.
pub const SUPPORTED_MODELS: &[&str] = &["llama", "gpt2"];

/// Converts the vocabulary of `metadata` (`llama`: SentencePiece BPE, `gpt2`: byte-level BPE).
pub(crate) fn build(metadata: &GgufMetadata) -> Result<TokenizerParts> {
    let vocab = vocab::GgufVocab::from_metadata(metadata)?;
    match vocab.model.as_str() {
        "llama" => spm::build(&vocab),
        "gpt2" => bpe::build(&vocab),
        other => Err(TokenizeError::UnsupportedModel {
            model: other.to_string(),
            supported: SUPPORTED_MODELS.join(", "),
        }),
    }
}
