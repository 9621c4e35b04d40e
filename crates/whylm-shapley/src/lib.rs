//! The Shapley engine of whylm. It knows nothing about language models: a [`Game`] scores batches
//! of [`Coalition`]s (T outputs each) and the estimators behind [`explain`] attribute every output
//! to the players.
//!
//! Methods (see [`Method`]): `exact` (all 2^n coalitions), `permutation` (antithetic permutation
//! sampling), `kernel` (KernelSHAP with paired sampling, sizes split by Neyman allocation),
//! `partition` (Owen values over a [`Hierarchy`], as shap's PartitionExplainer), `msr` (kernel's
//! samples with a regression adjustment: a sparse third-order surrogate with exact Shapley values,
//! the kernel regression on the rest), `gp` (kernel's samples read by Gaussian-process regression
//! under a prior per interaction order, with msr's strong triples as fixed terms) and `loo`
//! (leave-one-out, not a Shapley value).
//! Every random choice comes from one ChaCha8 stream seeded by `Settings::seed`; the engine uses
//! no threads, so the same seed gives the same numbers whatever the game does in parallel.

mod coalition;
mod error;
mod estimators;
mod evaluator;
mod explanation;
mod game;
mod hierarchy;
mod recommend;
mod settings;

pub use coalition::Coalition;
pub use error::ShapleyError;
pub use evaluator::Progress;
pub use explanation::{efficiency_residual, Explanation};
pub use game::{FnGame, Game, GameError, TableGame};
pub use hierarchy::{Group, Hierarchy};
pub use recommend::recommended_method;
pub use settings::{Method, Settings, GP_MAX_BUDGET};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use estimators::kernel::on_paired_draw;
use estimators::Estimate;
use evaluator::Evaluator;
use settings::all_coalitions;

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
    let budget = settings.budget(n);
    let minimum = method.minimum_budget(n);
    if method == Method::Exact && n > settings.exact_limit.min(MAX_EXACT_PLAYERS) {
        return Err(ShapleyError::TooManyPlayersForExact {
            players: n,
            limit: settings.exact_limit,
        });
    }
    if method == Method::GaussianProcess && budget > GP_MAX_BUDGET {
        return Err(ShapleyError::InvalidSettings(format!(
            "gp takes at most {GP_MAX_BUDGET} evaluations (its cost grows with the cube of the budget); \
             for a budget of {budget} use msr or kernel, or lower the budget"
        )));
    }
    if budget < minimum {
        return Err(ShapleyError::BudgetTooSmall {
            method,
            budget,
            minimum,
            players: n,
        });
    }
    let hierarchy = match (method, hierarchy) {
        (Method::Partition, None) if n > 0 => return Err(ShapleyError::MissingHierarchy),
        (Method::Partition, Some(h)) if h.num_players() != n => {
            return Err(ShapleyError::HierarchyMismatch {
                hierarchy: h.num_players(),
                game: n,
            })
        }
        (_, h) => h,
    };
    let mut game_ref = GameRef(game);
    let planned = budget.min(all_coalitions(n));
    let mut ev = Evaluator::new(&mut game_ref, settings.batch_size, planned, progress);
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let estimate = if n == 0 {
        let ids = ev.rows_of(&[Coalition::empty(0)])?;
        let v = ev.row(ids[0]).to_vec();
        Estimate {
            phi: Vec::new(),
            std_err: None,
            base: v.clone(),
            full: v,
        }
    } else {
        match (method, hierarchy) {
            (Method::Exact, _) => estimators::exact::estimate(&mut ev)?,
            (Method::Permutation, _) => {
                estimators::permutation::estimate(&mut ev, budget, settings.target_std_err, &mut rng)?
            }
            (Method::Kernel, _) => on_paired_draw(&mut ev, budget, &mut rng, estimators::kernel::estimate)?,
            (Method::RegressionMc, _) => {
                on_paired_draw(&mut ev, budget, &mut rng, estimators::regression_mc::estimate)?
            }
            (Method::GaussianProcess, _) => {
                on_paired_draw(&mut ev, budget, &mut rng, estimators::gaussian_process::estimate)?
            }
            (Method::Partition, Some(h)) => estimators::partition::estimate(&mut ev, h, budget)?,
            (Method::Partition, None) => return Err(ShapleyError::MissingHierarchy),
            (Method::LeaveOneOut, _) => estimators::loo::estimate(&mut ev)?,
        }
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

/// Above this, the 2^n table of `exact` cannot be held whatever `exact_limit` says.
const MAX_EXACT_PLAYERS: usize = 32;

/// Lets a generic (possibly unsized) game be used as `&mut dyn Game`.
struct GameRef<'a, G: ?Sized>(&'a mut G);

impl<G: Game + ?Sized> Game for GameRef<'_, G> {
    fn num_players(&self) -> usize {
        self.0.num_players()
    }
    fn num_outputs(&self) -> usize {
        self.0.num_outputs()
    }
    fn evaluate(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, GameError> {
        self.0.evaluate(coalitions)
    }
}
