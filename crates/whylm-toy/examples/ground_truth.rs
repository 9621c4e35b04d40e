//! Prints how often each attribution method's top word is a planted source, on held-out recall prompts of the
//! built-in model: cargo run -p whylm-toy --example ground_truth -- [--prompts 200] [--seed 3000024]
//! `--assets DIR` measures a model written by the `train` example instead (before it replaces the built-in one).

#[path = "../tests/common/ground_truth.rs"]
mod ground_truth;

#[path = "common/args.rs"]
mod args;

use whylm_toy::held_out::TrainingPrompts;
use whylm_toy::{default_model, default_training_record, TaskKind, TrainingRecord};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (loaded, record) = match args::value::<std::path::PathBuf>(&args, "--assets") {
        Some(dir) => {
            let record: TrainingRecord =
                serde_json::from_str(&std::fs::read_to_string(dir.join("training.json")).map_err(|e| {
                    format!(
                        "cannot read {}: {e}; --assets takes a directory written by the train example",
                        dir.join("training.json").display()
                    )
                })?)?;
            (whylm_model::load(&dir)?, record)
        }
        None => (default_model()?, default_training_record()?),
    };
    let n: usize = args::value(&args, "--prompts").unwrap_or(200);
    let seed: u64 = args::value(&args, "--seed").unwrap_or(record.settings.seed + 3_000_017);
    let training = TrainingPrompts::of(&record.settings);
    let prompts = training.held_out(seed, n, Some(TaskKind::Recall))?;
    let started = std::time::Instant::now();
    let rates = ground_truth::measure(&loaded, &prompts)?;
    println!("held-out recall prompts: {} (seed {seed})", rates.prompts);
    println!("top word is a planted source:");
    println!("  Shapley (word level, default settings): {:.3}", rates.shapley);
    println!(
        "  leave-one-out:                          {:.3}",
        rates.leave_one_out
    );
    println!("  raw attention (last layer, head mean):  {:.3}", rates.attention);
    println!("({:.0}s)", started.elapsed().as_secs_f64());
    Ok(())
}
