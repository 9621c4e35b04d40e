//! Generation speed alone: loads each GGUF file with its weights in their file's type (`--dtype native`), runs
//! greedy generation of N tokens after the golden chat prompt of SmolLM2 and prints the whole call's tokens per
//! second (prompt included, as `whylm bench` counts it), the prompt's time and the time per new token.
//! `cargo run -p whylm-bench --example gen_speed -- N FILE...` (2 threads: `RAYON_NUM_THREADS=2`).

use std::path::Path;
use std::time::Instant;

use whylm_model::{GenerateSettings, LoadOptions, Sampling, WeightDtype};

fn golden_prompt() -> Result<Vec<u32>, Box<dyn std::error::Error>> {
    let path = "../shared/models/smollm2-135m-instruct/golden_smollm2.json";
    let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let ids = golden["items"][0]["prompt_ids"]
        .as_array()
        .ok_or("items[0].prompt_ids is not a list")?;
    Ok(ids.iter().filter_map(|v| v.as_u64()).map(|v| v as u32).collect())
}

fn measure(path: &Path, prompt: &[u32], n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let options = LoadOptions {
        dtype: WeightDtype::Native,
        ..LoadOptions::default()
    };
    let loaded = whylm_model::load_with(path, &options)?;
    let one = GenerateSettings {
        max_new_tokens: 1,
        sampling: Sampling::Greedy,
        stop_tokens: Vec::new(),
    };
    let all = GenerateSettings {
        max_new_tokens: n,
        ..one.clone()
    };
    let (mut best_prompt, mut best_all) = (f64::INFINITY, f64::INFINITY);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        loaded.model.generate(prompt, &one, &mut |_| {})?;
        best_prompt = best_prompt.min(start.elapsed().as_secs_f64());
        let start = Instant::now();
        ids = loaded.model.generate(prompt, &all, &mut |_| {})?.tokens;
        best_all = best_all.min(start.elapsed().as_secs_f64());
    }
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    println!(
        "{name}: total {:.1} tok/s, prompt {:.1} ms, decode {:.2} ms/tok, ids {:?}",
        ids.len() as f64 / best_all,
        best_prompt * 1e3,
        (best_all - best_prompt) / (ids.len().max(2) - 1) as f64 * 1e3,
        &ids[..ids.len().min(12)]
    );
    Ok(())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let prompt = golden_prompt()?;
        for file in args {
            measure(Path::new(&file), &prompt, n)?;
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
