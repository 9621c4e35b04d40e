//! Engines that misbehave: each gives a correct result after retries or a one-line error that says what went
//! wrong and where, never a panic and never a wrong number.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::fake_server::{FakeServer, Reply, Request};
use common::*;
use serde_json::{json, Value};
use whylm_backend::{Backend, BackendError, MaskedRow, ScoreKind};
use whylm_remote::RemoteBackend;

const ROW: [u32; 4] = [1, 300, 301, 302];
const TARGETS: [u32; 2] = [303, 304];

/// A vLLM engine whose completions answers come from `answer(n, body)`, n counting from 0.
fn engine(answer: impl Fn(usize, &Value) -> Reply + Send + Sync + 'static) -> FakeServer {
    let count = AtomicUsize::new(0);
    FakeServer::start(Arc::new(move |request: &Request| match request.path.as_str() {
        "/v1/models" => Reply::Json(200, models_list("vllm")),
        _ => answer(count.fetch_add(1, Ordering::SeqCst), &request.body),
    }))
}

fn score(
    server: &FakeServer,
    tune: impl Fn(&mut whylm_remote::EngineConfig),
) -> Result<Vec<Vec<f32>>, BackendError> {
    let mut config = quick_config(&server.url());
    tune(&mut config);
    let backend = RemoteBackend::connect(&config, Some(stories_tokenizer()))?;
    backend.score_rows(&[MaskedRow::full(&ROW)], &TARGETS, &ScoreKind::LogProb)
}

fn expected() -> Vec<Vec<f32>> {
    let first = formula(&ROW, TARGETS[0]) as f32;
    let mut prefix = ROW.to_vec();
    prefix.push(TARGETS[0]);
    vec![vec![first, formula(&prefix, TARGETS[1]) as f32]]
}

fn one_line(error: &BackendError) -> String {
    let text = error.to_string();
    assert!(!text.contains('\n'), "not one line: {text}");
    text
}

#[test]
fn two_server_errors_then_success_gives_the_right_scores() {
    let server = engine(|n, body| match n {
        0 | 1 => Reply::Raw(500, Vec::new(), "{\"error\": \"CUDA out of memory\"}".into()),
        _ => Reply::Json(200, vllm_completion(body)),
    });
    assert_eq!(score(&server, |_| {}).unwrap(), expected());
}

#[test]
fn too_many_requests_waits_as_long_as_retry_after_says() {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&arrivals);
    let server = engine(move |n, body| {
        seen.lock().unwrap().push(Instant::now());
        match n {
            0 => Reply::Raw(
                429,
                vec![("Retry-After".into(), "1".into())],
                "{\"error\": \"slow down\"}".into(),
            ),
            _ => Reply::Json(200, vllm_completion(body)),
        }
    });
    assert_eq!(score(&server, |_| {}).unwrap(), expected());
    let times = arrivals.lock().unwrap();
    assert_eq!(times.len(), 2);
    // the quick backoff would have come back after at most 40 ms
    assert!(
        times[1] - times[0] >= Duration::from_secs(1),
        "{:?}",
        times[1] - times[0]
    );
}

#[test]
fn a_server_that_never_answers_times_out_with_its_url() {
    let server = engine(|_, _| Reply::Hang);
    let error = score(&server, |c| {
        c.timeout = Duration::from_millis(300);
        c.retry.attempts = 2;
    })
    .unwrap_err();
    let text = one_line(&error);
    assert!(!error.is_user_error());
    let url = format!("{}/v1/completions", server.url());
    assert!(
        text.contains(&format!("the engine {url} did not answer within 0.3 s")),
        "{text}"
    );
    assert!(text.contains("gave up after 2 tries"), "{text}");
}

#[test]
fn malformed_json_is_a_one_line_error() {
    let server = engine(|_, _| Reply::Raw(200, Vec::new(), "{\"choices\": [{\"index\": 0,".into()));
    let text = one_line(&score(&server, |_| {}).unwrap_err());
    assert!(text.contains("answered with malformed JSON"), "{text}");
}

#[test]
fn a_wrong_number_of_log_probs_is_refused() {
    let server = engine(|_, body| {
        let mut answer = vllm_completion(body);
        if let Some(logprobs) = answer["choices"][0]["prompt_logprobs"].as_array_mut() {
            logprobs.pop();
        }
        Reply::Json(200, answer)
    });
    let text = one_line(&score(&server, |_| {}).unwrap_err());
    assert!(
        text.contains("5 prompt log-probs for a prompt of 6 tokens"),
        "{text}"
    );
}

#[test]
fn a_log_prob_for_another_token_is_refused() {
    let server = engine(|_, body| {
        let mut answer = vllm_completion(body);
        answer["choices"][0]["prompt_logprobs"][5] = json!({"999": {"logprob": -1.0, "rank": 1}});
        Reply::Json(200, answer)
    });
    let text = one_line(&score(&server, |_| {}).unwrap_err());
    assert!(
        text.contains("no valid log-prob of token 304 at prompt position 5"),
        "{text}"
    );
}

#[test]
fn a_refused_key_says_which_variable_to_set_and_never_shows_the_key() {
    let server = engine(|_, _| Reply::Raw(401, Vec::new(), "{\"error\": \"bad key\"}".into()));
    let error = score(&server, |c| c.api_key = Some("sk-secret-123".into())).unwrap_err();
    let text = one_line(&error);
    assert!(error.is_user_error() && text.contains("WHYLM_API_KEY"), "{text}");
    assert!(!text.contains("sk-secret-123"));
}

#[test]
fn a_dead_replica_is_passed_over() {
    let mut dead = FakeServer::start(vllm_handler(counters()));
    let dead_url = dead.url();
    dead.stop();
    let live = FakeServer::start(vllm_handler(counters()));
    let scores = score(&live, |c| c.urls = vec![dead_url.clone(), live.url()]).unwrap();
    assert_eq!(scores, expected());
}
