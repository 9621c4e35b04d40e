//! The samplers: convergence towards exact values, honest std errors, reproducibility.

mod common;

use common::{max_abs_diff, run};
use rand::{Rng, SeedableRng};
use whylm_shapley::{Coalition, FnGame, Game, Hierarchy, Method, Settings};

/// A game like a real one: a few main effects, pairwise and triple interactions, T = 2.
fn interaction_game(n: usize, seed: u64) -> FnGame<impl FnMut(&Coalition) -> Vec<f64>> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let main: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let terms: Vec<(Vec<usize>, f64)> = (0..2 * n)
        .map(|k| {
            let order = 2 + k % 2;
            (
                (0..order).map(|_| rng.random_range(0..n)).collect(),
                rng.random_range(-1.5..1.5),
            )
        })
        .collect();
    FnGame::new(n, 2, move |c: &Coalition| {
        let a: f64 = c.iter_kept().map(|i| main[i]).sum();
        let b: f64 = terms
            .iter()
            .filter(|(p, _)| p.iter().all(|&i| c.contains(i)))
            .map(|(_, w)| w)
            .sum();
        vec![a + b, (a - b).tanh()]
    })
}

fn mean_abs_error(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    let d: Vec<f64> = a
        .iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
        .collect();
    d.iter().sum::<f64>() / d.len() as f64
}

/// The Monte Carlo samplers: random draws from a seed, a std error for every value.
const SAMPLERS: [Method; 4] = [
    Method::Permutation,
    Method::Kernel,
    Method::RegressionMc,
    Method::GaussianProcess,
];

fn with(method: Method, budget: usize, seed: u64) -> Settings {
    Settings {
        max_evals: Some(budget),
        seed,
        ..Settings::with_method(method)
    }
}

#[test]
fn samplers_converge_to_exact_with_a_large_budget() {
    let n = 12;
    let exact = run(&mut interaction_game(n, 3), &with(Method::Exact, 1 << n, 0), None);
    for method in SAMPLERS {
        let small = run(&mut interaction_game(n, 3), &with(method, 3 * n, 1), None);
        let large = run(&mut interaction_game(n, 3), &with(method, 4000, 1), None);
        let (e_small, e_large) = (
            mean_abs_error(&small.phi, &exact.phi),
            mean_abs_error(&large.phi, &exact.phi),
        );
        assert!(
            e_large < e_small / 3.0,
            "{method}: error {e_small} at 3n, {e_large} at 4000"
        );
        assert!(e_large < 0.02, "{method}: error {e_large} at 4000 evaluations");
        // The reported std errors are of the size of the actual errors.
        let se = large.std_err.expect("samplers report std errors");
        let within = large.phi.iter().zip(&exact.phi).zip(&se).flat_map(|((p, x), s)| {
            p.iter()
                .zip(x)
                .zip(s)
                .map(|((p, x), s)| (p - x).abs() <= 4.0 * s + 1e-12)
        });
        let (ok, total) = within.fold((0, 0), |(ok, total), w| (ok + w as usize, total + 1));
        assert!(
            ok * 10 >= total * 9,
            "{method}: only {ok} of {total} errors within 4 std errors"
        );
    }
}

#[test]
fn pair_samplers_with_every_coalition_are_exact() {
    let n = 8;
    let exact = run(&mut interaction_game(n, 5), &with(Method::Exact, 1 << n, 0), None);
    for method in [Method::Kernel, Method::RegressionMc, Method::GaussianProcess] {
        let e = run(&mut interaction_game(n, 5), &with(method, 1 << n, 9), None);
        assert!(max_abs_diff(&e.phi, &exact.phi) < 1e-9, "{method}");
        assert_eq!(e.evaluations, 1 << n);
        assert!(e.std_err.unwrap().iter().flatten().all(|&s| s == 0.0));
    }
}

#[test]
fn msr_and_gp_beat_kernel_when_a_third_order_interaction_dominates() {
    // Paired kernel regression is exact up to order 2; a strong triple is what it must estimate,
    // and what msr's surrogate captures (gp gives it a prior variance of its own).
    let n = 16;
    let game = |c: &Coalition| {
        let main: f64 = c.iter_kept().map(|i| 0.1 * i as f64).sum();
        let pair = if c.contains(2) && c.contains(3) { 1.0 } else { 0.0 };
        let triple = if c.contains(1) && c.contains(6) && c.contains(11) {
            3.0
        } else {
            0.0
        };
        vec![main + pair + triple]
    };
    let exact = run(
        &mut common::fn_game(n, 1, game),
        &with(Method::Exact, 1 << n, 0),
        None,
    );
    let (mut kernel, mut msr, mut gp) = (0.0, 0.0, 0.0);
    for seed in 0..5 {
        for (method, total) in [
            (Method::Kernel, &mut kernel),
            (Method::RegressionMc, &mut msr),
            (Method::GaussianProcess, &mut gp),
        ] {
            let e = run(
                &mut common::fn_game(n, 1, game),
                &with(method, 10 * n, seed),
                None,
            );
            *total += mean_abs_error(&e.phi, &exact.phi);
        }
    }
    assert!(
        msr < kernel / 3.0 && gp < kernel / 3.0,
        "msr error {msr}, gp {gp} vs kernel {kernel} (sums over 5 seeds)"
    );
}

#[test]
fn same_seed_same_numbers_whatever_the_batch_size() {
    let n = 30;
    let h = Hierarchy::balanced(n).unwrap();
    for method in SAMPLERS.into_iter().chain([Method::Partition]) {
        let run_with = |seed, batch_size| {
            let settings = Settings {
                batch_size,
                ..with(method, 10 * n, seed)
            };
            run(&mut interaction_game(n, 11), &settings, Some(&h))
        };
        let runs = [1, 64, 1000].map(|batch_size| run_with(7, batch_size));
        let other_seed = run(&mut interaction_game(n, 11), &with(method, 10 * n, 8), Some(&h));
        assert_eq!(runs[0].phi, runs[1].phi, "{method}");
        assert_eq!(runs[0].phi, runs[2].phi, "{method}");
        if method != Method::Partition {
            // partition draws nothing at random
            assert_ne!(runs[0].phi, other_seed.phi, "{method}: the seed must matter");
        }
        let again = run_with(7, 64);
        assert_eq!(runs[1], again, "{method}");
    }
}

#[test]
fn permutation_stops_at_the_target_std_err() {
    let n = 10;
    let loose = Settings {
        target_std_err: Some(0.05),
        ..with(Method::Permutation, 100_000, 2)
    };
    let e = run(&mut interaction_game(n, 4), &loose, None);
    let se = e.std_err.unwrap();
    assert!(se.iter().flatten().all(|&s| s <= 0.05));
    assert!(
        e.evaluations < 1 << n,
        "should stop before enumerating every coalition"
    );
}

#[test]
fn samplers_stay_within_budget_and_count_distinct_evaluations() {
    struct Counting<G>(G, usize);
    impl<G: Game> Game for Counting<G> {
        fn num_players(&self) -> usize {
            self.0.num_players()
        }
        fn num_outputs(&self) -> usize {
            self.0.num_outputs()
        }
        fn evaluate(&mut self, c: &[Coalition]) -> Result<Vec<f64>, whylm_shapley::GameError> {
            self.1 += c.len();
            self.0.evaluate(c)
        }
    }
    let n = 20;
    let h = Hierarchy::balanced(n).unwrap();
    for method in SAMPLERS
        .into_iter()
        .chain([Method::Partition, Method::LeaveOneOut])
    {
        let mut game = Counting(interaction_game(n, 1), 0);
        let budget = 7 * n + 3;
        let e = run(&mut game, &with(method, budget, 0), Some(&h));
        assert!(e.evaluations <= budget, "{method}");
        assert_eq!(
            e.evaluations, game.1,
            "{method}: every evaluation is counted once"
        );
        if method != Method::LeaveOneOut {
            assert!(
                e.evaluations + 2 * n > budget,
                "{method} left much of its budget: {}",
                e.evaluations
            );
        }
    }
}

#[test]
fn gp_handles_hundreds_of_players() {
    // A long prompt's game: finite std errors, efficiency, and the additive values recovered
    // with 300 players (the prior's polynomials at large n are checked in walsh_prior's tests).
    let n = 300;
    let weights: Vec<f64> = (0..n).map(|i| ((i * 37) % 11) as f64 / 10.0 - 0.5).collect();
    let w = weights.clone();
    let mut game = common::fn_game(n, 2, |c| {
        let s: f64 = c.iter_kept().map(|i| w[i]).sum();
        vec![s, -2.0 * s + 1.0]
    });
    let e = run(&mut game, &with(Method::GaussianProcess, 4 * n, 3), None);
    assert!(e.efficiency_residual < 1e-9);
    let se = e.std_err.expect("gp reports std errors");
    assert!(se.iter().flatten().all(|s| s.is_finite()));
    let expected: Vec<Vec<f64>> = weights.iter().map(|&x| vec![x, -2.0 * x]).collect();
    let err = max_abs_diff(&e.phi, &expected);
    assert!(err < 1e-6, "max error {err} on an additive game");
}
