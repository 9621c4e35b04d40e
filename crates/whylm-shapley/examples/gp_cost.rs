//! The gp estimator's own cost on a game shaped like a language-model explanation (41 players, 18 outputs,
//! 2048 evaluations: stories260K's word-level case), with a game that is nearly free to evaluate, so the wall time
//! is the estimator's. `cargo run --release -p whylm-shapley --example gp_cost [-- PLAYERS OUTPUTS BUDGET]`.

use std::time::Instant;

use whylm_shapley::{explain, Coalition, FnGame, Method, Settings};

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (n, t, budget) = match args[..] {
        [n, t, b] => (n, t, b),
        _ => (41, 18, 2048),
    };
    // Each output: a few strong players, pairwise and third-order terms, so the prior fit has work to do.
    let mut game = FnGame::new(n, t, |c: &Coalition| {
        (0..t)
            .map(|q| {
                let w = |i: usize| ((i * 7 + q * 13) as f64 * 0.37).sin();
                let linear: f64 = c.iter_kept().map(w).sum();
                let pair = if c.contains(q % n) && c.contains((q + 3) % n) {
                    1.5
                } else {
                    0.0
                };
                let triple = if c.contains(1) && c.contains(2) && c.contains((q + 5) % n) {
                    -0.8
                } else {
                    0.0
                };
                linear + pair + triple + 0.1 * (c.len() as f64).sqrt()
            })
            .collect()
    });
    let settings = Settings {
        max_evals: Some(budget),
        seed: 0,
        ..Settings::with_method(Method::GaussianProcess)
    };
    let start = Instant::now();
    let e = explain(&mut game, &settings, None, &mut |_| {}).expect("gp runs on the stand-in game");
    let wall = start.elapsed().as_secs_f64();
    let checksum: f64 = e.phi.iter().flatten().sum();
    println!(
        "gp: {n} players, {t} outputs, {} evaluations: {wall:.3} s ({:.1} ms per output); checksum {checksum:.12}",
        e.evaluations,
        wall * 1e3 / t as f64
    );
}
