//! llama.cpp's side of the real-model section: `scripts/llama_cpp_bench.py` run by a Python
//! that has `llama_cpp` (llama-cpp-python) installed, one JSON job on stdin, one JSON answer on
//! stdout.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{BenchError, Result};

/// The driver script, shipped inside the binary and written next to the cached models.
const SCRIPT: &str = include_str!("../../scripts/llama_cpp_bench.py");

/// The quantization types the driver script can ask llama.cpp's quantizer for (its `LLAMA_FTYPE_MOSTLY_*` names).
pub const LLAMA_CPP_FTYPES: [&str; 16] = [
    "F16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M",
    "Q5_K_S", "Q5_K_M", "Q6_K", "F32",
];

/// llama.cpp's times on one file (2 threads, f32 KV cache, logits for every token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlamaCppTimes {
    /// Seconds per evaluation with the header evaluated once and its KV cache reused.
    pub s_per_eval_reused: f64,
    /// Seconds per evaluation with every row evaluated from scratch.
    pub s_per_eval_fresh: f64,
    pub gen_tokens_per_s: f64,
    /// Greedy tokens generated (to compare with whylm's).
    pub gen_ids: Vec<u32>,
    /// Target log-probs of every row (header reused), in the job's row order.
    pub logprobs: Vec<Vec<f64>>,
}

/// A Python able to import `llama_cpp`, and where its script lives.
pub struct LlamaCpp<'a> {
    pub python: &'a Path,
    pub script: std::path::PathBuf,
}

fn failure(what: &str, message: impl std::fmt::Display) -> BenchError {
    BenchError::RealModel(format!(
        "llama.cpp {what} failed: {message}; check that --llama-cpp names a Python with llama_cpp installed"
    ))
}

impl<'a> LlamaCpp<'a> {
    /// Writes the driver script into `dir`.
    pub fn new(python: &'a Path, dir: &Path) -> Result<Self> {
        let script = dir.join("llama_cpp_bench.py");
        std::fs::write(&script, SCRIPT).map_err(|e| {
            BenchError::RealModel(format!(
                "cannot write {}: {e}; pass a writable --real-dir",
                script.display()
            ))
        })?;
        Ok(Self { python, script })
    }

    fn run(&self, what: &str, job: &Value) -> Result<Value> {
        let mut child = Command::new(self.python)
            .arg(&self.script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failure(what, format!("cannot start {}: {e}", self.python.display())))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(job.to_string().as_bytes())
                .map_err(|e| failure(what, e))?;
        }
        let out = child.wait_with_output().map_err(|e| failure(what, e))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let answer: Value = serde_json::from_str(text.trim()).map_err(|_| {
            let err = String::from_utf8_lossy(&out.stderr);
            failure(what, err.lines().last().unwrap_or("no output").to_string())
        })?;
        if let Some(e) = answer.get("error").and_then(Value::as_str) {
            return Err(failure(what, e));
        }
        Ok(answer)
    }

    /// llama.cpp's own quantizer (`llama_model_quantize`): `src` (F32/F16 GGUF) to `dst` as
    /// `ftype`: one of [`LLAMA_CPP_FTYPES`].
    pub fn quantize(&self, src: &Path, dst: &Path, ftype: &str, threads: usize) -> Result<()> {
        let job = json!({"quantize": {"src": src, "dst": dst, "ftype": ftype, "threads": threads}});
        let answer = self.run("quantize", &job)?;
        match answer.get("ok").and_then(Value::as_bool) {
            Some(true) => Ok(()),
            _ => Err(failure("quantize", format!("{answer}"))),
        }
    }

    /// Times scoring (`rows` after `header`, the last `target_len` tokens of each scored) and
    /// greedy generation of `gen_tokens` after `gen_prompt`.
    pub fn time(&self, model: &Path, job: &ScoringJob<'_>) -> Result<LlamaCppTimes> {
        let value = json!({
            "model": model, "threads": job.threads, "header": job.header, "rows": job.rows,
            "target_len": job.target_len, "gen_prompt": job.gen_prompt, "gen_tokens": job.gen_tokens,
            "repeats": job.repeats, "gen_repeats": job.gen_repeats,
        });
        let answer = self.run("timing", &value)?;
        serde_json::from_value(answer).map_err(|e| failure("timing", e))
    }
}

/// What both engines run on each file.
pub struct ScoringJob<'a> {
    pub threads: usize,
    pub header: &'a [u32],
    pub rows: &'a [Vec<u32>],
    pub target_len: usize,
    pub gen_prompt: &'a [u32],
    pub gen_tokens: usize,
    pub repeats: usize,
    pub gen_repeats: usize,
}
