//! Generation on the engine: one completions request. vLLM takes the prompt's ids and returns the new ids
//! (`return_token_ids`); an echo-dialect engine takes text and returns text, which whylm tokenizes after the
//! prompt. Either way the answer is cut at the first of whylm's stop tokens.

use serde_json::{json, Value};
use whylm_backend::{BackendError, GenerateSettings, Generation, Sampling, StopReason};

use crate::dialect::Dialect;
use crate::http::JsonClient;
use crate::tokenizer::EngineTokenizer;

/// What generation needs of the backend: how to reach the engine and the served model's tokenizer.
pub struct Engine<'a> {
    pub client: &'a JsonClient,
    pub urls: Vec<String>,
    pub model: &'a str,
    pub dialect: Dialect,
    pub tokenizer: &'a EngineTokenizer,
}

pub fn generate(
    backend: &Engine<'_>,
    prompt: &[u32],
    settings: &GenerateSettings,
    on_token: &mut dyn FnMut(u32),
) -> Result<Generation, BackendError> {
    if settings.max_new_tokens == 0 {
        return Ok(Generation {
            tokens: Vec::new(),
            stop: StopReason::MaxTokens,
        });
    }
    let prompt_text = match backend.dialect {
        Dialect::Vllm => None,
        Dialect::Echo => Some(prompt_text(backend, prompt)?),
    };
    let mut body = json!({
        "model": backend.model,
        "max_tokens": settings.max_new_tokens,
        "stop_token_ids": settings.stop_tokens,
        "return_token_ids": true,
        "skip_special_tokens": false,
    });
    body["prompt"] = match &prompt_text {
        Some(text) => json!(text),
        None => json!(prompt),
    };
    add_sampling(&mut body, &settings.sampling);
    let stats = crate::stats::EngineStats::default();
    let (answer, url) = backend.client.post(&backend.urls, &body, &stats)?;
    let choice = answer
        .get("choices")
        .and_then(|c| c.get(0))
        .ok_or_else(|| BackendError::Engine(format!("the engine {url} sent a completion without choices")))?;
    let new_ids = match &prompt_text {
        None => generated_ids(choice, url)?,
        Some(text) => continuation_ids(backend, prompt, text, choice, url)?,
    };
    let mut tokens = Vec::new();
    for id in new_ids {
        if settings.stop_tokens.contains(&id) {
            return Ok(Generation {
                tokens,
                stop: StopReason::StopToken(id),
            });
        }
        on_token(id);
        tokens.push(id);
    }
    let stop = match choice.get("finish_reason").and_then(Value::as_str) {
        Some("stop") => StopReason::StopToken(backend.tokenizer.text().eos_id().unwrap_or(0)),
        _ => StopReason::MaxTokens,
    };
    Ok(Generation { tokens, stop })
}

fn add_sampling(body: &mut Value, sampling: &Sampling) {
    match sampling {
        Sampling::Greedy => body["temperature"] = json!(0),
        Sampling::Random {
            temperature,
            top_k,
            top_p,
            seed,
        } => {
            body["temperature"] = json!(temperature);
            body["seed"] = json!(seed);
            if let Some(k) = top_k {
                body["top_k"] = json!(k);
            }
            if let Some(p) = top_p {
                body["top_p"] = json!(p);
            }
        }
    }
}

/// The prompt as text, without a BOS the engine adds itself.
fn prompt_text(backend: &Engine<'_>, prompt: &[u32]) -> Result<String, BackendError> {
    let sent =
        match backend.tokenizer.adds_bos() && prompt.first() == backend.tokenizer.text().bos_id().as_ref() {
            true => &prompt[1..],
            false => prompt,
        };
    backend.tokenizer.decode(sent)
}

fn generated_ids(choice: &Value, url: &str) -> Result<Vec<u32>, BackendError> {
    choice
        .get("token_ids")
        .and_then(Value::as_array)
        .and_then(|ids| {
            ids.iter()
                .map(|v| v.as_u64().and_then(|id| u32::try_from(id).ok()))
                .collect()
        })
        .ok_or_else(|| {
            BackendError::Engine(format!(
                "the engine {url} returned no generated token ids (vLLM sends them with return_token_ids)"
            ))
        })
}

/// The ids the generated text adds after the prompt: the prompt text and the continuation tokenized together,
/// less the prompt's ids (or the continuation alone when the two do not line up).
fn continuation_ids(
    backend: &Engine<'_>,
    prompt: &[u32],
    prompt_text: &str,
    choice: &Value,
    url: &str,
) -> Result<Vec<u32>, BackendError> {
    let text = choice
        .get("text")
        .and_then(Value::as_str)
        .ok_or_else(|| BackendError::Engine(format!("the engine {url} sent a completion without text")))?;
    let tokenizer = backend.tokenizer.text();
    let add_special = !prompt.is_empty() && prompt.first() == tokenizer.bos_id().as_ref();
    let whole = tokenizer
        .encode(&format!("{prompt_text}{text}"), add_special)?
        .ids;
    match whole.strip_prefix(prompt) {
        Some(rest) => Ok(rest.to_vec()),
        None => Ok(tokenizer.encode(text, false)?.ids),
    }
}
