//! Reading the tokenizer that a GGUF file embeds (`tokenizer.ggml.*` metadata keys).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use candle_core::quantized::gguf_file::{Content, Value};

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

const GGUF_MAGIC: &[u8; 4] = b"GGUF";

/// Reads only the header and metadata of a GGUF file (works on vocabulary-only files).
pub fn read_gguf_metadata(path: &Path) -> Result<HashMap<String, Value>> {
    if !path.exists() {
        return Err(TokenizeError::MissingFile {
            path: path.to_path_buf(),
        });
    }
    let io_err = |source| TokenizeError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_err)?;
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = file.read(&mut magic[got..]).map_err(io_err)?;
        if n == 0 {
            break;
        }
        got += n;
    }
    if &magic[..got] != GGUF_MAGIC {
        return Err(TokenizeError::NotGguf {
            path: path.to_path_buf(),
            found: String::from_utf8_lossy(&magic[..got]).into_owned(),
        });
    }
    let mut reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io_err)?);
    let content = Content::read(&mut reader).map_err(|e| TokenizeError::TruncatedGguf {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    Ok(content.metadata)
}

fn missing(key: &str, detail: impl Into<String>) -> TokenizeError {
    TokenizeError::MissingVocabKey {
        key: key.to_string(),
        detail: detail.into(),
    }
}

fn get_string(meta: &HashMap<String, Value>, key: &str) -> Result<Option<String>> {
    match meta.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(missing(
            key,
            format!("expected a string, found {:?}", other.value_type()),
        )),
    }
}

fn value_as_i64(v: &Value) -> Option<i64> {
    Some(match v {
        Value::U8(x) => i64::from(*x),
        Value::I8(x) => i64::from(*x),
        Value::U16(x) => i64::from(*x),
        Value::I16(x) => i64::from(*x),
        Value::U32(x) => i64::from(*x),
        Value::I32(x) => i64::from(*x),
        Value::U64(x) => i64::try_from(*x).ok()?,
        Value::I64(x) => *x,
        _ => return None,
    })
}

/// A token id key; out-of-range ids (llama.cpp writes 0xFFFFFFFF for "none") become `None`.
fn get_id(meta: &HashMap<String, Value>, key: &str, n_tokens: usize) -> Option<u32> {
    let id = value_as_i64(meta.get(key)?)?;
    (0..n_tokens as i64).contains(&id).then_some(id as u32)
}

fn get_bool(meta: &HashMap<String, Value>, key: &str) -> Option<bool> {
    match meta.get(key)? {
        Value::Bool(b) => Some(*b),
        other => value_as_i64(other).map(|x| x != 0),
    }
}

fn get_array<'a>(meta: &'a HashMap<String, Value>, key: &str) -> Result<Option<&'a Vec<Value>>> {
    match meta.get(key) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(other) => Err(missing(
            key,
            format!("expected an array, found {:?}", other.value_type()),
        )),
    }
}

impl GgufVocab {
    /// Decodes the `tokenizer.ggml.*` keys; checks types and lengths but not the model name.
    pub fn from_metadata(meta: &HashMap<String, Value>) -> Result<Self> {
        let model = get_string(meta, "tokenizer.ggml.model")?
            .ok_or_else(|| missing("tokenizer.ggml.model", "key absent"))?;
        let pre = get_string(meta, "tokenizer.ggml.pre")?;

        let token_values = get_array(meta, "tokenizer.ggml.tokens")?
            .ok_or_else(|| missing("tokenizer.ggml.tokens", "key absent"))?;
        let tokens = token_values
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(missing(
                    "tokenizer.ggml.tokens",
                    format!("expected strings, found {:?}", other.value_type()),
                )),
            })
            .collect::<Result<Vec<_>>>()?;
        if tokens.is_empty() {
            return Err(missing("tokenizer.ggml.tokens", "the vocabulary is empty"));
        }
        let n = tokens.len();

        let scores = match get_array(meta, "tokenizer.ggml.scores")? {
            None => Vec::new(),
            Some(a) => {
                let scores = a
                    .iter()
                    .map(|v| match v {
                        Value::F32(x) => Some(*x),
                        Value::F64(x) => Some(*x as f32),
                        other => value_as_i64(other).map(|x| x as f32),
                    })
                    .collect::<Option<Vec<f32>>>()
                    .ok_or_else(|| missing("tokenizer.ggml.scores", "expected numbers"))?;
                if scores.len() < n {
                    return Err(missing(
                        "tokenizer.ggml.scores",
                        format!("{} scores for {n} tokens", scores.len()),
                    ));
                }
                scores
            }
        };

        let types = match get_array(meta, "tokenizer.ggml.token_type")? {
            None => vec![TokenType::Normal; n],
            Some(a) => {
                let types = a
                    .iter()
                    .map(|v| value_as_i64(v).map(TokenType::from_code))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| missing("tokenizer.ggml.token_type", "expected integers"))?;
                if types.len() < n {
                    return Err(missing(
                        "tokenizer.ggml.token_type",
                        format!("{} types for {n} tokens", types.len()),
                    ));
                }
                types
            }
        };

        let merges = match get_array(meta, "tokenizer.ggml.merges")? {
            None => Vec::new(),
            Some(a) => a
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(missing(
                        "tokenizer.ggml.merges",
                        format!("expected strings, found {:?}", other.value_type()),
                    )),
                })
                .collect::<Result<Vec<_>>>()?,
        };

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
