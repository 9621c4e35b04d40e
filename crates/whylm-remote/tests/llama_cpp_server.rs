//! Against a real engine: llama-cpp-python's OpenAI-compatible server (the python named by
//! WHYLM_LLAMA_CPP_PYTHON; `.ci/llama-cpp-venv` builds it) serving stories260K and SmolLM2 on a loopback port
//! with an f32 KV cache. The word-level exact explanation through the engine equals the embedded one to 1e-3 for
//! stories260K (f32 weights); SmolLM2's Q4_1 kernels differ between llama.cpp and whylm (see its test).
//! Without the variable the tests say why they did nothing and pass, unless WHYLM_REQUIRE_ENGINE=1.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{max_phi_difference, run, shared};
use whylm_explain::{ExplainRequest, Level, MethodChoice};
use whylm_remote::{Dialect, EngineConfig, RemoteBackend};
use whylm_shapley::Method;
use whylm_tokenize::Tokenizer;

/// The server process; killed when dropped, so a failing test does not leave it running.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The engine's python, or None (and why) when the tests should not run.
fn engine_python() -> Option<String> {
    match std::env::var("WHYLM_LLAMA_CPP_PYTHON") {
        Ok(python) if !python.is_empty() => Some(python),
        _ => {
            let why =
                "WHYLM_LLAMA_CPP_PYTHON is not set (run .ci/llama-cpp-venv and export the python it prints)";
            assert!(
                std::env::var("WHYLM_REQUIRE_ENGINE").as_deref() != Ok("1"),
                "WHYLM_REQUIRE_ENGINE=1 but {why}"
            );
            eprintln!("skipped: {why}");
            None
        }
    }
}

fn start(python: &str, model: &Path) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(python)
        .args(["-m", "llama_cpp.server", "--model"])
        .arg(model)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--n_ctx", "512", "--type_k", "0", "--type_v", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start llama_cpp.server");
    let mut server = Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    // uvicorn opens the port once the model is loaded
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("llama_cpp.server exited with {status} before it listened");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "llama_cpp.server did not listen in 120 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    server
}

fn exact_words(prompt: &str, target: &str) -> ExplainRequest {
    ExplainRequest {
        prompt: prompt.into(),
        target: Some(target.into()),
        levels: vec![Level::Word],
        method: MethodChoice::Fixed(Method::Exact),
        ..ExplainRequest::default()
    }
}

/// max |phi_engine - phi_embedded| for `request` on the model at `path`.
fn engine_against_embedded(python: &str, path: &Path, request: &ExplainRequest) -> f64 {
    let loaded = whylm_model::load(path).expect("load the embedded model");
    let embedded = run(&loaded.backend(), request).expect("embedded explanation");
    let server = start(python, path);
    let config = EngineConfig::new(vec![server.url.clone()]);
    let tokenizer = Tokenizer::from_gguf_file(path).expect("tokenizer");
    let remote = RemoteBackend::connect(&config, Some(tokenizer)).expect("connect to the engine");
    assert_eq!(
        remote.dialect(),
        Dialect::Echo,
        "llama-cpp-python speaks the echo dialect"
    );
    let through_engine = run(&remote, request).expect("explanation through the engine");
    let difference = max_phi_difference(&through_engine, &embedded);
    eprintln!(
        "{}: {} coalitions, max |dphi| {difference:.2e}",
        path.display(),
        through_engine.levels[0].evaluations
    );
    difference
}

#[test]
fn stories260k_through_llama_cpp_python_equals_embedded() {
    let Some(python) = engine_python() else { return };
    // the suffix puts a token that is never masked before the target: the echo API has no log-prob for the
    // token right after BOS, where the target would be with every word absent. No punctuation in the prompt: a
    // row that starts with "." reads as " ." to the server (it adds the word-initial space), and is refused
    let mut request = exact_words("Tom had a big red ball", " Tom threw the ball.");
    request.suffix = " Then".into();
    let path = shared("models/stories260K/stories260K.gguf");
    let difference = engine_against_embedded(&python, &path, &request);
    assert!(difference < 1e-3, "max |dphi| {difference}");
}

#[test]
fn smollm2_chat_through_llama_cpp_python_equals_embedded() {
    let Some(python) = engine_python() else { return };
    // SmolLM2 adds no BOS; its chat template starts with <|im_start|>, which is its BOS, as the echo dialect needs
    let mut request = exact_words("Name the capital of France", "The capital of France is Paris.");
    request.prefix = "<|im_start|>user\n".into();
    request.suffix = "<|im_end|>\n<|im_start|>assistant\n".into();
    request.special_tokens_in_text = true;
    let path = shared("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf");
    let difference = engine_against_embedded(&python, &path, &request);
    // Not 1e-3: llama.cpp's Q4_1 matmuls quantize the activations to Q8_1 and whylm's do not, so the full row's
    // target log-probs already differ by up to 0.055 (measured: -1.4775 vs -1.5322 for the first target token)
    // and the explanations by 0.12. A log-prob paired with the wrong token would be off by whole nats; this
    // bound checks the pairing, not the kernels.
    assert!(difference < 0.25, "max |dphi| {difference}");
}
