//! What goes wrong is reported, never a panic.

mod common;

use common::fn_game;
use whylm_shapley::{
    explain, Coalition, FnGame, Game, GameError, Hierarchy, Method, Progress, Settings, ShapleyError,
    GP_MAX_BUDGET,
};

fn with(method: Method, budget: Option<usize>) -> Settings {
    Settings {
        max_evals: budget,
        ..Settings::with_method(method)
    }
}

#[test]
fn non_finite_value_names_the_coalition() {
    let mut game = fn_game(4, 2, |c| {
        vec![
            0.0,
            if c.contains(2) && c.len() == 1 {
                f64::NAN
            } else {
                1.0
            },
        ]
    });
    let err = explain(&mut game, &with(Method::Exact, None), None, &mut |_| {}).unwrap_err();
    assert!(matches!(err, ShapleyError::NonFinite { output: 1, .. }), "{err}");
    assert!(err.to_string().contains("{2} (1 of 4 kept)"), "{err}");
}

#[test]
fn budget_below_the_minimum_says_the_minimum() {
    for (method, minimum) in [
        // one permutation walk: n + 1
        (Method::Permutation, 11),
        // the pair methods: v(empty), v(full) and one pair (or two random coalitions)
        (Method::Kernel, 4),
        (Method::RegressionMc, 4),
        (Method::GaussianProcess, 4),
        (Method::Banzhaf, 4),
        (Method::ContextCite, 4),
        (Method::Sparse, 4),
        (Method::LeaveOneOut, 12),
        (Method::Exact, 1024),
    ] {
        let mut game = fn_game(10, 1, |c| vec![c.len() as f64]);
        let err = explain(&mut game, &with(method, Some(minimum - 1)), None, &mut |_| {}).unwrap_err();
        assert!(
            matches!(err, ShapleyError::BudgetTooSmall { minimum: m, .. } if m == minimum),
            "{method}: {err}"
        );
        assert!(err.to_string().contains(&format!("at least {minimum}")), "{err}");
        assert!(
            explain(&mut game, &with(method, Some(minimum)), None, &mut |_| {}).is_ok(),
            "{method}"
        );
    }
}

#[test]
fn exact_above_its_limit_names_other_methods() {
    let mut game = fn_game(21, 1, |c| vec![c.len() as f64]);
    let err = explain(&mut game, &with(Method::Exact, None), None, &mut |_| {}).unwrap_err();
    assert!(matches!(
        err,
        ShapleyError::TooManyPlayersForExact {
            players: 21,
            limit: 20
        }
    ));
    assert!(err.to_string().contains("kernel"));
}

#[test]
fn zero_features_give_the_trivial_explanation() {
    for method in Method::ALL {
        let mut game = fn_game(0, 3, |_| vec![1.0, 2.0, 3.0]);
        let e = explain(&mut game, &with(method, None), None, &mut |_| {}).unwrap();
        assert!(e.phi.is_empty());
        assert_eq!(e.base_value, vec![1.0, 2.0, 3.0]);
        assert_eq!(e.full_value, e.base_value);
        assert_eq!(e.efficiency_residual, 0.0);
    }
}

#[test]
fn partition_without_or_with_a_wrong_hierarchy_is_an_error() {
    let mut game = fn_game(4, 1, |c| vec![c.len() as f64]);
    let err = explain(&mut game, &with(Method::Partition, None), None, &mut |_| {}).unwrap_err();
    assert!(matches!(err, ShapleyError::MissingHierarchy));
    let h = Hierarchy::balanced(5).unwrap();
    let err = explain(&mut game, &with(Method::Partition, None), Some(&h), &mut |_| {}).unwrap_err();
    assert!(matches!(
        err,
        ShapleyError::HierarchyMismatch {
            hierarchy: 5,
            game: 4
        }
    ));
}

#[test]
fn failing_or_miscounting_games_are_errors() {
    struct Broken(bool);
    impl Game for Broken {
        fn num_players(&self) -> usize {
            3
        }
        fn num_outputs(&self) -> usize {
            2
        }
        fn evaluate(&mut self, c: &[Coalition]) -> Result<Vec<f64>, GameError> {
            if self.0 {
                Err(GameError::new("the model ran out of memory"))
            } else {
                Ok(vec![0.0; c.len()])
            }
        }
    }
    for method in Method::ALL {
        let h = Hierarchy::balanced(3).unwrap();
        let err = explain(&mut Broken(true), &with(method, None), Some(&h), &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("out of memory"), "{method}: {err}");
        let err = explain(&mut Broken(false), &with(method, None), Some(&h), &mut |_| {}).unwrap_err();
        assert!(
            matches!(err, ShapleyError::WrongOutputLength { expected, got, .. } if expected == 2 * got),
            "{method}: {err}"
        );
    }
}

#[test]
fn invalid_settings_are_errors() {
    let mut game = fn_game(3, 1, |c| vec![c.len() as f64]);
    let zero_batch = Settings {
        batch_size: 0,
        ..Settings::default()
    };
    assert!(matches!(
        explain(&mut game, &zero_batch, None, &mut |_| {}),
        Err(ShapleyError::InvalidSettings(_))
    ));
    let bad_target = Settings {
        target_std_err: Some(-1.0),
        ..Settings::default()
    };
    assert!(matches!(
        explain(&mut game, &bad_target, None, &mut |_| {}),
        Err(ShapleyError::InvalidSettings(_))
    ));
    // gp's cost grows with the cube of the budget: above its limit it refuses, naming the
    // alternatives, and its default budget stays within the limit.
    let mut wide = fn_game(1000, 1, |c| vec![c.len() as f64]);
    let too_big = Settings {
        max_evals: Some(GP_MAX_BUDGET + 1),
        ..Settings::with_method(Method::GaussianProcess)
    };
    match explain(&mut wide, &too_big, None, &mut |_| {}) {
        Err(ShapleyError::InvalidSettings(msg)) => assert!(msg.contains("msr"), "{msg}"),
        other => panic!("expected InvalidSettings, got {other:?}"),
    }
    assert_eq!(Method::GaussianProcess.default_budget(1000), GP_MAX_BUDGET);
    assert!("bogus".parse::<Method>().is_err());
    assert_eq!("loo".parse::<Method>().unwrap(), Method::LeaveOneOut);
    // Every method's name parses back to it (and serializes to it), msr included.
    for method in Method::ALL {
        assert_eq!(method.name().parse::<Method>().unwrap(), method);
        let json = serde_json::to_string(&method).unwrap();
        assert_eq!(json, format!("\"{}\"", method.name()));
    }
    assert_eq!("Regression-MC".parse::<Method>().unwrap(), Method::RegressionMc);
}

#[test]
fn progress_reports_each_batch_up_to_the_evaluations_used() {
    let mut game: FnGame<_> = fn_game(10, 1, |c| vec![c.len() as f64]);
    let mut seen: Vec<Progress> = Vec::new();
    let s = Settings {
        batch_size: 50,
        ..with(Method::Exact, None)
    };
    let e = explain(&mut game, &s, None, &mut |p| seen.push(p)).unwrap();
    assert_eq!(seen.len(), 1024usize.div_ceil(50));
    assert!(seen.windows(2).all(|w| w[0].done < w[1].done));
    assert_eq!(seen.last().map(|p| p.done), Some(e.evaluations));
    assert!(seen.iter().all(|p| p.planned == 1024));
    let mut seen = Vec::new();
    let s = Settings {
        batch_size: 8,
        ..with(Method::Kernel, Some(200))
    };
    let e = explain(&mut game, &s, None, &mut |p| seen.push(p)).unwrap();
    assert!(seen.len() >= 200 / 8);
    assert_eq!(seen.last().map(|p| p.done), Some(e.evaluations));
}

#[test]
fn loo_is_not_efficient_but_reports_its_residual() {
    // v = 1 if both players kept: leave-one-out gives each 1, the Shapley value 1/2.
    let mut game = fn_game(2, 1, |c| vec![if c.len() == 2 { 1.0 } else { 0.0 }]);
    let e = explain(&mut game, &with(Method::LeaveOneOut, None), None, &mut |_| {}).unwrap();
    assert_eq!(e.phi, vec![vec![1.0], vec![1.0]]);
    assert!((e.efficiency_residual - 1.0).abs() < 1e-12);
    assert_eq!(e.evaluations, 4);
}

#[test]
fn every_method_but_exact_runs_at_32_evaluations_on_20_players() {
    // Issue 19's small budgets: below 2n the methods give the best estimate the budget allows instead of a
    // refusal; exact cannot and says which methods can.
    let n = 20;
    let h = Hierarchy::balanced(n).unwrap();
    for method in Method::ALL {
        let mut game = fn_game(n, 2, |c| vec![c.len() as f64, f64::from(u8::from(c.contains(3)))]);
        let result = explain(&mut game, &with(method, Some(32)), Some(&h), &mut |_| {});
        if method == Method::Exact {
            assert!(result.unwrap_err().to_string().contains("kernel"));
            continue;
        }
        let e = result.unwrap_or_else(|err| panic!("{method}: {err}"));
        assert!(e.evaluations <= 32, "{method}: {}", e.evaluations);
        assert!(e.phi.iter().flatten().all(|v| v.is_finite()), "{method}");
        let paired = [
            Method::Kernel,
            Method::RegressionMc,
            Method::GaussianProcess,
            Method::Banzhaf,
            Method::ContextCite,
            Method::Sparse,
        ];
        if paired.contains(&method) {
            let se = e.std_err.unwrap_or_else(|| panic!("{method} has no std errors"));
            assert!(
                se.iter().flatten().all(|s| s.is_finite() && *s >= 0.0),
                "{method}"
            );
        }
    }
}
