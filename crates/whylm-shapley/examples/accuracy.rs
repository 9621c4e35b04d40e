//! Accuracy of the samplers (permutation, kernel, msr) against exact Shapley values at equal
//! budgets, with each one's ratio to permutation sampling at 10n.
//!
//! `cargo run --release -p whylm-shapley --example accuracy`
//!
//! Games: the three golden shap games (real log-odds of a tiny language model, every coalition
//! tabulated) and random games built to resemble them: per player a main effect with a
//! heavy-tailed size (a few features matter most), n pairwise terms between players at most three
//! apart (text is local), n/2 third-order terms anywhere, and a small "noise" term, a fixed random
//! value per coalition (0.05 scale) standing for the high-order interactions a model adds. Two
//! outputs: the sum s, and 3 tanh(s / 3) (a saturating score like log-odds). The reference is the
//! exact value (for n = 24 too: 2^24 evaluations of this cheap game are affordable, and exact is
//! better than a 10^6-evaluation estimate). Error: mean |phi - exact| over players and outputs,
//! averaged over 20 seeds (for n = 24: 4 games x 5 seeds).
//!
//! Options (for choosing estimator settings without tuning on the table's own games):
//! `--seed-offset K` adds K to every run seed and every random game's seed (default 0: the
//! published table); `--seeds S` averages over S seeds instead of 20; `--skip-golden` leaves out
//! the golden games (the same games whatever the seeds); `--games FILE` uses the games of FILE (a
//! JSON list of {"prompt", "values_by_bitmask"}, as written by whylm-explain's `lm_games` example:
//! held-out language-model games) in place of the golden ones. Tune with e.g.
//! `-- --seed-offset 100000 --games lm_games.json --seeds 60`, then report the default table.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use whylm_shapley::{explain, Coalition, Explanation, FnGame, Game, Method, Settings, TableGame};

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/golden/shap_stories260K.json"
);
const BUDGET_FACTORS: [usize; 4] = [2, 5, 10, 50];
/// Every sampling estimator; the first is the baseline of the ratios.
const METHODS: [Method; 4] = [
    Method::Permutation,
    Method::Kernel,
    Method::RegressionMc,
    Method::GaussianProcess,
];

struct RandomGame {
    n: usize,
    main: Vec<f64>,
    terms: Vec<(Vec<usize>, f64)>,
    noise_key: u64,
}

impl RandomGame {
    fn new(n: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Exponential magnitudes with random signs: heavy-tailed importance.
        let heavy = |rng: &mut ChaCha8Rng, scale: f64| {
            let u: f64 = rng.random_range(1e-9..1.0);
            let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
            sign * scale * -u.ln()
        };
        let main = (0..n).map(|_| heavy(&mut rng, 1.0)).collect();
        let mut terms = Vec::new();
        for _ in 0..n {
            let i = rng.random_range(0..n);
            let j = (i + rng.random_range(1..=3)).min(n - 1);
            let w = heavy(&mut rng, 0.7);
            terms.push((vec![i, j], w));
        }
        for _ in 0..n / 2 {
            let idx = (0..3).map(|_| rng.random_range(0..n)).collect();
            let w = heavy(&mut rng, 0.5);
            terms.push((idx, w));
        }
        RandomGame {
            n,
            main,
            terms,
            noise_key: rng.random(),
        }
    }

    fn value(&self, c: &Coalition) -> Vec<f64> {
        let mut s: f64 = c.iter_kept().map(|i| self.main[i]).sum();
        s += self
            .terms
            .iter()
            .filter(|(p, _)| p.iter().all(|&i| c.contains(i)))
            .map(|(_, w)| w)
            .sum::<f64>();
        // A fixed pseudo-random value per coalition (splitmix64 of the mask).
        let mut z = c.low_mask() ^ self.noise_key;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^= z >> 31;
        s += 0.05 * ((z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0);
        vec![s, 3.0 * (s / 3.0).tanh()]
    }

    fn game(&self) -> FnGame<impl FnMut(&Coalition) -> Vec<f64> + '_> {
        FnGame::new(self.n, 2, move |c: &Coalition| self.value(c))
    }
}

fn run<G: Game + ?Sized>(game: &mut G, settings: &Settings) -> Explanation {
    match explain(game, settings, None, &mut |_| {}) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("explanation failed: {e}");
            std::process::exit(1);
        }
    }
}

fn mean_abs_error(a: &Explanation, b: &Explanation) -> f64 {
    let d: Vec<f64> = a
        .phi
        .iter()
        .zip(&b.phi)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
        .collect();
    d.iter().sum::<f64>() / d.len().max(1) as f64
}

/// (values within 2 reported std errors of the exact value, values with a std error).
fn within_two_std_errors(a: &Explanation, exact: &Explanation) -> (usize, usize) {
    let Some(se) = &a.std_err else { return (0, 0) };
    let cells = a
        .phi
        .iter()
        .flatten()
        .zip(exact.phi.iter().flatten())
        .zip(se.iter().flatten());
    cells.fold((0, 0), |(ok, total), ((p, x), s)| {
        (ok + usize::from((p - x).abs() <= 2.0 * s), total + 1)
    })
}

fn exact(game: &mut dyn Game) -> Explanation {
    let n = game.num_players();
    let settings = Settings {
        batch_size: 1 << 14,
        exact_limit: n,
        ..Settings::with_method(Method::Exact)
    };
    run(game, &settings)
}

/// Mean error and mean wall time in seconds per (method, budget factor) over the given
/// (game, reference, seed) runs; adds each method's std-error coverage at 10n to `coverage`.
type Table = Vec<Vec<f64>>;
fn errors(
    runs: &mut [(Box<dyn Game + '_>, Explanation, u64)],
    n: usize,
    coverage: &mut [(usize, usize)],
) -> (Table, Table) {
    let mut errs = Vec::new();
    let mut times = Vec::new();
    for (m, &method) in METHODS.iter().enumerate() {
        let (mut err_row, mut time_row) = (Vec::new(), Vec::new());
        for &f in &BUDGET_FACTORS {
            let start = Instant::now();
            let total: f64 = runs
                .iter_mut()
                .map(|(game, reference, seed)| {
                    let s = Settings {
                        max_evals: Some(f * n),
                        seed: *seed,
                        batch_size: 256,
                        ..Settings::with_method(method)
                    };
                    let e = run(game, &s);
                    if f == 10 {
                        let (ok, total) = within_two_std_errors(&e, reference);
                        coverage[m].0 += ok;
                        coverage[m].1 += total;
                    }
                    mean_abs_error(&e, reference)
                })
                .sum();
            err_row.push(total / runs.len() as f64);
            time_row.push(start.elapsed().as_secs_f64() / runs.len() as f64);
        }
        errs.push(err_row);
        times.push(time_row);
    }
    (errs, times)
}

fn print_rows(name: &str, n: usize, errs: &[Vec<f64>]) {
    for (method, row) in METHODS.iter().zip(errs) {
        let cells: Vec<String> = row.iter().map(|e| format!("{e:.4}")).collect();
        println!("| {name} | {n} | {method} | {} |", cells.join(" | "));
    }
    for (method, row) in METHODS.iter().zip(errs).skip(1) {
        let ratio = errs[0][2] / row[2];
        println!("| {name} | {n} | permutation / {method} at 10n | | | {ratio:.2}x | |");
    }
}

/// The tabulated games of `path`, named `label "prompt"`.
fn table_games(path: &str, label: &str) -> Vec<(String, usize, Vec<Vec<f64>>)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("games file {path} not found; skipping its games");
        return Vec::new();
    };
    let Ok(Value::Array(cases)) = serde_json::from_str::<Value>(&text) else {
        eprintln!("games file {path} is not a JSON list; skipping");
        return Vec::new();
    };
    cases
        .iter()
        .filter_map(|c| {
            let rows: Vec<Vec<f64>> = c["values_by_bitmask"]
                .as_array()?
                .iter()
                .map(|r| r.as_array().map(|r| r.iter().filter_map(Value::as_f64).collect()))
                .collect::<Option<_>>()?;
            let n = rows.len().trailing_zeros() as usize;
            Some((format!("{label} \"{}\"", c["prompt"].as_str()?), n, rows))
        })
        .collect()
}

/// Command-line options; see the module comment.
struct Options {
    seed_offset: u64,
    skip_golden: bool,
    games: Option<String>,
    seeds: u64,
}

fn options() -> Options {
    let mut o = Options {
        seed_offset: 0,
        skip_golden: false,
        games: None,
        seeds: 20,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--skip-golden" => o.skip_golden = true,
            "--games" => match args.next() {
                Some(path) => o.games = Some(path),
                None => {
                    eprintln!("--games needs a file, e.g. --games lm_games.json");
                    std::process::exit(2);
                }
            },
            "--seed-offset" => match args.next().and_then(|v| v.parse().ok()) {
                Some(k) => o.seed_offset = k,
                None => {
                    eprintln!("--seed-offset needs a non-negative integer, e.g. --seed-offset 100000");
                    std::process::exit(2);
                }
            },
            "--seeds" => match args.next().and_then(|v| v.parse().ok()) {
                Some(k) if k > 0 => o.seeds = k,
                _ => {
                    eprintln!("--seeds needs a positive integer, e.g. --seeds 60");
                    std::process::exit(2);
                }
            },
            other => {
                eprintln!(
                    "unknown option {other}; the options are --seed-offset K, --seeds S, --skip-golden and --games FILE"
                );
                std::process::exit(2);
            }
        }
    }
    o
}

fn main() {
    let opts = options();
    let (offset, seeds) = (opts.seed_offset, opts.seeds);
    if offset != 0 {
        println!("Seed offset {offset}: run seeds and random games differ from the published table\n");
    }
    println!("Mean |phi - exact| (averaged over {seeds} seeds) at budgets of k*n evaluations\n");
    println!("| game | n | method | 2n | 5n | 10n | 50n |");
    println!("|---|---|---|---|---|---|---|");
    let mut coverage = vec![(0usize, 0usize); METHODS.len()];
    tabulated_rows(&opts, &mut coverage);
    let timings = random_rows(offset, seeds, &mut coverage);
    print_coverage(&coverage);
    print_timings(timings);
    time_exact();
}

/// The rows of the tabulated games: the golden ones, or those of `--games`.
fn tabulated_rows(opts: &Options, coverage: &mut [(usize, usize)]) {
    let golden = match (&opts.games, opts.skip_golden) {
        (Some(path), _) => table_games(path, "held-out"),
        (None, true) => Vec::new(),
        (None, false) => table_games(GOLDEN, "golden"),
    };
    for (name, n, rows) in golden {
        let table = match TableGame::new(n, &rows) {
            Ok(table) => table,
            Err(e) => {
                eprintln!("skipping {name}: {e}");
                continue;
            }
        };
        let reference = exact(&mut table.clone());
        let mut runs: Vec<(Box<dyn Game>, Explanation, u64)> = (0..opts.seeds)
            .map(|s| {
                (
                    Box::new(table.clone()) as Box<dyn Game>,
                    reference.clone(),
                    s + opts.seed_offset,
                )
            })
            .collect();
        print_rows(&name, n, &errors(&mut runs, n, coverage).0);
    }
}

/// The rows of the random games, n = 10, 16, 24; returns each n's wall times.
fn random_rows(offset: u64, seeds: u64, coverage: &mut [(usize, usize)]) -> Vec<(usize, Table)> {
    let mut timings = Vec::new();
    for n in [10, 16, 24] {
        let games_count = if n > 20 { 4 } else { seeds };
        let games: Vec<RandomGame> = (0..games_count)
            .map(|g| RandomGame::new(n, 1000 + offset + g))
            .collect();
        let references: Vec<Explanation> = games.iter().map(|g| exact(&mut g.game())).collect();
        let mut runs: Vec<(Box<dyn Game + '_>, Explanation, u64)> = Vec::new();
        for s in 0..seeds {
            let g = (s % games_count) as usize;
            runs.push((Box::new(games[g].game()), references[g].clone(), s + offset));
        }
        let (errs, times) = errors(&mut runs, n, coverage);
        print_rows("random", n, &errs);
        timings.push((n, times));
    }
    timings
}

fn print_coverage(coverage: &[(usize, usize)]) {
    println!("\nStd errors at 10n, over every game above: share of values within 2 reported std errors of the exact value\n");
    println!("| method | within 2 std errors |");
    println!("|---|---|");
    for (method, (ok, total)) in METHODS.iter().zip(coverage) {
        println!(
            "| {method} | {:.1}% of {total} |",
            100.0 * *ok as f64 / (*total).max(1) as f64
        );
    }
}

fn print_timings(timings: Vec<(usize, Table)>) {
    println!("\nWall time per explanation of a random game (ms; the game is nearly free to evaluate, so this is the estimator's own cost)\n");
    println!("| n | method | 2n | 5n | 10n | 50n |");
    println!("|---|---|---|---|---|---|");
    for (n, times) in timings {
        for (method, row) in METHODS.iter().zip(times) {
            let cells: Vec<String> = row.iter().map(|s| format!("{:.1}", s * 1e3)).collect();
            println!("| {n} | {method} | {} |", cells.join(" | "));
        }
    }
}

/// How long exact takes over 20 players of a cheap game.
fn time_exact() {
    let n = 20;
    let weights: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
    let mut cheap = FnGame::new(n, 1, |c: &Coalition| {
        let s: f64 = c.iter_kept().map(|i| weights[i]).sum();
        vec![s + if c.contains(0) && c.contains(1) { 1.0 } else { 0.0 }]
    });
    let start = Instant::now();
    let e = run(
        &mut cheap,
        &Settings {
            batch_size: 4096,
            ..Settings::with_method(Method::Exact)
        },
    );
    println!(
        "\nexact, n = {n} ({} evaluations, cheap game): {:.2} s",
        e.evaluations,
        start.elapsed().as_secs_f64()
    );
}
