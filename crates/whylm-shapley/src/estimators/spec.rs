//! What an estimator declares about itself: its name, a one-line description, its budget rules,
//! whether it needs a hierarchy, and how it runs. Each estimator's module defines one `Spec`;
//! `registry` lists them.

use rand_chacha::ChaCha8Rng;

use super::estimate::Estimate;
use crate::error::ShapleyError;
use crate::evaluator::Evaluator;
use crate::hierarchy::Hierarchy;
use crate::method::Method;

/// One estimator's registration.
pub(crate) struct Spec {
    pub method: Method,
    /// The name on the command line, in reports and in serde (checked by a test).
    pub name: &'static str,
    /// Other spellings `FromStr` accepts (lowercase).
    pub aliases: &'static [&'static str],
    /// One line for `--help` and the bindings.
    pub description: &'static str,
    pub budget: BudgetRules,
    /// Whether `explain` must be given a hierarchy over the players.
    pub needs_hierarchy: bool,
    /// Estimates on a game of at least one player (zero players have the trivial answer).
    pub run: fn(&mut Evaluator<'_>, &mut Job<'_>) -> Result<Estimate, ShapleyError>,
}

/// How many evaluations a method needs and takes.
pub(crate) struct BudgetRules {
    /// The fewest evaluations over n players (v(empty) and v(full) included), before the cap at
    /// 2^n that `Method::minimum_budget` applies.
    pub minimum: fn(usize) -> usize,
    /// The budget when none is given, from n and the (capped) minimum.
    pub default: fn(usize, usize) -> usize,
    /// Limits beyond the minimum (too many players, too large a budget), checked before it.
    pub limits: fn(&Plan) -> Result<(), ShapleyError>,
}

/// What the limits are checked against.
pub(crate) struct Plan {
    pub players: usize,
    /// The budget in force (given or default).
    pub budget: usize,
    /// `Settings::exact_limit`.
    pub exact_limit: usize,
}

/// For methods without limits beyond their minimum budget.
pub(crate) fn no_limits(_: &Plan) -> Result<(), ShapleyError> {
    Ok(())
}

/// What a run may use besides the evaluator.
pub(crate) struct Job<'a> {
    pub budget: usize,
    /// `Settings::target_std_err`.
    pub target_std_err: Option<f64>,
    /// Checked against the game when the method needs it.
    pub hierarchy: Option<&'a Hierarchy>,
    /// The single stream behind every random choice.
    pub rng: &'a mut ChaCha8Rng,
}
