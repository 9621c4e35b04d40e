//! What the remote-engine tests share: a fake vLLM engine whose "model" is a formula over the prompt's ids, the
//! same formula as an in-process backend, the stories260K tokenizer, and a quick explain request.

#![allow(dead_code)]

pub mod fake_server;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use whylm_backend::{
    Backend, BackendError, BackendInfo, GenerateSettings, Generation, MaskedRow, ScoreKind, StopReason,
    TextTokenizer,
};
use whylm_explain::{explain, ExplainModel, ExplainRequest, Level, MethodChoice};
use whylm_remote::{EngineConfig, RetryPolicy};
use whylm_report::ReportDoc;
use whylm_shapley::Method;
use whylm_tokenize::Tokenizer;

use fake_server::{Reply, Request};

pub const MODEL: &str = "fake-llama";

/// `../shared/...` of the checkout, from this crate's directory.
pub fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(path)
}

pub fn stories_tokenizer() -> Tokenizer {
    Tokenizer::from_gguf_file(shared("models/stories260K/stories260K.gguf")).expect("stories260K tokenizer")
}

/// The fake model: log p(id | prefix), a hash of the prefix and the id mapped into [-4.05, -0.05].
pub fn formula(prefix: &[u32], id: u32) -> f64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in prefix.iter().chain([&id]) {
        hash = (hash ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
    }
    -0.05 - (hash % 4001) as f64 / 1000.0
}

/// A vLLM completions answer for `body`, shaped as vLLM's `CompletionResponse` (see src/vllm.rs); the choices
/// come in reverse order, which their `index` undoes.
pub fn vllm_completion(body: &Value) -> Value {
    let prompts: Vec<Vec<u32>> = serde_json::from_value(body["prompt"].clone()).unwrap_or_default();
    let mut choices: Vec<Value> = prompts
        .iter()
        .enumerate()
        .map(|(i, prompt)| {
            let mut logprobs = vec![Value::Null];
            for p in 1..prompt.len() {
                let id = prompt[p];
                logprobs.push(json!({ id.to_string(): {
                    "logprob": formula(&prompt[..p], id), "rank": 1, "decoded_token": "x" } }));
            }
            json!({"index": i, "text": " x", "logprobs": null, "finish_reason": "length", "stop_reason": null,
                   "prompt_logprobs": logprobs, "prompt_token_ids": prompt})
        })
        .collect();
    choices.reverse();
    let tokens: usize = prompts.iter().map(Vec::len).sum();
    json!({"id": "cmpl-test", "object": "text_completion", "created": 0, "model": MODEL, "choices": choices,
           "usage": {"prompt_tokens": tokens, "completion_tokens": prompts.len(),
                     "total_tokens": tokens + prompts.len()}})
}

pub fn models_list(owned_by: &str) -> Value {
    json!({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": owned_by,
                                       "max_model_len": 2048}]})
}

/// A well-behaved fake vLLM engine; `completions` counts the completions requests and `rows` the prompts.
pub struct Counters {
    pub completions: AtomicUsize,
    pub rows: AtomicUsize,
}

pub fn vllm_handler(counters: Arc<Counters>) -> fake_server::Handler {
    Arc::new(
        move |request: &Request| match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/v1/models") => Reply::Json(200, models_list("vllm")),
            ("POST", "/v1/completions") => {
                counters.completions.fetch_add(1, Ordering::SeqCst);
                let n = request.body["prompt"].as_array().map_or(0, Vec::len);
                counters.rows.fetch_add(n, Ordering::SeqCst);
                Reply::Json(200, vllm_completion(&request.body))
            }
            _ => Reply::Json(404, json!({"error": "no such route"})),
        },
    )
}

pub fn counters() -> Arc<Counters> {
    Arc::new(Counters {
        completions: AtomicUsize::new(0),
        rows: AtomicUsize::new(0),
    })
}

/// Quick retries and a short timeout, so that the fault tests take a second, not minutes.
pub fn quick_config(url: &str) -> EngineConfig {
    let mut config = EngineConfig::new(vec![url.to_string()]);
    config.model = Some(MODEL.into());
    config.timeout = Duration::from_millis(1500);
    config.api_key = None;
    config.retry = RetryPolicy {
        attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
    };
    config.prompts_per_request = 5;
    config.concurrency = Some(3);
    config
}

/// The formula as an in-process backend, for the numbers the engine should give.
pub struct FormulaBackend {
    pub tokenizer: Tokenizer,
}

impl Backend for FormulaBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo::default()
    }

    fn tokenizer(&self) -> &dyn TextTokenizer {
        &self.tokenizer
    }

    fn context_length(&self) -> usize {
        2048
    }

    fn batch_hint(&self, _seq: usize, _targets: usize) -> usize {
        16
    }

    fn score_rows(
        &self,
        rows: &[MaskedRow],
        targets: &[u32],
        _: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>, BackendError> {
        Ok(rows
            .iter()
            .map(|row| {
                let mut ids: Vec<u32> = row
                    .token_ids
                    .iter()
                    .zip(&row.attend)
                    .filter(|(_, a)| **a)
                    .map(|(&id, _)| id)
                    .collect();
                targets
                    .iter()
                    .map(|&y| {
                        let lp = formula(&ids, y) as f32;
                        ids.push(y);
                        lp
                    })
                    .collect()
            })
            .collect())
    }

    fn generate(
        &self,
        _: &[u32],
        _: &GenerateSettings,
        _: &mut dyn FnMut(u32),
    ) -> Result<Generation, BackendError> {
        Ok(Generation {
            tokens: Vec::new(),
            stop: StopReason::MaxTokens,
        })
    }

    fn stop_tokens(&self) -> Vec<u32> {
        Vec::new()
    }
}

pub const PROMPT: &str = "Tom had a red ball. He threw it to the dog.";
pub const TARGET: &str = " The dog ran.";

/// An exact word-level explanation of PROMPT -> TARGET.
pub fn word_request() -> ExplainRequest {
    ExplainRequest {
        prompt: PROMPT.into(),
        target: Some(TARGET.into()),
        levels: vec![Level::Word],
        method: MethodChoice::Fixed(Method::Exact),
        ..ExplainRequest::default()
    }
}

pub fn run(
    backend: &dyn Backend,
    request: &ExplainRequest,
) -> Result<ReportDoc, whylm_explain::ExplainError> {
    let model = ExplainModel {
        backend,
        info: Default::default(),
    };
    explain(&model, request, &mut |_| {})
}

/// max |phi_a - phi_b| over features and targets (the documents must have the same shape).
pub fn max_phi_difference(a: &ReportDoc, b: &ReportDoc) -> f64 {
    assert_eq!(a.levels.len(), b.levels.len());
    let mut max = 0.0f64;
    for (la, lb) in a.levels.iter().zip(&b.levels) {
        assert_eq!(la.phi.len(), lb.phi.len(), "feature counts differ");
        for (pa, pb) in la.phi.iter().zip(&lb.phi) {
            for (x, y) in pa.iter().zip(pb) {
                max = max.max((x - y).abs());
            }
        }
    }
    max
}
