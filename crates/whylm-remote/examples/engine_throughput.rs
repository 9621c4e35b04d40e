//! Evaluations (scored coalitions) per second through a remote engine at 1, 2, 4 and 8 requests in flight, with
//! the engine's own prompt-processing rate for scale.
//!
//! Starts llama-cpp-python's server (the python in WHYLM_LLAMA_CPP_PYTHON, see .ci/llama-cpp-venv) on a loopback
//! port with an f32 KV cache, serving MODEL (default: ../shared/models/stories260K/stories260K.gguf), and scores
//! the same rows (every subset of the prompt's words, then the target) at each concurrency:
//!
//! ```text
//! WHYLM_LLAMA_CPP_PYTHON=$(.ci/llama-cpp-venv) cargo run --release -p whylm-remote --example engine_throughput [MODEL]
//! ```

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use whylm_backend::{Backend, MaskedRow, ScoreKind};
use whylm_remote::{EngineConfig, RemoteBackend};
use whylm_tokenize::Tokenizer;

const WORDS: [&str; 6] = ["Tom", "had", "a", "red", "ball", "today."];
const TARGET: &str = " Then Tom threw the ball to the dog.";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let python = std::env::var("WHYLM_LLAMA_CPP_PYTHON")
        .map_err(|_| "set WHYLM_LLAMA_CPP_PYTHON to the python that .ci/llama-cpp-venv prints")?;
    let model = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models/stories260K/stories260K.gguf")
    });
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let server = Server(
        Command::new(&python)
            .args(["-m", "llama_cpp.server", "--model"])
            .arg(&model)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--n_ctx", "512", "--type_k", "0", "--type_v", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(120) {
            return Err("the server did not listen within 120 s".into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let tokenizer = Tokenizer::from_gguf_file(&model)?;
    let rows = word_subsets(&tokenizer)?;
    let targets = tokenizer.encode(TARGET, false)?.ids;
    let tokens: usize = rows.iter().map(|r| r.len() + targets.len()).sum();
    println!("model: {}", model.display());
    println!(
        "{} rows (every subset of {} words), {:.1} tokens per row on average",
        rows.len(),
        WORDS.len(),
        tokens as f64 / rows.len() as f64
    );
    println!("| requests in flight | seconds | evaluations/s | vs 1 in flight |");
    println!("|---:|---:|---:|---:|");
    let mut baseline = None;
    for concurrency in [1, 2, 4, 8] {
        let mut config = EngineConfig::new(vec![format!("http://127.0.0.1:{port}")]);
        config.concurrency = Some(concurrency);
        let remote = RemoteBackend::connect(&config, Some(Tokenizer::from_gguf_file(&model)?))?;
        let start = Instant::now();
        // in batches the size explain would use
        for batch in rows.chunks(remote.batch_hint(0, targets.len())) {
            remote.score_rows(batch, &targets, &ScoreKind::LogProb)?;
        }
        let seconds = start.elapsed().as_secs_f64();
        let rate = rows.len() as f64 / seconds;
        let ratio = rate / *baseline.get_or_insert(rate);
        println!("| {concurrency} | {seconds:.2} | {rate:.1} | {ratio:.2}x |");
    }
    drop(server);
    let per_row = tokens.div_ceil(rows.len());
    match forward_rate(&python, &model, per_row) {
        Some((median, best)) => println!(
            "the engine's own prompt processing (Llama.eval of {per_row} tokens, no HTTP, {EVAL_REPS} runs): median \
             {median:.0} tokens/s = {:.1} rows/s, best {best:.0} tokens/s",
            median / per_row as f64
        ),
        None => println!("(could not time Llama.eval in {python})"),
    }
    Ok(())
}

/// One row per subset of WORDS: BOS and the kept words' text, tokenized as the engine will tokenize it.
fn word_subsets(tokenizer: &Tokenizer) -> Result<Vec<MaskedRow>, Box<dyn std::error::Error>> {
    (0..1u32 << WORDS.len())
        .map(|mask| {
            let kept: Vec<&str> = (0..WORDS.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| WORDS[i])
                .collect();
            let text = format!("{}. Then", kept.join(" "));
            Ok(MaskedRow::full(&tokenizer.encode(&text, true)?.ids))
        })
        .collect()
}

/// How many times `forward_rate` times one `Llama.eval`.
const EVAL_REPS: usize = 41;

/// The engine's own forward-pass rate: llama-cpp-python's `Llama.eval` (what the server calls) on prompts of
/// `tokens_per_row` tokens, timed in the engine's python without HTTP, JSON or the echo's post-processing.
/// Returns the median and the best rate in tokens/s over EVAL_REPS evals, each timed on its own: llama.cpp's
/// threads spin-wait for each other, so on a shared machine one eval of the same prompt takes from 2 ms to 500 ms
/// (measured on the 2-core dev machine under a build), and a total over all runs (what this printed before: 18
/// tokens/s, against 8,550 in a quiet hand run) is ruled by the few stalled evals, not the engine.
fn forward_rate(python: &str, model: &PathBuf, tokens_per_row: usize) -> Option<(f64, f64)> {
    let script = "import sys, time, statistics, llama_cpp\n\
m = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=512, type_k=0, type_v=0, logits_all=True, verbose=False)\n\
n = int(sys.argv[2]); ids = (m.tokenize(b'Tom had a red ball today. Then Tom threw the ball to the dog.') * 20)[:n]\n\
m.reset(); m.eval(ids)\n\
seconds = []\n\
for _ in range(int(sys.argv[3])):\n    m.reset(); t = time.perf_counter(); m.eval(ids); seconds.append(time.perf_counter() - t)\n\
print(n / statistics.median(seconds), n / min(seconds))\n";
    let output = Command::new(python)
        .args(["-c", script])
        .arg(model)
        .arg(tokens_per_row.to_string())
        .arg(EVAL_REPS.to_string())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let mut rates = text.split_whitespace().map(|r| r.parse::<f64>().ok());
    Some((rates.next()??, rates.next()??))
}
