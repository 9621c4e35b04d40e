//! Error of the sampled pairwise interaction index against the exact one, as the budget grows, on
//! shap's three golden games (real log-odds of stories260K, every coalition tabulated).
//!
//! `cargo run --release -p whylm-shapley --example interaction_accuracy [-- --seeds S]`. For each
//! game the players are its 5 features with the largest |sum over tokens of the exact Shapley
//! value| (10 pairs), as `whylm explain --interactions 5` picks them. Columns: the budget
//! (distinct evaluations), mean |I - exact| of the token-summed index over pairs and S seeds
//! (default 10), the mean reported standard error, and how often the exact value lies within 2
//! standard errors.

use serde_json::Value;
use whylm_shapley::{explain, interactions, InteractionSettings, Method, Settings, TableGame};

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/golden/shap_stories260K.json"
);
const TOP: usize = 5;
const BUDGETS: [usize; 6] = [160, 500, 1_000, 2_000, 5_000, 20_000];

/// (prompt, n, values_by_bitmask) of each golden case.
fn golden_games() -> Vec<(String, usize, Vec<Vec<f64>>)> {
    let text = std::fs::read_to_string(GOLDEN).expect("the golden file at ../shared/golden");
    let cases: Value = serde_json::from_str(&text).expect("golden JSON");
    let rows_of = |c: &Value| -> Option<Vec<Vec<f64>>> {
        let rows = match &c["values_by_bitmask"] {
            Value::String(s) => serde_json::from_str(s).ok()?,
            v => v.clone(),
        };
        rows.as_array()?
            .iter()
            .map(|r| r.as_array().map(|r| r.iter().filter_map(Value::as_f64).collect()))
            .collect()
    };
    cases
        .as_array()
        .expect("a list of cases")
        .iter()
        .filter_map(|c| {
            let rows = rows_of(c)?;
            Some((
                c["prompt"].as_str()?.to_string(),
                rows.len().trailing_zeros() as usize,
                rows,
            ))
        })
        .collect()
}

/// The `TOP` players with the largest |summed exact Shapley value|.
fn top_players(game: &mut TableGame) -> Vec<usize> {
    let e = explain(game, &Settings::with_method(Method::Exact), None, &mut |_| {}).expect("exact");
    let mut order: Vec<usize> = (0..e.phi.len()).collect();
    let size = |i: usize| e.phi[i].iter().sum::<f64>().abs();
    order.sort_by(|&a, &b| size(b).total_cmp(&size(a)));
    order.truncate(TOP);
    order
}

fn seeds() -> u64 {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--seeds") {
        Some(k) => args
            .get(k + 1)
            .and_then(|s| s.parse().ok())
            .expect("--seeds takes a number"),
        None => 10,
    }
}

fn main() {
    let seeds = seeds();
    println!("| game | n | budget | mean abs error | mean std err | within 2 se |");
    println!("|---|---|---|---|---|---|");
    for (prompt, n, rows) in golden_games() {
        let mut game = TableGame::new(n, &rows).expect("a table game");
        let players = top_players(&mut game);
        let exact_settings = InteractionSettings {
            exact_limit: 16,
            ..InteractionSettings::default()
        };
        let exact = interactions(&mut game, &players, &exact_settings).expect("exact");
        for budget in BUDGETS {
            let (mut err, mut se, mut inside, mut cells) = (0.0, 0.0, 0usize, 0usize);
            for seed in 0..seeds {
                let settings = InteractionSettings {
                    exact_limit: 0,
                    max_evals: Some(budget),
                    seed,
                    ..InteractionSettings::default()
                };
                let found = interactions(&mut game, &players, &settings).expect("sampled");
                for (s, e) in found.pairs.iter().zip(&exact.pairs) {
                    let sd = s.total_std_err.unwrap_or(0.0);
                    err += (s.total - e.total).abs();
                    se += sd;
                    inside += usize::from((s.total - e.total).abs() <= 2.0 * sd);
                    cells += 1;
                }
            }
            let c = cells as f64;
            println!(
                "| \"{prompt}\" | {n} | {budget} | {:.4} | {:.4} | {:.0}% |",
                err / c,
                se / c,
                100.0 * inside as f64 / c
            );
        }
    }
}
