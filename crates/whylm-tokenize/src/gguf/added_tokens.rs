//! Vocabulary pieces shared by both GGUF converters: the piece -> id map and the tokens that
//! llama.cpp matches in the text before tokenizing (control, unknown, user-defined).

use std::collections::HashSet;

use tokenizers::models::bpe::Vocab;
use tokenizers::AddedToken;

use super::vocab::{GgufVocab, TokenType};
use crate::error::{Result, TokenizeError};

pub(crate) fn invalid(detail: impl std::fmt::Display) -> TokenizeError {
    TokenizeError::InvalidVocab {
        detail: detail.to_string(),
    }
}

/// Builds the vocabulary map, rejecting duplicate pieces (llama.cpp rejects them too).
pub(crate) fn vocab_map(tokens: &[String]) -> Result<Vocab> {
    let mut vocab = Vocab::default();
    for (id, piece) in tokens.iter().enumerate() {
        if let Some(first) = vocab.insert(piece.clone(), id as u32) {
            return Err(invalid(format!(
                "piece {piece:?} appears twice (ids {first} and {id})"
            )));
        }
    }
    Ok(vocab)
}

/// Registers control, unknown and user-defined tokens as added tokens, the way llama.cpp
/// partitions text before tokenizing: control and unknown tokens are matched only when special
/// tokens are parsed, user-defined tokens always. Returns the ids that count as special.
pub(crate) fn add_vocab_tokens(inner: &mut tokenizers::Tokenizer, vocab: &GgufVocab) -> Result<HashSet<u32>> {
    let mut special_tokens = Vec::new();
    let mut user_tokens = Vec::new();
    let mut special = HashSet::new();
    for (id, piece) in vocab.tokens.iter().enumerate() {
        match vocab.token_type(id) {
            TokenType::Control | TokenType::Unknown => {
                if vocab.token_type(id) == TokenType::Control {
                    special.insert(id as u32);
                }
                special_tokens.push(AddedToken::from(piece.clone(), true).normalized(false));
            }
            TokenType::UserDefined => {
                user_tokens.push(AddedToken::from(piece.clone(), false).normalized(false));
            }
            _ => {}
        }
    }
    inner
        .add_special_tokens(special_tokens.clone())
        .map_err(invalid)?;
    inner.add_tokens(user_tokens.clone()).map_err(invalid)?;
    Ok(special)
}
