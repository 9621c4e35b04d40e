//! Against a real engine: llama-cpp-python's OpenAI-compatible server (the python named by
//! WHYLM_LLAMA_CPP_PYTHON; `.ci/llama-cpp-venv` builds it) serving stories260K and SmolLM2 on a loopback port
//! with an f32 KV cache. The word-level exact explanation through the engine equals the embedded one to 1e-3 on
//! the same f32 weights: stories260K's file as it is, SmolLM2's Q4_1 file dequantized to an F32 GGUF at test time
//! (llama.cpp's Q4_1 kernels quantize the activations to Q8_1 and whylm's do not, so the Q4_1 file itself would
//! compare two kernels rather than the engine path).
//! Without the variable the tests say why they did nothing and pass, unless WHYLM_REQUIRE_ENGINE=1.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{max_phi_difference, run, shared};
use whylm_explain::{ExplainRequest, Level, MethodChoice};
use whylm_model::{load_gguf_model, save_gguf, Device, GgmlDType, GgufValue};
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

/// Which tokenizer the remote backend uses.
#[derive(Clone, Copy, Debug)]
enum TokenizerFrom {
    /// The GGUF file's own (`--model`).
    File,
    /// The engine's /extras/tokenize and /extras/detokenize (no `--model`).
    Engine,
}

/// max |phi_engine - phi_embedded| for `request` on the model at `path`, once per tokenizer in `tokenizers`.
fn engine_against_embedded(
    python: &str,
    path: &Path,
    request: &ExplainRequest,
    tokenizers: &[TokenizerFrom],
) -> Vec<f64> {
    let started = Instant::now();
    let loaded = whylm_model::load(path).expect("load the embedded model");
    let embedded = run(&loaded.backend(), request).expect("embedded explanation");
    let server = start(python, path);
    let config = EngineConfig::new(vec![server.url.clone()]);
    let mut differences = Vec::new();
    for &from in tokenizers {
        let tokenizer = match from {
            TokenizerFrom::File => Some(Tokenizer::from_gguf_file(path).expect("tokenizer")),
            TokenizerFrom::Engine => None,
        };
        let remote = RemoteBackend::connect(&config, tokenizer).expect("connect to the engine");
        assert_eq!(
            remote.dialect(),
            Dialect::Echo,
            "llama-cpp-python speaks the echo dialect"
        );
        let through_engine = run(&remote, request).expect("explanation through the engine");
        let difference = max_phi_difference(&through_engine, &embedded);
        eprintln!(
            "{}, tokenizer from the {from:?}: {} coalitions, max |dphi| {difference:.2e}, {:.1} s so far",
            path.display(),
            through_engine.levels[0].evaluations,
            started.elapsed().as_secs_f64()
        );
        differences.push(difference);
    }
    differences
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
    let tokenizers = [TokenizerFrom::File, TokenizerFrom::Engine];
    for (difference, from) in engine_against_embedded(&python, &path, &request, &tokenizers)
        .into_iter()
        .zip(tokenizers)
    {
        assert!(
            difference < 1e-3,
            "tokenizer from the {from:?}: max |dphi| {difference}"
        );
    }
}

/// A directory under the system temp dir, removed when dropped: a failing test leaves no exported model behind.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("whylm-remote-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes the GGUF at `quantized` dequantized to F32 at `out`, with its tokenizer and chat-template metadata.
fn export_f32(quantized: &Path, out: &Path) {
    let mut gguf = load_gguf_model(quantized, &Device::Cpu).expect("load the quantized GGUF");
    // the copied metadata would still call the file Q4_1 (llama.cpp's LLAMA_FTYPE_MOSTLY_Q4_1 = 3); 0 is ALL_F32
    gguf.metadata
        .insert("general.file_type".into(), GgufValue::U32(0));
    save_gguf(&gguf.model, out, GgmlDType::F32, &gguf.metadata).expect("export the F32 GGUF");
}

#[test]
fn smollm2_chat_through_llama_cpp_python_equals_embedded() {
    let Some(python) = engine_python() else { return };
    // SmolLM2 adds no BOS; its chat template starts with <|im_start|>, which is its BOS, as the echo dialect needs
    let mut request = exact_words("Name the capital of France", "The capital of France is Paris.");
    request.prefix = "<|im_start|>user\n".into();
    request.suffix = "<|im_end|>\n<|im_start|>assistant\n".into();
    request.special_tokens_in_text = true;
    let dir = TempDir::new("smollm2-f32");
    let f32_path = dir.0.join("SmolLM2-135M-Instruct.F32.gguf");
    export_f32(
        &shared("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"),
        &f32_path,
    );
    let difference = engine_against_embedded(&python, &f32_path, &request, &[TokenizerFrom::File])[0];
    assert!(difference < 1e-3, "max |dphi| {difference}");
}
