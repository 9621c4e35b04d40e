//! Issue 19's sparse estimator at length: on held-out long prompts of the long built-in model (a thousand tokens
//! or more, sentence level, ~120-150 sentence features), each method's error against a high-budget reference at 64,
//! 128 and 256 evaluations, with the wall time per explanation. The reference is the mean of two kernel runs of
//! `--reference` x n evaluations (their disagreement shows its own error); an error is |phi - reference| /
//! |reference| (Euclidean norms), mean over prompts and seeds.
//!
//! cargo run --release -p whylm-toy --example long_estimators -- [--prompts 2] [--seeds 2] [--reference 10]

#[path = "common/args.rs"]
mod args;
#[path = "common/long_request.rs"]
mod long_request;

use long_request::long_request;
use std::time::Instant;
use whylm_explain::{explain, ExplainModel, ExplainRequest, Level, MethodChoice};
use whylm_shapley::Method;
use whylm_toy::held_out::TrainingPrompts;
use whylm_toy::long::long_held_out;
use whylm_toy::{long_model, long_training_record};

/// An explanation's values (features x target tokens) and its wall time in seconds.
type Estimate = (Vec<Vec<f64>>, f64);

const METHODS: [Method; 4] = [
    Method::Sparse,
    Method::Kernel,
    Method::GaussianProcess,
    Method::Permutation,
];
/// 384 is about 3n here: between 2n and 5n, where `auto` chose permutation sampling before this measurement.
const BUDGETS: [usize; 4] = [64, 128, 256, 384];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let prompts: usize = args::value(&args, "--prompts").unwrap_or(2);
    let seeds: u64 = args::value(&args, "--seeds").unwrap_or(2);
    let factor: usize = args::value(&args, "--reference").unwrap_or(10);
    let record = long_training_record()?;
    let loaded = long_model()?;
    let model = ExplainModel {
        backend: &loaded,
        info: Default::default(),
    };
    let phi = |request: &ExplainRequest| -> Result<Estimate, Box<dyn std::error::Error>> {
        let started = Instant::now();
        let doc = explain(&model, request, &mut |_| {})?;
        Ok((doc.levels[0].phi.clone(), started.elapsed().as_secs_f64()))
    };
    let training = TrainingPrompts::of(&record.settings);
    let examples = long_held_out(&training, record.settings.seed + 6_000_007, prompts, 1000)?;
    let mut error = [[0.0; BUDGETS.len()]; METHODS.len()];
    let mut seconds = [[0.0; BUDGETS.len()]; METHODS.len()];
    for ex in &examples {
        let base = long_request(ex, vec![Level::Sentence], 0);
        let n = ex.prompt.matches(" .").count();
        let at = |method: Method, budget: usize, seed: u64| ExplainRequest {
            method: MethodChoice::Fixed(method),
            max_evals: Some(budget),
            seed,
            ..base.clone()
        };
        let (first, took) = phi(&at(Method::Kernel, factor * n, 1000))?;
        let (second, _) = phi(&at(Method::Kernel, factor * n, 1001))?;
        let reference: Vec<Vec<f64>> = first
            .iter()
            .zip(&second)
            .map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x + y) / 2.0).collect())
            .collect();
        println!(
            "{} sentences; reference: the mean of two kernel runs of {} evaluations ({took:.0} s each), which differ \
             by {:.3}",
            first.len(),
            factor * n,
            relative_error(&second, &first)
        );
        for (b, &budget) in BUDGETS.iter().enumerate() {
            for (m, &method) in METHODS.iter().enumerate() {
                for seed in 0..seeds {
                    // a method that refuses the budget (permutation below 2n) gets no number: NaN
                    let (estimate, took) = phi(&at(method, budget, seed)).unwrap_or((Vec::new(), f64::NAN));
                    error[m][b] += relative_error(&estimate, &reference);
                    seconds[m][b] += took;
                }
            }
        }
    }
    let runs = (examples.len() as u64 * seeds).max(1) as f64;
    println!(
        "| evaluations | sparse | kernel | gp | permutation | sparse s | kernel s | gp s | permutation s |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (b, budget) in BUDGETS.iter().enumerate() {
        let cells = |table: &[[f64; BUDGETS.len()]; METHODS.len()], digits: usize| {
            (0..METHODS.len())
                .map(|m| match table[m][b] / runs {
                    x if x.is_nan() => "refused".to_string(),
                    x => format!("{x:.digits$}"),
                })
                .collect::<Vec<_>>()
                .join(" | ")
        };
        println!("| {budget} | {} | {} |", cells(&error, 3), cells(&seconds, 2));
    }
    Ok(())
}

fn relative_error(phi: &[Vec<f64>], reference: &[Vec<f64>]) -> f64 {
    if phi.is_empty() {
        return f64::NAN;
    }
    let (mut diff, mut norm) = (0.0, 0.0);
    for (p, r) in phi.iter().zip(reference) {
        for (a, b) in p.iter().zip(r) {
            diff += (a - b).powi(2);
            norm += b * b;
        }
    }
    (diff / norm.max(f64::MIN_POSITIVE)).sqrt()
}
