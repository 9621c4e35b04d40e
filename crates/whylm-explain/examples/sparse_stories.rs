//! Issue 19's sparse estimator on a real model: stories260K, the ~400-token stories of longctx_stories.txt at
//! WORD level (about 300 features), the greedy 3-token continuation as the target (logprob). The reference is
//! the mean of two kernel runs at `--reference` x n evaluations (their disagreement shows the reference's own
//! error: about half of it, relative, for the mean); each
//! method's error is |phi - reference| / |reference| (Euclidean norms over features and target tokens) at 64,
//! 128 and 256 evaluations, mean over stories and seeds, with the wall time per explanation.
//!
//! `cargo run --release -p whylm-explain --example sparse_stories -- [--stories 1] [--seeds 3] [--reference 20]`

use std::path::PathBuf;
use std::time::Instant;

use whylm_backend::Backend;
use whylm_explain::{explain_levels, ExplainModel, ExplainRequest, GenerationOptions, Level, MethodChoice};
use whylm_shapley::Method;

const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/models/stories260K/stories260K.gguf"
);
const STORIES: &str = include_str!("longctx_stories.txt");
const METHODS: [Method; 3] = [Method::Sparse, Method::Kernel, Method::GaussianProcess];
const BUDGETS: [usize; 3] = [64, 128, 256];

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

/// (stories, seeds, reference evaluations per feature).
fn options() -> (usize, u64, usize) {
    let mut o = (1, 3, 20);
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value: usize = pair
            .get(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| fail(format!("{} needs a number", pair[0])));
        match pair[0].as_str() {
            "--stories" => o.0 = value,
            "--seeds" => o.1 = value as u64,
            "--reference" => o.2 = value,
            other => fail(format!(
                "unknown option {other}; use --stories N, --seeds N, --reference N"
            )),
        }
    }
    o
}

/// phi (features x target tokens) and the seconds it took.
fn phi(
    backend: &dyn Backend,
    story: (&str, &str),
    method: Method,
    budget: usize,
    seed: u64,
) -> (Vec<Vec<f64>>, f64) {
    let model = ExplainModel {
        backend,
        info: Default::default(),
    };
    let request = ExplainRequest {
        prompt: story.0.to_string(),
        suffix: story.1.to_string(),
        generation: GenerationOptions {
            max_new_tokens: 3,
            ..GenerationOptions::default()
        },
        levels: vec![Level::Word],
        method: MethodChoice::Fixed(method),
        max_evals: Some(budget),
        batch_size: Some(1),
        seed,
        ..ExplainRequest::default()
    };
    let start = Instant::now();
    let e = explain_levels(&model, &request, &mut |_| {}).unwrap_or_else(|e| fail(format!("{method}: {e}")));
    let seconds = start.elapsed().as_secs_f64();
    (e.levels[0].explanation.phi.clone(), seconds)
}

fn relative_error(phi: &[Vec<f64>], reference: &[Vec<f64>]) -> f64 {
    let (mut diff, mut norm) = (0.0, 0.0);
    for (p, r) in phi.iter().zip(reference) {
        for (a, b) in p.iter().zip(r) {
            diff += (a - b).powi(2);
            norm += b * b;
        }
    }
    (diff / norm).sqrt()
}

fn main() {
    let (stories, seeds, factor) = options();
    let loaded = whylm_model::load(&PathBuf::from(MODEL))
        .unwrap_or_else(|e| fail(format!("cannot load {MODEL}: {e}")));
    let backend = loaded.backend();
    let all: Vec<(&str, &str)> = STORIES.lines().filter_map(|l| l.split_once('\t')).collect();
    let mut error = [[0.0; BUDGETS.len()]; METHODS.len()];
    let mut seconds = [[0.0; BUDGETS.len()]; METHODS.len()];
    for &story in all.iter().take(stories) {
        let (probe, _) = phi(&backend, story, Method::Sparse, 4, 0);
        let n = probe.len();
        let (first, took) = phi(&backend, story, Method::Kernel, factor * n, 1000);
        let (second, _) = phi(&backend, story, Method::Kernel, factor * n, 1001);
        // The mean of two independent runs: half the variance of either.
        let reference: Vec<Vec<f64>> = first
            .iter()
            .zip(&second)
            .map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x + y) / 2.0).collect())
            .collect();
        println!(
            "{n} word features, {} target tokens; reference: the mean of two kernel runs of {} evaluations ({took:.0} s each), which differ by {:.3}",
            reference[0].len(),
            factor * n,
            relative_error(&second, &first)
        );
        for (b, &budget) in BUDGETS.iter().enumerate() {
            for (m, &method) in METHODS.iter().enumerate() {
                for seed in 0..seeds {
                    let (estimate, took) = phi(&backend, story, method, budget, seed);
                    error[m][b] += relative_error(&estimate, &reference);
                    seconds[m][b] += took;
                }
            }
        }
    }
    let runs = (stories.min(all.len()) as u64 * seeds) as f64;
    println!("| evaluations | sparse | kernel | gp | sparse s | kernel s | gp s |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for (b, budget) in BUDGETS.iter().enumerate() {
        println!(
            "| {budget} | {:.3} | {:.3} | {:.3} | {:.2} | {:.2} | {:.2} |",
            error[0][b] / runs,
            error[1][b] / runs,
            error[2][b] / runs,
            seconds[0][b] / runs,
            seconds[1][b] / runs,
            seconds[2][b] / runs
        );
    }
}
