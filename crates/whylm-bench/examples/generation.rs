//! Generation speed alone: greedy tokens per second on one model file, the best of several runs (each: a short
//! ChatML question, then NEW_TOKENS greedy tokens; the time per token includes the prompt's pass). For quick
//! comparisons while working on the one-row kernels; `whylm bench --real-only` is the measurement of record.
//! llama.cpp's side of the same measurement: `scripts/llama_cpp_generation.py MODEL [NEW_TOKENS [RUNS]]`.
//! `cargo run -p whylm-bench --example generation -- MODEL [NEW_TOKENS] [RUNS]`
//! Threads: RAYON_NUM_THREADS as for whylm.

use std::time::Instant;

use whylm_model::{Backend, GenerateSettings, Sampling};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: generation MODEL [NEW_TOKENS] [RUNS]");
        std::process::exit(2);
    };
    let new_tokens: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(64);
    let runs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
    let loaded = match whylm_model::load(std::path::Path::new(path)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let prompt = loaded
        .tokenizer
        .encode(
            "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n",
            true,
        )
        .map(|e| e.ids)
        .unwrap_or_else(|_| vec![1]);
    let settings = GenerateSettings {
        max_new_tokens: new_tokens,
        sampling: Sampling::Greedy,
        stop_tokens: Vec::new(),
    };
    let backend = loaded.backend();
    let mut best = f64::INFINITY;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let n = match backend.generate(&prompt, &settings, &mut |_| {}) {
            Ok(g) => g.tokens.len(),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        };
        let s = start.elapsed().as_secs_f64();
        best = best.min(s / n.max(1) as f64);
        println!(
            "{n} tokens after {} prompt tokens: {:.1} tok/s",
            prompt.len(),
            n as f64 / s
        );
    }
    println!("best: {:.2} ms/token, {:.1} tok/s", best * 1e3, 1.0 / best);
}
