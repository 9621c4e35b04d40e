//! A scoring loop for profilers (`perf record`): `rows` delete-masked rows of a stories260K
//! prompt (or the synthetic model given as a GGUF path), scored `passes` times.
//! `cargo run --release -p whylm-bench --example profile_scoring -- [MODEL.gguf] [rows] [len] [passes]`

use std::time::Instant;

use rand::{Rng, SeedableRng};
use whylm_model::{load_gguf_model, masked_row, Device, MaskedRow, Masker, ScoreKind};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let default = whylm_bench::BenchOptions::default().stories_path;
    let path = args.get(1).map(std::path::PathBuf::from).unwrap_or(default);
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (rows, len, passes) = (arg(2, 64), arg(3, 40), arg(4, 20));
    let model = match load_gguf_model(&path, &Device::Cpu) {
        Ok(m) => m.model,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let vocab = model.config().vocab_size as u32;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let prompt: Vec<u32> = (0..len)
        .map(|i| if i == 0 { 1 } else { rng.random_range(2..vocab) })
        .collect();
    let target: Vec<u32> = (0..16).map(|_| rng.random_range(2..vocab)).collect();
    let batch: Vec<MaskedRow> = (0..rows)
        .map(|_| {
            let keep: Vec<bool> = (0..len).map(|i| i == 0 || rng.random_bool(0.7)).collect();
            masked_row(&prompt, &keep, &Masker::Delete)
        })
        .collect();
    let start = Instant::now();
    for _ in 0..passes {
        if let Err(e) = model.score_rows(&batch, &target, &ScoreKind::LogProb) {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
    let s = start.elapsed().as_secs_f64() / passes as f64;
    println!(
        "{rows} rows x ({len} + 16) tokens: {:.2} ms per pass, {:.0} tokens/s",
        s * 1e3,
        (rows * (len + 16)) as f64 / s
    );
}
