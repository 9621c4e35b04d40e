//! Prints how often each attribution method's top word is a planted source, on held-out recall prompts of the
//! built-in model: cargo run -p whylm-toy --example ground_truth -- [--prompts 200] [--seed 3000024]

#[path = "../tests/common/ground_truth.rs"]
mod ground_truth;

use whylm_toy::held_out::TrainingPrompts;
use whylm_toy::{default_model, default_training_record, TaskKind};

fn value<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let loaded = default_model()?;
    let record = default_training_record()?;
    let n: usize = value(&args, "--prompts").unwrap_or(200);
    let seed: u64 = value(&args, "--seed").unwrap_or(record.settings.seed + 3_000_017);
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
