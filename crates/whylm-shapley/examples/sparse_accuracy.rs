//! Issue 19's sparse estimator against kernel and gp on synthetic sparse games with known Shapley values: a few
//! important players, small effects on every player, a few pairwise interactions (and, in the second family, a
//! few third-order ones, which no linear surrogate holds), n = 50, 300 and 1000, at 64, 128 and 256
//! evaluations. Prints the mean relative error |phi - truth| / |truth| (Euclidean norms) over seeds and the
//! estimator's wall time per explanation (the games cost nothing to evaluate, so the time is the estimator's).
//!
//! `cargo run --release -p whylm-shapley --example sparse_accuracy -- [--seeds 10] [--players 50,300,1000]
//! [--budgets 64,128,256] [--families pairwise,triples]` (kernel takes over a minute per explanation at n = 1000)

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use whylm_shapley::{explain, Coalition, FnGame, Method, Settings};

const METHODS: [Method; 3] = [Method::Sparse, Method::Kernel, Method::GaussianProcess];

/// What the command line chose.
struct Options {
    seeds: u64,
    players: Vec<usize>,
    budgets: Vec<usize>,
    /// The game families by their number of third-order terms: 0 (pairwise) and 5 (triples).
    families: Vec<(&'static str, usize)>,
}

/// Unanimity terms: v(S) = sum over terms of c [T within S]; a term gives each of its players c / |T|.
struct SyntheticGame {
    n: usize,
    terms: Vec<(Vec<usize>, f64)>,
}

impl SyntheticGame {
    /// 5 important players (|effect| 0.5 to 2), every player a small effect (+-0.03), 4 pairwise terms on the
    /// important players, and `triples` third-order terms.
    fn draw(n: usize, triples: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut terms: Vec<(Vec<usize>, f64)> =
            (0..n).map(|i| (vec![i], rng.random_range(-0.03..0.03))).collect();
        let important: Vec<usize> = (0..5).map(|_| rng.random_range(0..n)).collect();
        for &i in &important {
            let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
            terms.push((vec![i], sign * rng.random_range(0.5..2.0)));
        }
        for &i in &important[..4] {
            let other = rng.random_range(0..n);
            if other != i {
                terms.push((vec![i, other], rng.random_range(-1.0..1.0)));
            }
        }
        for k in 0..triples {
            let mut players = vec![important[k % 5], rng.random_range(0..n), rng.random_range(0..n)];
            players.sort_unstable();
            players.dedup();
            terms.push((players, rng.random_range(-1.0..1.0)));
        }
        SyntheticGame { n, terms }
    }

    fn value(&self, c: &Coalition) -> f64 {
        self.terms
            .iter()
            .filter(|(players, _)| players.iter().all(|&i| c.contains(i)))
            .map(|(_, w)| w)
            .sum()
    }

    fn shapley(&self) -> Vec<f64> {
        let mut phi = vec![0.0; self.n];
        for (players, w) in &self.terms {
            for &i in players {
                phi[i] += w / players.len() as f64;
            }
        }
        phi
    }
}

fn relative_error(phi: &[Vec<f64>], truth: &[f64]) -> f64 {
    let diff: f64 = phi.iter().zip(truth).map(|(p, t)| (p[0] - t).powi(2)).sum();
    let norm: f64 = truth.iter().map(|t| t * t).sum();
    (diff / norm).sqrt()
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut o = Options {
        seeds: 10,
        players: vec![50, 300, 1000],
        budgets: vec![64, 128, 256],
        families: vec![("pairwise", 0), ("with triples", 5)],
    };
    let list = |value: &str| -> Vec<usize> { value.split(',').filter_map(|v| v.parse().ok()).collect() };
    for pair in args.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or("");
        match pair[0].as_str() {
            "--seeds" => o.seeds = value.parse().unwrap_or(o.seeds),
            "--players" => o.players = list(value),
            "--budgets" => o.budgets = list(value),
            "--families" => o
                .families
                .retain(|(name, _)| value.contains(name.split(' ').next_back().unwrap_or(name))),
            other => {
                eprintln!("unknown option {other}; use --seeds N, --players A,B,..., --budgets A,B,..., --families pairwise,triples");
                std::process::exit(2);
            }
        }
    }
    o
}

fn main() {
    let o = options();
    let seeds = o.seeds;
    println!("| game | n | evaluations | sparse | kernel | gp | sparse s | kernel s | gp s |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &(family, triples) in &o.families {
        for &n in &o.players {
            for &budget in &o.budgets {
                let mut error = [0.0; METHODS.len()];
                let mut seconds = [0.0; METHODS.len()];
                for seed in 0..seeds {
                    let synthetic = SyntheticGame::draw(n, triples, seed);
                    let truth = synthetic.shapley();
                    for (m, &method) in METHODS.iter().enumerate() {
                        let mut game = FnGame::new(n, 1, |c: &Coalition| vec![synthetic.value(c)]);
                        let settings = Settings {
                            max_evals: Some(budget),
                            seed: 100 + seed,
                            ..Settings::with_method(method)
                        };
                        let start = Instant::now();
                        let e = explain(&mut game, &settings, None, &mut |_| {}).unwrap_or_else(|e| {
                            eprintln!("{method} failed: {e}");
                            std::process::exit(1);
                        });
                        seconds[m] += start.elapsed().as_secs_f64();
                        error[m] += relative_error(&e.phi, &truth);
                    }
                }
                let s = seeds as f64;
                println!(
                    "| {family} | {n} | {budget} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
                    error[0] / s,
                    error[1] / s,
                    error[2] / s,
                    seconds[0] / s,
                    seconds[1] / s,
                    seconds[2] / s
                );
            }
        }
    }
}
