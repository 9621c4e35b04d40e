//! The pairwise Shapley interaction index: exact against a textbook computation from every
//! coalition of shap's golden games, and the sampled estimate against the exact one.

mod common;

use common::{fn_game, golden_cases};
use whylm_shapley::{interactions, InteractionSettings, Interactions, ShapleyError};

fn factorial(k: usize) -> f64 {
    (1..=k).map(|x| x as f64).product()
}

/// Grabisch and Roubens' formula, term by term from the table (independent of the library).
fn textbook(n: usize, rows: &[Vec<f64>], i: usize, j: usize) -> Vec<f64> {
    let t = rows[0].len();
    let mut out = vec![0.0; t];
    for s in 0..1usize << n {
        if s >> i & 1 == 1 || s >> j & 1 == 1 {
            continue;
        }
        let size = s.count_ones() as usize;
        let w = factorial(size) * factorial(n - size - 2) / factorial(n - 1);
        let (si, sj, sij) = (s | 1 << i, s | 1 << j, s | 1 << i | 1 << j);
        for (k, acc) in out.iter_mut().enumerate() {
            *acc += w * (rows[sij][k] - rows[si][k] - rows[sj][k] + rows[s][k]);
        }
    }
    out
}

fn exact_settings() -> InteractionSettings {
    InteractionSettings {
        exact_limit: 16,
        ..InteractionSettings::default()
    }
}

#[test]
fn exact_index_equals_the_textbook_formula_on_every_golden_game() {
    for case in golden_cases() {
        let n = case.num_features;
        let players: Vec<usize> = (0..n).collect();
        let found = interactions(&mut case.game(), &players, &exact_settings()).unwrap();
        assert!(found.exact);
        assert_eq!(found.evaluations, 1 << n);
        assert_eq!(found.pairs.len(), n * (n - 1) / 2);
        let mut largest: f64 = 0.0;
        for pair in &found.pairs {
            let expected = textbook(n, &case.values_by_bitmask, pair.a, pair.b);
            for (got, want) in pair.per_output.iter().zip(&expected) {
                assert!(
                    (got - want).abs() < 1e-9,
                    "{}: pair {}-{}",
                    case.prompt,
                    pair.a,
                    pair.b
                );
                largest = largest.max(want.abs());
            }
            assert!((pair.total - expected.iter().sum::<f64>()).abs() < 1e-9);
        }
        // The games have real interactions, so the comparison is not between zeros.
        assert!(largest > 0.1, "{}: largest |I| = {largest}", case.prompt);
    }
}

/// The case with the most features (15): its 2^15 coalitions are not all reached by the budget.
fn largest_case() -> common::GoldenCase {
    golden_cases().into_iter().max_by_key(|c| c.num_features).unwrap()
}

#[test]
fn sampled_index_is_within_a_few_standard_errors_of_the_exact_one() {
    let case = largest_case();
    let players = [0, 3, 5, 8, 11];
    let exact = interactions(&mut case.game(), &players, &exact_settings()).unwrap();
    let settings = InteractionSettings {
        exact_limit: 0,
        max_evals: Some(20_000),
        seed: 7,
        ..InteractionSettings::default()
    };
    let sampled = interactions(&mut case.game(), &players, &settings).unwrap();
    assert!(!sampled.exact && sampled.evaluations <= 20_000);
    let mut z2 = Vec::new();
    for (s, e) in sampled.pairs.iter().zip(&exact.pairs) {
        let se = s.std_err.as_ref().unwrap();
        for (k, ((got, want), se)) in s.per_output.iter().zip(&e.per_output).zip(se).enumerate() {
            let z = (got - want) / se;
            assert!(z.abs() < 4.0, "pair {}-{} output {k}: z = {z}", s.a, s.b);
            z2.push(z * z);
        }
        let z = (s.total - e.total) / s.total_std_err.unwrap();
        assert!(z.abs() < 4.0, "pair {}-{} total: z = {z}", s.a, s.b);
    }
    // Calibrated standard errors: the mean squared z-score is near 1 (neither far too wide nor too narrow).
    let mean_z2 = z2.iter().sum::<f64>() / z2.len() as f64;
    assert!((0.3..3.0).contains(&mean_z2), "mean z^2 = {mean_z2}");
}

#[test]
fn same_seed_same_numbers_other_seed_other_numbers() {
    let case = largest_case();
    let run = |seed| {
        let settings = InteractionSettings {
            max_evals: Some(2_000),
            seed,
            ..InteractionSettings::default()
        };
        interactions(&mut case.game(), &[1, 2, 4], &settings).unwrap()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3).pairs, run(4).pairs);
}

fn only(found: &Interactions, a: usize, b: usize) -> f64 {
    found.pair(a, b).unwrap().total
}

#[test]
fn pure_synergy_is_plus_one_and_pure_redundancy_minus_one() {
    // v = [0 and 2 kept] + [1 or 3 kept]: pair (0,2) is synergy, pair (1,3) redundancy, the rest 0.
    let value = |c: &whylm_shapley::Coalition| {
        let and = (c.contains(0) && c.contains(2)) as u8 as f64;
        let or = (c.contains(1) || c.contains(3)) as u8 as f64;
        vec![and + or]
    };
    for settings in [
        InteractionSettings::default(),
        InteractionSettings {
            exact_limit: 0,
            max_evals: Some(400),
            ..InteractionSettings::default()
        },
    ] {
        let found = interactions(&mut fn_game(5, 1, value), &[0, 1, 2, 3, 4], &settings).unwrap();
        assert!((only(&found, 0, 2) - 1.0).abs() < 1e-12);
        assert!((only(&found, 1, 3) + 1.0).abs() < 1e-12);
        assert!(only(&found, 0, 1).abs() < 1e-12 && only(&found, 2, 4).abs() < 1e-12);
        assert_eq!(found.strongest()[0].total.abs(), 1.0);
    }
}

#[test]
fn bad_requests_are_one_line_errors() {
    let mut game = fn_game(10, 1, |c| vec![c.len() as f64]);
    let d = InteractionSettings::default();
    let cases: Vec<(Vec<usize>, InteractionSettings, &str)> = vec![
        (vec![1], d.clone(), "at least 2"),
        (vec![1, 10], d.clone(), "not below"),
        (vec![1, 1], d.clone(), "twice"),
        (
            vec![0, 1, 2],
            InteractionSettings {
                exact_limit: 0,
                max_evals: Some(5),
                ..d.clone()
            },
            "too small",
        ),
    ];
    for (players, settings, needle) in cases {
        let err: ShapleyError = interactions(&mut game, &players, &settings).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(needle) && !msg.contains('\n'), "{players:?}: {msg}");
    }
}
