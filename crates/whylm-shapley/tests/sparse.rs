//! The sparse estimator (`sparse`): exact recovery where the surrogate is right, honest error bars, budgets
//! far below n, refusals of budgets too small to hold one pair, reproducibility.

mod common;

use common::run;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use whylm_shapley::{explain, Coalition, FnGame, Method, Settings, ShapleyError};

fn with(budget: usize, seed: u64) -> Settings {
    Settings {
        max_evals: Some(budget),
        seed,
        ..Settings::with_method(Method::Sparse)
    }
}

/// A game of main effects `main` and pairwise terms (i, j, c): v(S) = sum_{i in S} main_i + sum c [i, j in S];
/// returns it with its exact Shapley values (each pairwise term split equally between its players).
fn pairwise_game(
    main: Vec<f64>,
    pairs: Vec<(usize, usize, f64)>,
) -> (FnGame<impl FnMut(&Coalition) -> Vec<f64>>, Vec<f64>) {
    let n = main.len();
    let mut shapley = main.clone();
    for &(i, j, c) in &pairs {
        shapley[i] += c / 2.0;
        shapley[j] += c / 2.0;
    }
    let game = FnGame::new(n, 1, move |c: &Coalition| {
        let linear: f64 = c.iter_kept().map(|i| main[i]).sum();
        let pairwise: f64 = pairs
            .iter()
            .filter(|(i, j, _)| c.contains(*i) && c.contains(*j))
            .map(|(_, _, w)| w)
            .sum();
        vec![linear + pairwise]
    });
    (game, shapley)
}

fn largest_error(phi: &[Vec<f64>], truth: &[f64]) -> f64 {
    phi.iter()
        .zip(truth)
        .fold(0.0, |acc, (p, t)| acc.max((p[0] - t).abs()))
}

#[test]
fn a_dense_linear_game_is_recovered_exactly_once_the_pairs_outnumber_the_players() {
    let main: Vec<f64> = (0..20).map(|i| (i as f64 * 0.7).sin()).collect();
    let (mut game, truth) = pairwise_game(main, Vec::new());
    let e = run(&mut game, &with(100, 3), None);
    assert!(largest_error(&e.phi, &truth) < 1e-9, "{:?}", e.phi);
}

#[test]
fn a_sparse_game_with_a_pairwise_term_is_recovered_exactly_from_far_fewer_evaluations_than_players() {
    // 300 players, 5 of them matter, one pairwise term: 128 evaluations (63 pairs)
    let mut main = vec![0.0; 300];
    for (i, v) in [(7, 1.5), (42, -0.8), (150, 0.6), (151, 1.1), (299, -2.0)] {
        main[i] = v;
    }
    let (mut game, truth) = pairwise_game(main, vec![(42, 150, 0.9)]);
    let e = run(&mut game, &with(128, 1), None);
    assert!(largest_error(&e.phi, &truth) < 1e-9, "{:?}", &e.phi[..10]);
    assert!(e.evaluations <= 128);
    // 64 evaluations on 300 players still find the important ones
    let e = run(&mut game, &with(64, 2), None);
    assert!(largest_error(&e.phi, &truth) < 0.05, "{:?}", e.phi);
}

/// A sparse game with small effects everywhere: 4 important players, 3 pairwise terms, a dense tail.
fn noisy_game(n: usize, seed: u64) -> (FnGame<impl FnMut(&Coalition) -> Vec<f64>>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut main: Vec<f64> = (0..n).map(|_| rng.random_range(-0.03..0.03)).collect();
    let important: Vec<usize> = (0..4).map(|_| rng.random_range(0..n)).collect();
    for &i in &important {
        main[i] = rng.random_range(0.5..2.0) * if rng.random::<bool>() { 1.0 } else { -1.0 };
    }
    let pairs = (0..3)
        .map(|k| (important[k], rng.random_range(0..n), rng.random_range(-0.8..0.8)))
        .filter(|(i, j, _)| i != j)
        .collect();
    pairwise_game(main, pairs)
}

#[test]
fn the_error_bars_cover_the_truth_at_about_the_nominal_rate() {
    let (mut within_two, mut within_half, mut count) = (0usize, 0usize, 0usize);
    for seed in 0..20 {
        let n = 80;
        let (mut game, truth) = noisy_game(n, seed);
        let e = run(&mut game, &with(96, seed), None);
        let se = e.std_err.expect("sparse reports std errors");
        for ((p, s), t) in e.phi.iter().zip(&se).zip(&truth) {
            let error = (p[0] - t).abs();
            within_two += usize::from(error <= 2.0 * s[0]);
            within_half += usize::from(error <= 0.5 * s[0]);
            count += 1;
        }
    }
    let (two, half) = (
        within_two as f64 / count as f64,
        within_half as f64 / count as f64,
    );
    // nominal (normal errors): 95% within 2 se, 38% within half of one; too narrow fails the first, too wide
    // the second
    assert!(two >= 0.85, "only {two} within 2 std errors");
    assert!(
        half <= 0.6,
        "{half} within half a std error: the bars are too wide"
    );
}

#[test]
fn budgets_below_one_pair_are_refused_in_one_line() {
    let (mut game, _) = noisy_game(50, 0);
    for budget in [0, 1, 3] {
        let err = explain(&mut game, &with(budget, 0), None, &mut |_| {}).unwrap_err();
        assert!(
            matches!(err, ShapleyError::BudgetTooSmall { minimum: 4, .. }),
            "{err}"
        );
        let message = err.to_string();
        assert!(
            !message.contains('\n') && message.contains("at least 4"),
            "{message}"
        );
    }
    let e = run(&mut game, &with(4, 0), None);
    assert_eq!(e.evaluations, 4);
}

#[test]
fn same_seed_same_numbers_on_any_batch_size_and_thread_count() {
    let reference = run(&mut noisy_game(120, 5).0, &with(100, 9), None);
    for batch_size in [1, 7, 1000] {
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool");
            let settings = Settings {
                batch_size,
                ..with(100, 9)
            };
            let e = pool.install(|| run(&mut noisy_game(120, 5).0, &settings, None));
            assert_eq!(e, reference, "batch {batch_size}, {threads} threads");
        }
    }
    let other = run(&mut noisy_game(120, 5).0, &with(100, 10), None);
    assert_ne!(other.phi, reference.phi, "the seed must matter");
}

#[test]
fn a_budget_of_every_coalition_gives_the_exact_values() {
    let (mut game, truth) = noisy_game(8, 2);
    let e = run(&mut game, &with(256, 0), None);
    assert!(largest_error(&e.phi, &truth) < 1e-12);
}
