//! Reading the tokenizer that a GGUF file embeds (`tokenizer.ggml.*` metadata keys).

use super::metadata::{GgufMetadata, MetaValue};
use crate::error::{Result, TokenizeError};

/// llama.cpp's token types (`tokenizer.ggml.token_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
    Undefined,
}

impl TokenType {
    fn from_code(code: i64) -> Self {
        match code {
            1 => Self::Normal,
            2 => Self::Unknown,
            3 => Self::Control,
            4 => Self::UserDefined,
            5 => Self::Unused,
            6 => Self::Byte,
            _ => Self::Undefined,
        }
    }
}

/// The tokenizer part of GGUF metadata, decoded but not yet turned into a tokenizer.
#[derive(Debug, Clone)]
pub struct GgufVocab {
    /// `tokenizer.ggml.model`, e.g. `llama` or `gpt2`.
    pub model: String,
    /// `tokenizer.ggml.pre` (byte-level BPE pre-tokenizer name), if present.
    pub pre: Option<String>,
    pub tokens: Vec<String>,
    /// One score per token (SentencePiece log-probabilities); empty when the file has none.
    pub scores: Vec<f32>,
    /// One type per token; `Normal` for every token when the file has no types.
    pub types: Vec<TokenType>,
    /// `tokenizer.ggml.merges` as `"left right"` strings; empty when absent.
    pub merges: Vec<String>,
    pub bos_id: Option<u32>,
    pub eos_id: Option<u32>,
    pub unk_id: Option<u32>,
    pub add_bos: Option<bool>,
    pub add_eos: Option<bool>,
    pub add_space_prefix: Option<bool>,
}

fn missing(key: &str, detail: impl Into<String>) -> TokenizeError {
    TokenizeError::MissingVocabKey {
        key: key.to_string(),
        detail: detail.into(),
    }
}

fn get_string(meta: &GgufMetadata, key: &str) -> Result<Option<String>> {
    match meta.get(key) {
        None => Ok(None),
        Some(MetaValue::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(missing(
            key,
            format!("expected a string, found {}", other.type_name()),
        )),
    }
}

/// A token id key; out-of-range ids (llama.cpp writes 0xFFFFFFFF for "none") become `None`.
fn get_id(meta: &GgufMetadata, key: &str, n_tokens: usize) -> Option<u32> {
    let id = meta.get(key)?.as_i64()?;
    (0..n_tokens as i64).contains(&id).then_some(id as u32)
}

fn get_bool(meta: &GgufMetadata, key: &str) -> Option<bool> {
    meta.get(key)?.as_bool()
}

fn get_array<'a>(meta: &'a GgufMetadata, key: &str) -> Result<Option<&'a [MetaValue]>> {
    match meta.get(key) {
        None => Ok(None),
        Some(MetaValue::Array(a)) => Ok(Some(a)),
        Some(other) => Err(missing(
            key,
            format!("expected an array, found {}", other.type_name()),
        )),
    }
}

fn get_strings(meta: &GgufMetadata, key: &str) -> Result<Option<Vec<String>>> {
    let Some(values) = get_array(meta, key)? else {
        return Ok(None);
    };
    values
        .iter()
        .map(|v| match v {
            MetaValue::String(s) => Ok(s.clone()),
            other => Err(missing(
                key,
                format!("expected strings, found {}", other.type_name()),
            )),
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// A per-token array that must cover every token when present.
fn get_per_token<T>(
    meta: &GgufMetadata,
    key: &str,
    n: usize,
    what: &str,
    convert: impl Fn(&MetaValue) -> Option<T>,
) -> Result<Option<Vec<T>>> {
    let Some(values) = get_array(meta, key)? else {
        return Ok(None);
    };
    let items = values
        .iter()
        .map(convert)
        .collect::<Option<Vec<T>>>()
        .ok_or_else(|| missing(key, format!("expected {what}")))?;
    if items.len() < n {
        return Err(missing(key, format!("{} values for {n} tokens", items.len())));
    }
    Ok(Some(items))
}

impl GgufVocab {
    /// Decodes the `tokenizer.ggml.*` keys; checks types and lengths but not the model name.
    pub fn from_metadata(meta: &GgufMetadata) -> Result<Self> {
        let model = get_string(meta, "tokenizer.ggml.model")?
            .ok_or_else(|| missing("tokenizer.ggml.model", "key absent"))?;
        let pre = get_string(meta, "tokenizer.ggml.pre")?;
        let tokens = get_strings(meta, "tokenizer.ggml.tokens")?
            .ok_or_else(|| missing("tokenizer.ggml.tokens", "key absent"))?;
        if tokens.is_empty() {
            return Err(missing("tokenizer.ggml.tokens", "the vocabulary is empty"));
        }
        let n = tokens.len();
        let scores = get_per_token(meta, "tokenizer.ggml.scores", n, "numbers", |v| {
            v.as_f64().map(|x| x as f32)
        })?
        .unwrap_or_default();
        let types = get_per_token(meta, "tokenizer.ggml.token_type", n, "integers", |v| {
            v.as_i64().map(TokenType::from_code)
        })?
        .unwrap_or_else(|| vec![TokenType::Normal; n]);
        let merges = get_strings(meta, "tokenizer.ggml.merges")?.unwrap_or_default();

        Ok(Self {
            model,
            pre,
            scores,
            types,
            merges,
            bos_id: get_id(meta, "tokenizer.ggml.bos_token_id", n),
            eos_id: get_id(meta, "tokenizer.ggml.eos_token_id", n),
            unk_id: get_id(meta, "tokenizer.ggml.unknown_token_id", n),
            add_bos: get_bool(meta, "tokenizer.ggml.add_bos_token"),
            add_eos: get_bool(meta, "tokenizer.ggml.add_eos_token"),
            add_space_prefix: get_bool(meta, "tokenizer.ggml.add_space_prefix"),
            tokens,
        })
    }

    pub fn token_type(&self, id: usize) -> TokenType {
        self.types.get(id).copied().unwrap_or(TokenType::Normal)
    }
}
