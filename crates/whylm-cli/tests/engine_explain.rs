//! `whylm explain --engine URL` end to end: the binary against an in-process fake vLLM engine whose "model" is a
//! formula over the prompt's token ids. The report's phi, v(∅) and v(N) must equal an exact Shapley computation
//! done here from the report's own tokens and features with the same formula, so a score paired with the wrong
//! row, a lost coalition or a wrong sign all fail the test.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{assert_success, assert_user_error, shared, stderr, whylm};
use serde_json::{json, Value};

const MODEL: &str = "fake-llama";

/// The fake model: log p(id | prefix), a hash of the prefix and the id mapped into [-4.05, -0.05].
fn formula(prefix: &[u32], id: u32) -> f64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in prefix.iter().chain([&id]) {
        hash = (hash ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
    }
    -0.05 - (hash % 4001) as f64 / 1000.0
}

/// vLLM's `/v1/completions` answer with `prompt_logprobs` (entry 0 null) for every token-id prompt in `body`.
fn completion(body: &Value) -> Value {
    let prompts: Vec<Vec<u32>> = serde_json::from_value(body["prompt"].clone()).unwrap_or_default();
    let choices: Vec<Value> = prompts
        .iter()
        .enumerate()
        .map(|(i, prompt)| {
            let mut logprobs = vec![Value::Null];
            for p in 1..prompt.len() {
                let id = prompt[p];
                logprobs.push(json!({ id.to_string(): {
                    "logprob": formula(&prompt[..p], id), "rank": 1, "decoded_token": "x" } }));
            }
            json!({"index": i, "text": " x", "logprobs": null, "finish_reason": "length",
                   "prompt_logprobs": logprobs, "prompt_token_ids": prompt})
        })
        .collect();
    json!({"id": "cmpl-test", "object": "text_completion", "created": 0, "model": MODEL, "choices": choices})
}

/// What the fake engine is.
#[derive(Clone, Copy)]
enum Kind {
    /// vLLM with the formula as its model.
    Vllm,
    /// An echo-dialect engine that reads one token more than it was sent in every row (as llama-cpp-python does
    /// with text that re-tokenizes differently).
    EchoRetokenizing,
    /// A vLLM-like engine whose completions are JSON of the wrong shape.
    Garbage,
}

fn answer(kind: Kind, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let owner = match kind {
        Kind::Vllm => "vllm",
        Kind::EchoRetokenizing => "llama-cpp",
        Kind::Garbage => "vllm",
    };
    match (method, path, kind) {
        ("GET", "/v1/models", _) => (
            200,
            json!({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": owner,
                                               "max_model_len": 2048}]}),
        ),
        ("POST", "/v1/completions", Kind::Vllm) => (200, completion(body)),
        ("POST", "/v1/completions", Kind::EchoRetokenizing) => {
            let words = body["prompt"].as_str().unwrap_or_default().split(' ').count();
            (
                200,
                json!({"choices": [{"text": " x", "logprobs": {"tokens": vec!["x"; words + 2],
                                                               "token_logprobs": vec![-1.0; words + 2]}}],
                       "usage": {"prompt_tokens": words + 2, "completion_tokens": 1}}),
            )
        }
        ("POST", "/v1/completions", Kind::Garbage) => (200, json!({"choices": "not a list"})),
        _ => (404, json!({"error": "no such route"})),
    }
}

/// One request per connection (`Connection: close`), each on its own thread; stops when dropped.
struct FakeEngine {
    url: String,
    stop: Arc<AtomicBool>,
}

impl FakeEngine {
    fn start(kind: Kind) -> FakeEngine {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).expect("nonblocking listener");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        std::thread::spawn(move || serve(kind, stream));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        FakeEngine { url, stop }
    }
}

impl Drop for FakeEngine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(kind: Kind, mut stream: TcpStream) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let header_end = loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => data.extend_from_slice(&buf[..n]),
            _ => return,
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).to_string();
    let mut words = head.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while data.len() < header_end + length {
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => data.extend_from_slice(&buf[..n]),
            _ => return,
        }
    }
    let body = serde_json::from_slice(&data[header_end..]).unwrap_or(Value::Null);
    let (status, reply) = answer(kind, method, path, &body);
    let text = reply.to_string();
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        text.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(text.as_bytes());
}

/// v(S) per target token: the prompt's tokens without the absent features' tokens (the delete masker), then the
/// targets, each scored by the formula after the ones before it. Scores travel as f32, as backends return them.
fn value(input: &[u32], absent: &[usize], targets: &[u32]) -> Vec<f64> {
    let mut row: Vec<u32> = (0..input.len())
        .filter(|i| !absent.contains(i))
        .map(|i| input[i])
        .collect();
    targets
        .iter()
        .map(|&y| {
            let score = f64::from(formula(&row, y) as f32);
            row.push(y);
            score
        })
        .collect()
}

/// Exact Shapley values `phi[feature][target]` by enumerating every coalition, with v(∅) and v(N).
fn exact_shapley(
    input: &[u32],
    features: &[Vec<usize>],
    targets: &[u32],
) -> (Vec<Vec<f64>>, Vec<f64>, Vec<f64>) {
    let n = features.len();
    let v = |mask: usize| {
        let absent: Vec<usize> = (0..n)
            .filter(|f| mask & (1 << f) == 0)
            .flat_map(|f| features[f].clone())
            .collect();
        value(input, &absent, targets)
    };
    let factorial = |k: usize| (1..=k).map(|x| x as f64).product::<f64>();
    let mut phi = vec![vec![0.0; targets.len()]; n];
    for mask in 0..(1usize << n) {
        let size = mask.count_ones() as usize;
        let without = v(mask);
        for (f, phi_f) in phi.iter_mut().enumerate().filter(|(f, _)| mask & (1 << f) == 0) {
            let weight = factorial(size) * factorial(n - size - 1) / factorial(n);
            let with = v(mask | (1 << f));
            for t in 0..targets.len() {
                phi_f[t] += weight * (with[t] - without[t]);
            }
        }
    }
    (phi, v(0), v((1 << n) - 1))
}

fn ids(values: &Value) -> Vec<u32> {
    values
        .as_array()
        .expect("a list of tokens")
        .iter()
        .map(|t| t["id"].as_u64().expect("a token id") as u32)
        .collect()
}

fn max_difference(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

#[test]
fn explain_through_an_engine_gives_the_exact_shapley_values_of_its_scores() {
    let engine = FakeEngine::start(Kind::Vllm);
    let dir = std::env::temp_dir().join(format!("whylm-cli-engine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let report: PathBuf = dir.join("report.json");
    let output = whylm([
        "explain".as_ref(),
        "--engine".as_ref(),
        engine.url.as_ref(),
        "--model".as_ref(),
        shared("models/stories260K/stories260K.gguf").as_os_str(),
        "--prompt".as_ref(),
        "Tom had a red ball. He threw it.".as_ref(),
        "--target".as_ref(),
        " The dog ran.".as_ref(),
        "--level".as_ref(),
        "word".as_ref(),
        "--method".as_ref(),
        "exact".as_ref(),
        "--quiet".as_ref(),
        "--json".as_ref(),
        report.as_os_str(),
    ]);
    let text = std::fs::read_to_string(&report);
    let _ = std::fs::remove_dir_all(&dir);
    assert_success(&output);
    let doc: Value = serde_json::from_str(&text.expect("the JSON report was written")).expect("JSON report");
    let path = doc["model"]["path"].as_str().unwrap_or_default();
    assert!(path.contains(&engine.url) && path.contains("vllm"), "{path}");
    assert_eq!(doc["model"]["name"], MODEL);
    assert_eq!(doc["masker"], "delete");
    let input = ids(&doc["input_tokens"]);
    let targets = ids(&doc["target_tokens"]);
    let level = &doc["levels"][0];
    let features: Vec<Vec<usize>> = serde_json::from_value(
        level["features"]
            .as_array()
            .expect("features")
            .iter()
            .map(|f| f["tokens"].clone())
            .collect(),
    )
    .expect("feature token indices");
    assert!(features.len() >= 8, "one feature per word: {features:?}");
    let (phi, base, full) = exact_shapley(&input, &features, &targets);
    let reported: Vec<Vec<f64>> = serde_json::from_value(level["phi"].clone()).expect("phi");
    let reported_base: Vec<f64> = serde_json::from_value(level["base_value"].clone()).expect("base_value");
    let reported_full: Vec<f64> = serde_json::from_value(level["full_value"].clone()).expect("full_value");
    // 1e-9: both sides sum the same f32 scores in f64; only the order of the additions differs
    assert!(
        max_difference(&reported_base, &base) < 1e-9,
        "{reported_base:?} vs {base:?}"
    );
    assert!(
        max_difference(&reported_full, &full) < 1e-9,
        "{reported_full:?} vs {full:?}"
    );
    assert_eq!(reported.len(), phi.len());
    for (f, (got, want)) in reported.iter().zip(&phi).enumerate() {
        assert!(
            max_difference(got, want) < 1e-9,
            "feature {f}: {got:?} vs {want:?}"
        );
    }
    assert_eq!(level["evaluations"], 1 << features.len(), "{}", stderr(&output));
}

/// `whylm explain --engine` of the stories260K sentence with `extra` options, with a score cache of its own.
fn explain_story(engine: &FakeEngine, extra: &[&str]) -> std::process::Output {
    let cache = std::env::temp_dir().join(format!(
        "whylm-cli-engine-{}-{}.cache",
        std::process::id(),
        extra.len()
    ));
    let model = shared("models/stories260K/stories260K.gguf");
    let mut args: Vec<&std::ffi::OsStr> = vec!["explain".as_ref(), "--engine".as_ref(), engine.url.as_ref()];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    args.extend::<[&std::ffi::OsStr; 9]>([
        "--model".as_ref(),
        model.as_os_str(),
        "--prompt".as_ref(),
        "Tom had a red ball".as_ref(),
        "--target".as_ref(),
        " The dog ran.".as_ref(),
        "--quiet".as_ref(),
        "--cache".as_ref(),
        cache.as_os_str(),
    ]);
    let output = whylm(args);
    let _ = std::fs::remove_file(&cache);
    output
}

#[test]
fn an_engine_that_reads_other_tokens_is_one_user_error_line() {
    let engine = FakeEngine::start(Kind::EchoRetokenizing);
    let output = explain_story(&engine, &["--engine-dialect", "echo", "--suffix", " Then"]);
    assert_user_error(&output, "tokenized the text");
    let line = stderr(&output);
    assert_eq!(
        line.matches("tokenized the text").count(),
        1,
        "the engine's message once, not once per layer: {line}"
    );
}

#[test]
fn an_engine_that_answers_garbage_is_one_line_naming_it_not_a_bug_report() {
    let engine = FakeEngine::start(Kind::Garbage);
    let output = explain_story(&engine, &[]);
    let line = stderr(&output);
    // exit 1: the input is fine and whylm is not at fault either, but the run failed
    assert_eq!(output.status.code(), Some(1), "{line}");
    assert_eq!(line.lines().count(), 1, "one line: {line}");
    assert!(
        line.contains(&engine.url) && line.contains("wrong answer"),
        "{line}"
    );
    assert!(
        !line.contains("bug in whylm"),
        "an engine's fault is not reported as whylm's bug: {line}"
    );
}
