//! What the user says about the engine (URLs, served model, dialect, concurrency, patience), and what whylm asks
//! the engine about itself before scoring (`/v1/models`: the served models, who serves them, their context).

use std::time::Duration;

use serde::Deserialize;
use whylm_backend::BackendError;

use crate::dialect::{Dialect, DialectChoice};
use crate::http::JsonClient;

/// How to reach the engine and how hard to push it.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Base URLs (`http://host:8000`, with or without `/v1`): replicas of one model, used round robin.
    pub urls: Vec<String>,
    /// The served model's name; without it, the one model the engine serves.
    pub model: Option<String>,
    pub dialect: DialectChoice,
    /// Requests in flight; without it, sized to the engines (see [`default_concurrency`]).
    pub concurrency: Option<usize>,
    /// Longest wait for one answer.
    pub timeout: Duration,
    pub retry: crate::retry::RetryPolicy,
    /// Sent as `Authorization: Bearer KEY`; never printed.
    pub api_key: Option<String>,
    /// Rows per request in the vLLM dialect.
    pub prompts_per_request: usize,
}

impl EngineConfig {
    pub fn new(urls: Vec<String>) -> Self {
        EngineConfig {
            urls,
            model: None,
            dialect: DialectChoice::Auto,
            concurrency: None,
            timeout: Duration::from_secs(120),
            retry: crate::retry::RetryPolicy::default(),
            api_key: api_key_from_env(),
            prompts_per_request: 32,
        }
    }
}

/// `WHYLM_API_KEY`, else `OPENAI_API_KEY`, when set and not empty.
pub fn api_key_from_env() -> Option<String> {
    ["WHYLM_API_KEY", "OPENAI_API_KEY"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|key| !key.trim().is_empty())
}

/// Requests in flight by default: vLLM batches whatever arrives, so 8 per replica keep it busy; llama-cpp-python
/// serves one request at a time, so 2 per replica (one computing, one on the wire) are enough.
pub fn default_concurrency(dialect: Dialect, replicas: usize) -> usize {
    let per_replica = match dialect {
        Dialect::Vllm => 8,
        Dialect::Echo => 2,
    };
    per_replica * replicas.max(1)
}

/// The engine's root URL: no trailing slash and no `/v1` (vLLM's `/tokenize` and llama-cpp-python's `/extras`
/// live beside `/v1`).
pub fn engine_root(url: &str) -> Result<String, BackendError> {
    let trimmed = url.trim().trim_end_matches('/');
    let root = trimmed.strip_suffix("/v1").unwrap_or(trimmed);
    let scheme_ok = root.starts_with("http://") || root.starts_with("https://");
    if !scheme_ok || root.split("://").nth(1).is_none_or(str::is_empty) {
        return Err(BackendError::Input(format!(
            "'{url}' is not an engine URL; give it as http://HOST:PORT or https://HOST (the server's base URL)"
        )));
    }
    Ok(root.to_string())
}

#[derive(Deserialize)]
struct ModelList {
    data: Vec<ServedModel>,
}

/// One entry of `/v1/models`.
#[derive(Debug, Clone, Deserialize)]
pub struct ServedModel {
    pub id: String,
    #[serde(default)]
    pub owned_by: String,
    /// vLLM's context length.
    #[serde(default)]
    pub max_model_len: Option<usize>,
}

/// Asks `root` which models it serves and picks the one named `wanted` (or the only one).
pub fn served_model(
    client: &JsonClient,
    root: &str,
    wanted: Option<&str>,
) -> Result<ServedModel, BackendError> {
    let url = format!("{root}/v1/models");
    let answer = client.get(&url)?;
    let list: ModelList = serde_json::from_value(answer).map_err(|e| {
        BackendError::Engine(format!(
            "the engine {url} sent no model list ({e}); is it an OpenAI-compatible server?"
        ))
    })?;
    let names = || {
        list.data
            .iter()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(name) => list.data.iter().find(|m| m.id == name).cloned().ok_or_else(|| {
            BackendError::Input(format!(
                "the engine {root} does not serve '{name}' (it serves: {}); pass one of those to --engine-model",
                names()
            ))
        }),
        None if list.data.len() == 1 => Ok(list.data[0].clone()),
        None => Err(BackendError::Input(format!(
            "the engine {root} serves {} models ({}); name one with --engine-model",
            list.data.len(),
            names()
        ))),
    }
}

/// The dialect to use: the one asked for, or vLLM's when the engine says it is vLLM, else echo.
pub fn pick_dialect(choice: DialectChoice, model: &ServedModel) -> Dialect {
    match choice {
        DialectChoice::Fixed(dialect) => dialect,
        DialectChoice::Auto if model.owned_by == "vllm" => Dialect::Vllm,
        DialectChoice::Auto => Dialect::Echo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_drop_v1_and_slashes_and_bad_urls_are_refused() {
        assert_eq!(engine_root("http://h:8000/v1/").unwrap(), "http://h:8000");
        assert_eq!(engine_root(" https://h ").unwrap(), "https://h");
        for bad in ["h:8000", "ftp://h", "http://"] {
            assert!(
                engine_root(bad)
                    .unwrap_err()
                    .to_string()
                    .contains("http://HOST:PORT"),
                "{bad}"
            );
        }
        assert_eq!(default_concurrency(Dialect::Echo, 3), 6);
    }
}
