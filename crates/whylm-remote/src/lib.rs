//! whylm-remote: explain a model that runs on a serving engine.
//!
//! [`RemoteBackend`] implements whylm's [`whylm_backend::Backend`] over an OpenAI-compatible `/v1/completions`
//! endpoint, in one of two [`Dialect`]s: `vllm` (token-id prompts, many per request, `prompt_logprobs`) or `echo`
//! (a text prompt with `echo` + `logprobs`, as llama-cpp-python's server answers; the server's tokens are checked
//! against whylm's). Requests run `concurrency` at a time over one or more replicas, with retries (exponential
//! backoff with jitter on connection errors, timeouts, 429 and 5xx, `Retry-After` honoured). HTTPS uses rustls.
//!
//! The engine returns log-probabilities, so the scores are logprob, prob and logodds; logit and contrast are
//! refused with a one-line error, as is the hide masker (an engine cannot hide a token from attention).

mod backend;
mod config;
mod derive;
mod dialect;
mod dispatch;
mod echo;
mod generate;
mod http;
mod retry;
mod stats;
mod tokenizer;
mod vllm;

pub use backend::RemoteBackend;
pub use config::{api_key_from_env, default_concurrency, EngineConfig};
pub use dialect::{Dialect, DialectChoice};
pub use retry::RetryPolicy;
pub use stats::EngineStats;
