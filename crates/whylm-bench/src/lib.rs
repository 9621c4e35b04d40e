//! whylm-bench: the fixed speed suite of whylm.
//!
//! (a) stories260K, a 20-token target, partition with 500 evaluations; (b) the prompt cut to
//! 12 tokens, exact; (c) a synthetic dim-512 Llama (written as GGUF and HF) at prompt lengths
//! 64/256/1024: forward tokens/s and GFLOP/s next to a plain matmul, peak memory against the
//! budget; (d) a 200-token prompt with a 150-token never-masked prefix, prefix sharing off vs on;
//! (e) SmolLM2-135M-Instruct as shipped and as Q4_K_M, Q8_0 and F16, beside llama.cpp.
//! [`run_suite`] measures; [`BenchReport::to_markdown`] and serde JSON report. Nothing here
//! asserts timings: the report states each goal and whether this run met it.

mod error;
mod forward;
mod goal;
mod memory;
mod real;
mod report;
mod stories;
mod synthetic;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use whylm_shapley::{Method, Settings};

pub use error::{BenchError, Result};
pub use forward::{matmul_gflops, row_flops, run_forward, ForwardCase, ForwardReport};
pub use memory::{peak_rss_bytes, reset_peak, rss_bytes};
pub use real::{
    run_real, ChatCase, LlamaCppTimes, RealCase, RealOptions, RealReport, WhylmTimes, LLAMA_CPP_FTYPES,
};
pub use report::{BenchReport, Goal};
pub use stories::{ExplainCase, SharingCase};
pub use synthetic::{synthetic_tensors, write_synthetic, SyntheticFiles, SyntheticSpec};

/// The suite's prompt.
pub const PROMPT: &str = "Once upon a time, there was a little girl named Lily. She loved to play";

/// What to run; [`BenchOptions::default`] is the fixed suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchOptions {
    /// stories260K GGUF (tokenizer inside).
    pub stories_path: PathBuf,
    pub prompt: String,
    /// Length of the greedy continuation explained in (a) and (b).
    pub target_tokens: usize,
    /// Budget of the partition explanation in (a).
    pub partition_evals: usize,
    /// (b): the prompt cut to this many tokens after BOS, explained exactly.
    pub exact_features: usize,
    /// (c); `None` skips it.
    pub synthetic: Option<SyntheticSpec>,
    /// Where (c) writes its model; `None`: a temporary directory, removed afterwards.
    pub synthetic_dir: Option<PathBuf>,
    pub forward_lengths: Vec<usize>,
    pub forward_target_tokens: usize,
    /// Memory budget of a scoring batch in (c); each length runs one full batch at it.
    pub forward_memory_budget: usize,
    /// Timed repetitions (the best counts) after one warm-up.
    pub repeats: usize,
    /// The plain matmul (m, k, n) measured next to (c).
    pub matmul_shape: (usize, usize, usize),
    /// (d): prompt length (with BOS), never-masked prefix length, target length, method, budget.
    pub sharing_prompt_tokens: usize,
    pub sharing_fixed_tokens: usize,
    pub sharing_target_tokens: usize,
    pub sharing_method: Method,
    pub sharing_evals: usize,
    /// (e) real models; `None` skips it.
    pub real: Option<RealOptions>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            stories_path: PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/models/stories260K/stories260K.gguf"
            )),
            prompt: PROMPT.to_string(),
            target_tokens: 20,
            partition_evals: 500,
            exact_features: 12,
            synthetic: Some(SyntheticSpec::default()),
            synthetic_dir: None,
            forward_lengths: vec![64, 256, 1024],
            forward_target_tokens: 16,
            forward_memory_budget: 256 << 20,
            repeats: 2,
            matmul_shape: (128, 4096, 4096),
            sharing_prompt_tokens: 200,
            sharing_fixed_tokens: 150,
            sharing_target_tokens: 10,
            sharing_method: Method::Kernel,
            sharing_evals: 400,
            real: Some(RealOptions::default()),
        }
    }
}

impl BenchOptions {
    fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(BenchError::Options(m.to_string()));
        if self.target_tokens == 0 || self.forward_target_tokens == 0 || self.sharing_target_tokens == 0 {
            return bad("target lengths must be at least 1 token");
        }
        if self.sharing_fixed_tokens == 0 || self.sharing_fixed_tokens >= self.sharing_prompt_tokens {
            return bad("the never-masked prefix of (d) must keep BOS and leave at least one feature");
        }
        if self.exact_features == 0 || self.exact_features > 20 {
            return bad("(b) explains exactly: use 1 to 20 features");
        }
        Ok(())
    }
}

/// Runs the suite.
pub fn run_suite(options: &BenchOptions) -> Result<BenchReport> {
    options.validate()?;
    let path = &options.stories_path;
    let mut stories = stories::Stories::load(path)?;
    let prompt = stories.encode(&options.prompt, path)?;
    let target = stories.continuation(&prompt, options.target_tokens)?;
    let partition = Settings {
        max_evals: Some(options.partition_evals),
        ..Settings::with_method(Method::Partition)
    };
    let a = stories::explain_case(
        "stories260K partition",
        &stories.loaded,
        &prompt,
        &target,
        &partition,
    )?;

    let short: Vec<u32> = prompt.iter().copied().take(options.exact_features + 1).collect();
    let short_target = stories.continuation(&short, options.target_tokens)?;
    let b = stories::explain_case(
        "stories260K exact",
        &stories.loaded,
        &short,
        &short_target,
        &Settings::with_method(Method::Exact),
    )?;

    let mut long = Vec::new();
    while long.len() < options.sharing_prompt_tokens {
        let next = stories.encode(&options.prompt, path)?;
        long.extend(if long.is_empty() { &next[..] } else { &next[1..] });
    }
    long.truncate(options.sharing_prompt_tokens);
    let long_target = stories.continuation(&long, options.sharing_target_tokens)?;
    let sharing_settings = Settings {
        max_evals: Some(options.sharing_evals),
        ..Settings::with_method(options.sharing_method)
    };
    let d = stories::sharing_case(
        &mut stories.loaded,
        &long,
        options.sharing_fixed_tokens,
        &long_target,
        &sharing_settings,
    )?;
    drop(stories);

    let c = match &options.synthetic {
        Some(spec) => Some(run_synthetic(options, spec)?),
        None => None,
    };
    let mut report = BenchReport::new(a, b, c, d, whylm_model::num_threads());
    if let Some(real) = &options.real {
        report.real = Some(run_real(real, whylm_model::num_threads())?);
    }
    Ok(report)
}

fn run_synthetic(options: &BenchOptions, spec: &SyntheticSpec) -> Result<ForwardReport> {
    let (dir, temporary) = match &options.synthetic_dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("whylm-bench-synthetic-{}", std::process::id())),
            true,
        ),
    };
    let files = write_synthetic(spec, &dir)?;
    let result = run_forward(
        &files,
        &options.forward_lengths,
        options.forward_target_tokens,
        options.forward_memory_budget,
        options.repeats,
        options.matmul_shape,
    );
    if temporary {
        // Best effort: a leftover temp dir is harmless.
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}
