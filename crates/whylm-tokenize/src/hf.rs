//! Hugging Face tokenizers: `tokenizer.json`, plus `tokenizer_config.json` / `config.json` for
//! the BOS/EOS tokens and whether they are added.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value as Json;

use crate::error::{Result, TokenizeError};
use crate::parts::{TokenizerKind, TokenizerParts};
use crate::pieces::PieceStyle;

/// What `tokenizer_config.json` (and `config.json` as a fallback for ids) says.
#[derive(Debug, Default)]
pub(crate) struct SpecialConfig {
    /// Token strings from tokenizer_config.json (`bos_token`, `eos_token`).
    pub bos_token: Option<String>,
    pub eos_token: Option<String>,
    /// Ids from config.json, used when the token strings are absent or unknown.
    pub bos_id: Option<u32>,
    pub eos_id: Option<u32>,
    pub add_bos: Option<bool>,
    pub add_eos: Option<bool>,
}

fn malformed(where_: &str, detail: impl std::fmt::Display) -> TokenizeError {
    TokenizeError::MalformedTokenizerJson {
        where_: where_.to_string(),
        detail: detail.to_string(),
    }
}

/// True when any `"type"` field in `value` equals one of `names`.
fn has_component(value: Option<&Json>, names: &[&str]) -> bool {
    match value {
        Some(Json::Object(map)) => {
            map.get("type")
                .and_then(Json::as_str)
                .is_some_and(|t| names.contains(&t))
                || map.values().any(|v| has_component(Some(v), names))
        }
        Some(Json::Array(items)) => items.iter().any(|v| has_component(Some(v), names)),
        _ => false,
    }
}

fn classify(json: &Json) -> (TokenizerKind, PieceStyle) {
    let model_type = json.pointer("/model/type").and_then(Json::as_str);
    let byte_level = has_component(json.get("pre_tokenizer"), &["ByteLevel"])
        || has_component(json.get("decoder"), &["ByteLevel"]);
    let spm = json.pointer("/model/byte_fallback").and_then(Json::as_bool) == Some(true)
        || has_component(json.get("pre_tokenizer"), &["Metaspace"])
        || has_component(json.get("decoder"), &["Metaspace", "ByteFallback"]);
    let style = if byte_level {
        PieceStyle::ByteLevel
    } else if spm {
        PieceStyle::SentencePiece
    } else {
        PieceStyle::Plain
    };
    let kind = match (model_type, style) {
        (Some("BPE"), PieceStyle::ByteLevel) => TokenizerKind::ByteLevelBpe,
        (Some("BPE"), PieceStyle::SentencePiece) => TokenizerKind::SentencePieceBpe,
        _ => TokenizerKind::Other,
    };
    (kind, style)
}

/// Every special token a `TemplateProcessing` post-processor (alone or in a `Sequence`) puts in its templates is
/// in its `special_tokens` map: tokenizers accepts the file but panics on the first encode otherwise (found by
/// fuzzing).
fn check_template_tokens(processor: Option<&Json>) -> Result<()> {
    let Some(p) = processor else { return Ok(()) };
    if let Some(list) = p.get("processors").and_then(Json::as_array) {
        return list.iter().try_for_each(|q| check_template_tokens(Some(q)));
    }
    if p.get("type").and_then(Json::as_str) != Some("TemplateProcessing") {
        return Ok(());
    }
    let known = p.get("special_tokens").and_then(Json::as_object);
    let pieces = ["single", "pair"]
        .into_iter()
        .filter_map(|k| p.get(k).and_then(Json::as_array));
    for piece in pieces.flatten() {
        let Some(id) = piece.pointer("/SpecialToken/id").and_then(Json::as_str) else {
            continue;
        };
        if !known.is_some_and(|m| m.contains_key(id)) {
            return Err(malformed(
                " (post_processor)",
                format!("its template adds the special token `{id}`, which its special_tokens map lacks; add it there or remove it from the template"),
            ));
        }
    }
    Ok(())
}

/// Finds which ids `add_special_tokens` puts before and after a sample text.
fn probe_added(inner: &tokenizers::Tokenizer) -> Result<(Vec<u32>, Vec<u32>)> {
    let sample = "a";
    let plain = inner
        .encode(sample, false)
        .map_err(|e| malformed("", e))?
        .get_ids()
        .to_vec();
    let with = inner
        .encode(sample, true)
        .map_err(|e| malformed("", e))?
        .get_ids()
        .to_vec();
    if plain.is_empty() || with.len() < plain.len() {
        return Ok((Vec::new(), Vec::new()));
    }
    let at = (0..=with.len() - plain.len()).find(|&k| with[k..k + plain.len()] == plain[..]);
    Ok(match at {
        Some(k) => (with[..k].to_vec(), with[k + plain.len()..].to_vec()),
        None => (Vec::new(), Vec::new()),
    })
}

/// Builds from the bytes of a `tokenizer.json`; `config` overrides what the post-processor
/// adds (transformers' Llama tokenizers follow `add_bos_token` / `add_eos_token` the same way).
pub(crate) fn build(bytes: &[u8], config: &SpecialConfig) -> Result<TokenizerParts> {
    let json: Json = serde_json::from_slice(bytes).map_err(|e| malformed("", e))?;
    let inner = tokenizers::Tokenizer::from_bytes(bytes).map_err(|e| malformed("", e))?;
    check_template_tokens(json.get("post_processor"))?;
    let (kind, style) = classify(&json);
    let (probed_prefix, probed_suffix) = probe_added(&inner)?;

    let resolve = |token: &Option<String>| token.as_deref().and_then(|t| inner.token_to_id(t));
    // config.json ids outside the vocabulary (some exports write placeholders) are ignored.
    let n_ids = inner.get_vocab_size(true);
    let in_vocab = |id: &u32| (*id as usize) < n_ids;
    let bos = resolve(&config.bos_token)
        .or(config.bos_id.filter(in_vocab))
        .or_else(|| probed_prefix.first().copied());
    let eos = resolve(&config.eos_token)
        .or(config.eos_id.filter(in_vocab))
        .or_else(|| probed_suffix.last().copied());
    let prefix = match config.add_bos {
        Some(add) => bos.filter(|_| add).into_iter().collect(),
        None => probed_prefix,
    };
    let suffix = match config.add_eos {
        Some(add) => eos.filter(|_| add).into_iter().collect(),
        None => probed_suffix,
    };

    let mut special: HashSet<u32> = inner
        .get_added_tokens_decoder()
        .into_iter()
        .filter(|(_, token)| token.special)
        .map(|(id, _)| id)
        .collect();
    special.extend(bos);
    special.extend(eos);
    special.extend(prefix.iter().copied());
    special.extend(suffix.iter().copied());

    Ok(TokenizerParts {
        inner,
        kind,
        style,
        prefix,
        suffix,
        bos,
        eos,
        special,
    })
}

fn read_json(path: &Path) -> Result<Option<Json>> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read(path).map_err(|source| TokenizeError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|e| TokenizeError::MalformedTokenizerConfig {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })
}

/// A token in tokenizer_config.json is a string or an object with `content`.
fn token_content(value: Option<&Json>) -> Option<&str> {
    match value? {
        Json::String(s) => Some(s),
        Json::Object(map) => map.get("content").and_then(Json::as_str),
        _ => None,
    }
}

/// `config.json` ids may be a number or a list of numbers (take the first).
fn config_id(value: Option<&Json>) -> Option<u32> {
    match value? {
        Json::Number(n) => n.as_u64().and_then(|x| u32::try_from(x).ok()),
        Json::Array(items) => config_id(items.first()),
        _ => None,
    }
}

/// Loads `tokenizer.json` from a Hugging Face model directory.
pub(crate) fn build_from_dir(dir: &Path) -> Result<TokenizerParts> {
    if !dir.exists() {
        return Err(TokenizeError::MissingFile {
            path: dir.to_path_buf(),
        });
    }
    let tokenizer_path = dir.join("tokenizer.json");
    if !tokenizer_path.exists() {
        return Err(TokenizeError::MissingFile { path: tokenizer_path });
    }
    let bytes = std::fs::read(&tokenizer_path).map_err(|source| TokenizeError::Io {
        path: tokenizer_path.clone(),
        source,
    })?;

    let tok_config = read_json(&dir.join("tokenizer_config.json"))?;
    let model_config = read_json(&dir.join("config.json"))?;
    let token = |key: &str| token_content(tok_config.as_ref().and_then(|c| c.get(key))).map(str::to_string);
    let from_model = |key: &str| config_id(model_config.as_ref().and_then(|c| c.get(key)));
    let flag = |key: &str| {
        tok_config
            .as_ref()
            .and_then(|c| c.get(key))
            .and_then(Json::as_bool)
    };
    let config = SpecialConfig {
        bos_token: token("bos_token"),
        eos_token: token("eos_token"),
        bos_id: from_model("bos_token_id"),
        eos_id: from_model("eos_token_id"),
        add_bos: flag("add_bos_token"),
        add_eos: flag("add_eos_token"),
    };
    build(&bytes, &config).map_err(|e| match e {
        TokenizeError::MalformedTokenizerJson { detail, .. } => {
            malformed(&format!(" at {}", tokenizer_path.display()), detail)
        }
        other => other,
    })
}
