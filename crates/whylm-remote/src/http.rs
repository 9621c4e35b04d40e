//! One JSON request to an engine, retried on connection errors, timeouts, 429 and 5xx. Every failure becomes a
//! one-line [`BackendError`] that names the URL; the API key goes into a header and never into a message.

use std::time::Duration;

use serde_json::Value;
use ureq::Agent;
use whylm_backend::BackendError;

use crate::retry::{retryable_status, RetryPolicy};
use crate::stats::EngineStats;

/// Most bytes of a response body read (a vLLM answer with prompt log-probs for many prompts is a few MB).
const BODY_LIMIT: u64 = 256 << 20;
/// Most characters of a server's error text quoted in a message.
const QUOTE_LIMIT: usize = 200;

/// An HTTP client for JSON APIs with the retry rules of [`RetryPolicy`].
pub struct JsonClient {
    agent: Agent,
    api_key: Option<String>,
    timeout: Duration,
    retry: RetryPolicy,
}

/// What one try came to.
enum Attempt {
    Done(Value),
    /// Worth another try; `retry_after` is the server's `Retry-After` header.
    Retry {
        why: String,
        retry_after: Option<String>,
    },
    Fail(BackendError),
}

impl JsonClient {
    pub fn new(timeout: Duration, retry: RetryPolicy, api_key: Option<String>) -> Self {
        let agent: Agent = Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        JsonClient {
            agent,
            api_key,
            timeout,
            retry,
        }
    }

    /// POSTs `body` to each of `urls` in turn (a retry goes to the next one, so a dead replica is passed over) and
    /// returns the parsed JSON answer and the URL that gave it.
    pub fn post<'u>(
        &self,
        urls: &'u [String],
        body: &Value,
        stats: &EngineStats,
    ) -> Result<(Value, &'u str), BackendError> {
        let text = body.to_string();
        let mut last = String::from("no engine URL was given");
        let attempts = self.retry.attempts.max(1);
        for attempt in 0..attempts {
            let Some(url) = urls.get(attempt as usize % urls.len().max(1)) else {
                break;
            };
            match self.try_once(url, Some(&text)) {
                Attempt::Done(value) => return Ok((value, url)),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { why, retry_after } => {
                    last = why;
                    if attempt + 1 < attempts {
                        stats.count_retry();
                        std::thread::sleep(self.retry.wait(attempt, retry_after.as_deref()));
                    }
                }
            }
        }
        Err(BackendError::Engine(format!(
            "{last} (gave up after {attempts} tries); check that the engine is running and reachable"
        )))
    }

    /// GETs `url` once (no retries: used to probe what an engine serves).
    pub fn get(&self, url: &str) -> Result<Value, BackendError> {
        match self.try_once(url, None) {
            Attempt::Done(value) => Ok(value),
            Attempt::Fail(error) => Err(error),
            Attempt::Retry { why, .. } => Err(BackendError::Engine(format!(
                "{why}; check that the engine is running and reachable"
            ))),
        }
    }

    fn try_once(&self, url: &str, body: Option<&str>) -> Attempt {
        let sent = match body {
            Some(body) => {
                let mut request = self.agent.post(url).header("Content-Type", "application/json");
                if let Some(key) = &self.api_key {
                    request = request.header("Authorization", format!("Bearer {key}"));
                }
                request.send(body)
            }
            None => {
                let mut request = self.agent.get(url);
                if let Some(key) = &self.api_key {
                    request = request.header("Authorization", format!("Bearer {key}"));
                }
                request.call()
            }
        };
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => return self.transport_failure(url, error),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = match response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_string()
        {
            Ok(text) => text,
            Err(error) => return self.transport_failure(url, error),
        };
        if (200..300).contains(&status) {
            return match serde_json::from_str(&text) {
                Ok(value) => Attempt::Done(value),
                Err(e) => Attempt::Fail(BackendError::Engine(format!(
                    "the engine {url} answered with malformed JSON ({e}): {}",
                    quote(&text)
                ))),
            };
        }
        let why = format!("the engine {url} answered HTTP {status}: {}", quote(&text));
        if retryable_status(status) {
            return Attempt::Retry { why, retry_after };
        }
        Attempt::Fail(client_error(url, status, why))
    }

    fn transport_failure(&self, url: &str, error: ureq::Error) -> Attempt {
        let why = match &error {
            ureq::Error::Timeout(_) => format!(
                "the engine {url} did not answer within {} s",
                self.timeout.as_secs_f64()
            ),
            other => format!("could not reach the engine {url}: {other}"),
        };
        match error {
            ureq::Error::BadUri(_) | ureq::Error::Http(_) => Attempt::Fail(BackendError::Input(format!(
                "'{url}' is not a usable engine URL ({error}); give it as http://HOST:PORT"
            ))),
            ureq::Error::BodyExceedsLimit(_) => Attempt::Fail(BackendError::Engine(format!(
                "the engine {url} sent more than {} MB in one answer; lower the rows per request",
                BODY_LIMIT >> 20
            ))),
            _ => Attempt::Retry {
                why,
                retry_after: None,
            },
        }
    }
}

/// A 4xx answer other than 408 and 429: the request or the credentials are wrong, and trying again will not help.
fn client_error(url: &str, status: u16, why: String) -> BackendError {
    match status {
        401 | 403 => BackendError::Input(format!(
            "{why}; set WHYLM_API_KEY (or OPENAI_API_KEY) to a key the engine accepts"
        )),
        404 => BackendError::Input(format!(
            "{why}; check the --engine URL ({url}) and the served model's name (--engine-model)"
        )),
        _ => BackendError::Engine(why),
    }
}

/// A server's text on one line, cut short.
pub fn quote(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None if line.is_empty() => "(empty body)".to_string(),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_one_short_line() {
        assert_eq!(quote("a\n  b\tc"), "a b c");
        assert_eq!(quote(""), "(empty body)");
        let long = "x".repeat(500);
        assert_eq!(quote(&long).len(), QUOTE_LIMIT + 3);
    }
}
