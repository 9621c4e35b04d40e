//! The served model's tokenizer: its own files when the user has them (`--model`), else the engine's tokenize
//! and detokenize endpoints (vLLM: `/tokenize`, `/detokenize`; llama-cpp-python: `/extras/tokenize`,
//! `/extras/detokenize`), with byte spans worked out from the decoded prefixes.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{json, Value};
use whylm_backend::{BackendError, Encoding, TextTokenizer};
use whylm_tokenize::Tokenizer;

use crate::config::EngineConfig;
use crate::dialect::Dialect;
use crate::http::JsonClient;
use crate::stats::EngineStats;

pub enum EngineTokenizer {
    Local(Box<Tokenizer>),
    Remote(Box<RemoteTokenizer>),
}

impl EngineTokenizer {
    pub fn remote(
        root: &str,
        model: &str,
        dialect: Dialect,
        config: &EngineConfig,
    ) -> Result<Self, BackendError> {
        RemoteTokenizer::connect(root, model, dialect, config).map(|t| EngineTokenizer::Remote(Box::new(t)))
    }

    pub fn text(&self) -> &dyn TextTokenizer {
        match self {
            EngineTokenizer::Local(t) => t.as_ref(),
            EngineTokenizer::Remote(t) => t.as_ref(),
        }
    }

    /// The text of `ids`, special tokens written out.
    pub fn decode(&self, ids: &[u32]) -> Result<String, BackendError> {
        match self {
            EngineTokenizer::Local(t) => t
                .decode(ids)
                .map_err(|e| BackendError::Failed(format!("cannot write the row as text: {e}"))),
            EngineTokenizer::Remote(t) => t.detokenize(ids),
        }
    }

    /// The text an echo engine should read for `ids`, a row that starts with the BOS when the engine adds one
    /// itself (the BOS is then left out of the text).
    pub fn echo_text(&self, ids: &[u32]) -> Result<String, BackendError> {
        let without_bos = match self.adds_bos() {
            true => &ids[1.min(ids.len())..],
            false => ids,
        };
        match self {
            // llama-cpp-python's /extras/detokenize keeps the first token's word-initial space ("▁Then" reads
            // " Then") unless a BOS comes before it, and its server then reads that space as a token of its own;
            // with the BOS it writes the text that the server tokenizes back into these very ids
            EngineTokenizer::Remote(t) if t.bos.is_some() && ids.first() == t.bos.as_ref() => {
                t.detokenize(ids)
            }
            _ => self.decode(without_bos),
        }
    }

    /// Whether encoding with special tokens starts with a BOS that is not in the text.
    pub fn adds_bos(&self) -> bool {
        match self {
            EngineTokenizer::Local(t) => t.adds_bos(),
            EngineTokenizer::Remote(t) => t.bos.is_some(),
        }
    }
}

/// A tokenizer that asks the engine.
pub struct RemoteTokenizer {
    client: JsonClient,
    stats: EngineStats,
    model: String,
    tokenize_url: Vec<String>,
    detokenize_url: Vec<String>,
    dialect: Dialect,
    /// The id the engine puts before a text (its BOS), if any.
    bos: Option<u32>,
    pieces: Mutex<HashMap<u32, String>>,
}

impl RemoteTokenizer {
    fn connect(
        root: &str,
        model: &str,
        dialect: Dialect,
        config: &EngineConfig,
    ) -> Result<Self, BackendError> {
        let (tokenize, detokenize) = match dialect {
            Dialect::Vllm => ("tokenize", "detokenize"),
            Dialect::Echo => ("extras/tokenize", "extras/detokenize"),
        };
        let mut tokenizer = RemoteTokenizer {
            client: JsonClient::new(config.timeout, config.retry.clone(), config.api_key.clone()),
            stats: EngineStats::default(),
            model: model.to_string(),
            tokenize_url: vec![format!("{root}/{tokenize}")],
            detokenize_url: vec![format!("{root}/{detokenize}")],
            dialect,
            bos: None,
            pieces: Mutex::new(HashMap::new()),
        };
        // what the engine puts before an empty text is its BOS
        tokenizer.bos = tokenizer.tokenize("", true)?.first().copied();
        Ok(tokenizer)
    }

    fn tokenize(&self, text: &str, add_special: bool) -> Result<Vec<u32>, BackendError> {
        let body = match self.dialect {
            Dialect::Vllm => json!({"model": self.model, "prompt": text, "add_special_tokens": add_special}),
            Dialect::Echo => json!({"model": self.model, "input": text}),
        };
        let (answer, url) = self.client.post(&self.tokenize_url, &body, &self.stats)?;
        let mut ids = id_list(&answer, "tokens", url)?;
        // llama-cpp-python always adds the BOS: take it off when it was not asked for
        if !add_special
            && self.dialect == Dialect::Echo
            && self.bos.is_some()
            && ids.first() == self.bos.as_ref()
        {
            ids.remove(0);
        }
        Ok(ids)
    }

    fn detokenize(&self, ids: &[u32]) -> Result<String, BackendError> {
        if ids.is_empty() {
            return Ok(String::new());
        }
        let body = json!({"model": self.model, "tokens": ids});
        let (answer, url) = self.client.post(&self.detokenize_url, &body, &self.stats)?;
        let field = match self.dialect {
            Dialect::Vllm => "prompt",
            Dialect::Echo => "text",
        };
        answer
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                BackendError::Engine(format!(
                    "the engine {url} sent no \"{field}\" in its detokenize answer"
                ))
            })
    }

    /// Byte spans of `ids` in `text`: token i covers what decoding the first i+1 ids adds to decoding the first i.
    fn spans(&self, text: &str, ids: &[u32]) -> Result<Vec<(usize, usize)>, BackendError> {
        let mut spans = Vec::with_capacity(ids.len());
        let mut end = 0usize;
        for i in 0..ids.len() {
            let prefix = self.detokenize(&ids[..=i])?;
            let reached = prefix_end(text, &prefix).max(end);
            spans.push((end, reached));
            end = reached;
        }
        Ok(spans)
    }
}

/// How far into `text` a decoded prefix reaches: its length, less a leading space the decoder added, kept on a
/// character boundary and within the text.
fn prefix_end(text: &str, prefix: &str) -> usize {
    let mut end = prefix.len();
    if !text.starts_with(prefix) && prefix.starts_with(' ') && text.starts_with(&prefix[1..]) {
        end -= 1;
    }
    let mut end = end.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

fn id_list(answer: &Value, field: &str, url: &str) -> Result<Vec<u32>, BackendError> {
    answer
        .get(field)
        .and_then(Value::as_array)
        .and_then(|ids| {
            ids.iter()
                .map(|v| v.as_u64().and_then(|id| u32::try_from(id).ok()))
                .collect()
        })
        .ok_or_else(|| BackendError::Engine(format!("the engine {url} sent no token id list \"{field}\"")))
}

impl TextTokenizer for RemoteTokenizer {
    fn encode(&self, text: &str, add_special: bool) -> Result<Encoding, BackendError> {
        let ids = self.tokenize(text, add_special)?;
        let added = usize::from(add_special && self.bos.is_some() && ids.first() == self.bos.as_ref());
        let mut spans = vec![(0, 0); added];
        spans.extend(self.spans(text, &ids[added..])?);
        let special = ids
            .iter()
            .enumerate()
            .map(|(i, &id)| i < added || Some(id) == self.bos || spans[i].0 == spans[i].1)
            .collect();
        Ok(Encoding { ids, spans, special })
    }

    fn piece_text(&self, id: u32) -> Option<String> {
        if let Some(piece) = self.pieces.lock().ok()?.get(&id) {
            return Some(piece.clone());
        }
        let piece = self.detokenize(&[id]).ok()?;
        self.pieces.lock().ok()?.insert(id, piece.clone());
        Some(piece)
    }

    fn token_id(&self, piece: &str) -> Option<u32> {
        match self.tokenize(piece, false).ok()?.as_slice() {
            [id] => Some(*id),
            _ => None,
        }
    }

    fn bos_id(&self) -> Option<u32> {
        self.bos
    }

    fn eos_id(&self) -> Option<u32> {
        None
    }

    fn vocab_size(&self) -> usize {
        u32::MAX as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_ends_forgive_a_decoder_space_and_stay_on_characters() {
        assert_eq!(prefix_end("Tom had", "Tom"), 3);
        assert_eq!(prefix_end("Tom had", " Tom"), 3);
        assert_eq!(prefix_end("héllo", "h\u{e9}"), 3);
        assert_eq!(prefix_end("ab", "abc"), 2);
    }
}
