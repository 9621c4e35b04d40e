//! `explain`: checks the request against the method's registration, then runs it.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::estimators::budget::all_coalitions;
use crate::estimators::estimate::Estimate;
use crate::estimators::spec::{Job, Plan, Spec};
use crate::evaluator::{Evaluator, Progress};
use crate::explanation::Explanation;
use crate::game::Game;
use crate::hierarchy::Hierarchy;
use crate::settings::Settings;

/// Explains `game` with `settings.method`.
///
/// `hierarchy` is needed by `partition` (and ignored by the others). `progress` is called after
/// every batch the game evaluates. Zero players gives the trivial explanation (no phi, base = full
/// = v(empty)). Errors: invalid settings, a budget below the method's minimum, too many players for
/// `exact`, a missing or mismatched hierarchy, a failing game, or a non-finite game value.
pub fn explain<G: Game + ?Sized>(
    game: &mut G,
    settings: &Settings,
    hierarchy: Option<&Hierarchy>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Explanation, ShapleyError> {
    settings.validate()?;
    let n = game.num_players();
    let method = settings.method;
    let spec = method.spec();
    let budget = settings.budget(n);
    (spec.budget.limits)(&Plan {
        players: n,
        budget,
        exact_limit: settings.exact_limit,
    })?;
    let minimum = method.minimum_budget(n);
    if budget < minimum {
        return Err(ShapleyError::BudgetTooSmall {
            method,
            budget,
            minimum,
            players: n,
        });
    }
    let hierarchy = checked_hierarchy(spec, n, hierarchy)?;
    // `&mut G` is a sized game (game.rs forwards it), so an unsized `G` can be used as `dyn Game`.
    let mut game = game;
    let planned = budget.min(all_coalitions(n));
    let mut ev = Evaluator::new(&mut game, settings.batch_size, planned, progress);
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let estimate = if n == 0 {
        trivial(&mut ev)?
    } else {
        let mut job = Job {
            budget,
            target_std_err: settings.target_std_err,
            hierarchy,
            rng: &mut rng,
        };
        (spec.run)(&mut ev, &mut job)?
    };
    Ok(Explanation::new(
        estimate.phi,
        estimate.std_err,
        estimate.base,
        estimate.full,
        ev.evaluations(),
        method,
        settings.seed,
    ))
}

/// The hierarchy a method that needs one is given, checked against the game (n = 0 needs none).
fn checked_hierarchy<'h>(
    spec: &Spec,
    n: usize,
    hierarchy: Option<&'h Hierarchy>,
) -> Result<Option<&'h Hierarchy>, ShapleyError> {
    if !spec.needs_hierarchy {
        return Ok(hierarchy);
    }
    match hierarchy {
        None if n > 0 => Err(ShapleyError::MissingHierarchy),
        Some(h) if h.num_players() != n => Err(ShapleyError::HierarchyMismatch {
            hierarchy: h.num_players(),
            game: n,
        }),
        h => Ok(h),
    }
}

/// No players: nothing to attribute, and v(empty) is v(full).
fn trivial(ev: &mut Evaluator) -> Result<Estimate, ShapleyError> {
    let ids = ev.rows_of(&[Coalition::empty(0)])?;
    let v = ev.row(ids[0]).to_vec();
    Ok(Estimate {
        phi: Vec::new(),
        std_err: None,
        base: v.clone(),
        full: v,
    })
}
