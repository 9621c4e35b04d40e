//! Batching on long rows (issue 19): seconds per evaluation when many keep-1/2 ablations of a ~340-token
//! prompt are scored together, for several rows per call, against one forward pass of the unmasked row.
//! Every row deletes random ~18-token "sentences" (keep probability 1/2), as a sentence-level explanation does.
//!
//! `cargo run --release -p whylm-bench --example long_rows -- [MODEL.gguf] [rows] [len] [repeats] [rows per call]`

use std::time::Instant;

use rand::{Rng, SeedableRng};
use whylm_model::{load_gguf_model, masked_row, Device, MaskedRow, Masker, Model, ScoreKind};

const SENTENCE: usize = 18;
const TARGETS: usize = 8;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let default = whylm_bench::BenchOptions::default().stories_path;
    let path = args.get(1).map(std::path::PathBuf::from).unwrap_or(default);
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (rows, len, repeats) = (arg(2, 64), arg(3, 340), arg(4, 3));
    // a fifth argument measures only that many rows per call (for a profiler)
    let sizes = match args.get(5).and_then(|s| s.parse().ok()) {
        Some(only) => vec![only],
        None => vec![1, 2, 4, 8, 16, 32, rows],
    };
    let model = load_gguf_model(&path, &Device::Cpu)?.model;
    let vocab = model.config().vocab_size as u32;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let prompt: Vec<u32> = (0..len)
        .map(|i| if i == 0 { 1 } else { rng.random_range(2..vocab) })
        .collect();
    let target: Vec<u32> = (0..TARGETS).map(|_| rng.random_range(2..vocab)).collect();
    let ablations: Vec<MaskedRow> = (0..rows)
        .map(|_| {
            let sentences = len.div_ceil(SENTENCE);
            let kept: Vec<bool> = (0..sentences).map(|_| rng.random_bool(0.5)).collect();
            let keep: Vec<bool> = (0..len).map(|i| i == 0 || kept[i / SENTENCE]).collect();
            masked_row(&prompt, &keep, &Masker::Delete)
        })
        .collect();
    let full = [MaskedRow::full(&prompt)];
    let single = best_of(repeats, || time_rows(&model, &full, &target, 1))?;
    println!(
        "{rows} keep-1/2 rows of a {len}-token prompt ({SENTENCE}-token sentences), {TARGETS} target tokens; \
         best of {repeats}"
    );
    println!("single-row forward of the full prompt: {:.2} ms", single * 1e3);
    println!("rows per call | ms per evaluation | / single-row forward");
    for per_call in sizes {
        let per_eval = best_of(repeats, || time_rows(&model, &ablations, &target, per_call))? / rows as f64;
        println!(
            "{per_call:>13} | {:>17.2} | {:>6.2}x",
            per_eval * 1e3,
            per_eval / single
        );
    }
    Ok(())
}

/// Seconds to score `rows` in calls of `per_call` rows (the scorer batches each call within its memory budget).
fn time_rows(model: &Model, rows: &[MaskedRow], target: &[u32], per_call: usize) -> Result<f64, String> {
    model.clear_prefix_cache();
    let start = Instant::now();
    for chunk in rows.chunks(per_call) {
        model
            .score_rows(chunk, target, &ScoreKind::LogProb)
            .map_err(|e| e.to_string())?;
    }
    Ok(start.elapsed().as_secs_f64())
}

fn best_of(repeats: usize, mut f: impl FnMut() -> Result<f64, String>) -> Result<f64, String> {
    let mut best = f64::INFINITY;
    for _ in 0..repeats.max(1) {
        best = best.min(f()?);
    }
    Ok(best)
}
