//! Banzhaf values (`banzhaf`, and ContextCite's `contextcite` as its baseline) against closed forms and the
//! golden games, whose every coalition is known: beta_i = mean of v over coalitions with i minus the mean over
//! coalitions without i.

mod common;

use common::{fn_game, golden_cases, max_abs_diff, random_table, run};
use whylm_shapley::{Method, Settings, TableGame};

fn with(method: Method, budget: usize, seed: u64) -> Settings {
    Settings {
        max_evals: Some(budget),
        seed,
        ..Settings::with_method(method)
    }
}

/// Banzhaf values by enumeration, independent of the library.
fn banzhaf_by_enumeration(n: usize, rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let t = rows[0].len();
    let half = (1usize << (n - 1)) as f64;
    (0..n)
        .map(|i| {
            (0..t)
                .map(|s| {
                    let (mut with, mut without) = (0.0, 0.0);
                    for (mask, row) in rows.iter().enumerate() {
                        if mask >> i & 1 == 1 {
                            with += row[s];
                        } else {
                            without += row[s];
                        }
                    }
                    (with - without) / half
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_coalition_gives_the_exact_banzhaf_values_of_the_golden_games() {
    for case in golden_cases() {
        let n = case.num_features;
        let exact = banzhaf_by_enumeration(n, &case.values_by_bitmask);
        let e = run(&mut case.game(), &with(Method::Banzhaf, 1 << n, 0), None);
        assert_eq!(e.evaluations, 1 << n);
        let err = max_abs_diff(&e.phi, &exact);
        assert!(err < 1e-9, "{}: max |beta - exact| = {err}", case.prompt);
        assert!(e.std_err.unwrap().iter().flatten().all(|&s| s == 0.0));
        // Banzhaf differs from Shapley on these games: the comparison is not vacuous
        assert!(max_abs_diff(&exact, &case.shapley) > 1e-3, "{}", case.prompt);
    }
}

#[test]
fn closed_form_games_unanimity_and_linear() {
    // Unanimity on T = {1, 3, 4} of 7 players: beta_i = 1 / 2^(|T| - 1) = 1/4 for i in T, 0 otherwise.
    let mut game = fn_game(7, 1, |c| {
        vec![f64::from(u8::from(
            c.contains(1) && c.contains(3) && c.contains(4),
        ))]
    });
    let e = run(&mut game, &with(Method::Banzhaf, 1 << 7, 0), None);
    let want: Vec<Vec<f64>> = (0..7)
        .map(|i| vec![if [1, 3, 4].contains(&i) { 0.25 } else { 0.0 }])
        .collect();
    assert!(max_abs_diff(&e.phi, &want) < 1e-12, "{:?}", e.phi);
    // A linear game with an intercept is fitted exactly from a sample too (the regression adjustment), at a
    // budget far below 2^n, and by contextcite's LASSO up to its small penalty.
    let weights: Vec<f64> = (0..20)
        .map(|i| ((i * 7) % 5) as f64 - 2.0 + 0.1 * i as f64)
        .collect();
    let w = weights.clone();
    let linear = move |c: &whylm_shapley::Coalition| vec![3.0 + c.iter_kept().map(|i| w[i]).sum::<f64>()];
    let want: Vec<Vec<f64>> = weights.iter().map(|&w| vec![w]).collect();
    for seed in 0..3 {
        let e = run(
            &mut fn_game(20, 1, &linear),
            &with(Method::Banzhaf, 64, seed),
            None,
        );
        assert!(max_abs_diff(&e.phi, &want) < 1e-9, "seed {seed}: {:?}", e.phi);
        let c = run(
            &mut fn_game(20, 1, &linear),
            &with(Method::ContextCite, 256, seed),
            None,
        );
        assert!(max_abs_diff(&c.phi, &want) < 0.1, "seed {seed}: {:?}", c.phi);
    }
}

/// Mean |beta - exact| of `method` at `budget` over seeds 0..10.
fn mean_error(rows: &[Vec<f64>], n: usize, method: Method, budget: usize) -> f64 {
    let exact = banzhaf_by_enumeration(n, rows);
    let total: f64 = (0..10)
        .map(|seed| {
            let mut game = TableGame::new(n, rows).unwrap();
            let e = run(&mut game, &with(method, budget, seed), None);
            let cells = (n * rows[0].len()) as f64;
            e.phi
                .iter()
                .flatten()
                .zip(exact.iter().flatten())
                .map(|(a, b)| (a - b).abs())
                .sum::<f64>()
                / cells
        })
        .sum();
    total / 10.0
}

#[test]
fn banzhaf_converges_and_beats_contextcite_at_equal_budget() {
    for case in golden_cases() {
        let n = case.num_features;
        let rows = &case.values_by_bitmask;
        let (small, large) = (4 * n, 1 << (n - 1));
        let (b_small, b_large) = (
            mean_error(rows, n, Method::Banzhaf, small),
            mean_error(rows, n, Method::Banzhaf, large),
        );
        assert!(
            b_large < 0.7 * b_small,
            "{}: {b_small} at {small}, {b_large} at {large}",
            case.prompt
        );
        let c_small = mean_error(rows, n, Method::ContextCite, small);
        assert!(
            b_small < c_small,
            "{}: banzhaf {b_small}, contextcite {c_small}",
            case.prompt
        );
    }
    // a random game (every interaction order present)
    let rows = random_table(10, 2, 5);
    let (b, c) = (
        mean_error(&rows, 10, Method::Banzhaf, 100),
        mean_error(&rows, 10, Method::ContextCite, 100),
    );
    assert!(b < c, "random game: banzhaf {b}, contextcite {c}");
}

#[test]
fn std_errors_are_the_size_of_the_errors() {
    // Over seeds, the mean squared error and the mean squared std error agree within a factor of 3.
    let n = 10;
    let rows = random_table(n, 1, 9);
    let exact = banzhaf_by_enumeration(n, &rows);
    for method in [Method::Banzhaf, Method::ContextCite] {
        let (mut err2, mut se2) = (0.0, 0.0);
        for seed in 0..20 {
            let e = run(
                &mut TableGame::new(n, &rows).unwrap(),
                &with(method, 120, seed),
                None,
            );
            let se = e.std_err.unwrap();
            for i in 0..n {
                err2 += (e.phi[i][0] - exact[i][0]).powi(2);
                se2 += se[i][0].powi(2);
            }
        }
        let ratio = err2 / se2;
        assert!(
            (1.0 / 3.0..3.0).contains(&ratio),
            "{method}: mse / mean se^2 = {ratio}"
        );
    }
}
