//! Everything that can stop an explanation.

use crate::game::GameError;
use crate::method::Method;

/// Why an explanation could not be computed; each message says what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum ShapleyError {
    #[error("the game failed to evaluate a batch of coalitions: {0}")]
    Game(#[from] GameError),

    #[error(
        "the game returned {got} values for a batch of {coalitions} coalitions, but {expected} were expected \
         ({coalitions} coalitions x {outputs} outputs); fix the game's evaluate()"
    )]
    WrongOutputLength {
        got: usize,
        expected: usize,
        coalitions: usize,
        outputs: usize,
    },

    #[error(
        "the game returned a non-finite value ({value}) for output {output} of coalition {coalition}; \
         the score must be finite for every coalition (check the masking or use a bounded score)"
    )]
    NonFinite {
        coalition: String,
        output: usize,
        value: f64,
    },

    #[error(
        "the budget of {budget} evaluations is too small for method `{method}` with {players} players: \
         it needs at least {minimum}; raise the budget or choose a method that runs on any budget from 4 \
         (kernel, gp or banzhaf)"
    )]
    BudgetTooSmall {
        method: Method,
        budget: usize,
        minimum: usize,
        players: usize,
    },

    #[error(
        "exact Shapley values over {players} players need 2^{players} evaluations, above the limit of \
         {limit} players; use `kernel`, `permutation` or `partition` (or raise exact_limit)"
    )]
    TooManyPlayersForExact { players: usize, limit: usize },

    #[error("method `partition` needs a hierarchy over the players; pass one (e.g. Hierarchy::balanced(n))")]
    MissingHierarchy,

    #[error(
        "the hierarchy covers {hierarchy} players but the game has {game}; build it for the same features"
    )]
    HierarchyMismatch { hierarchy: usize, game: usize },

    #[error("invalid hierarchy: {0}")]
    InvalidHierarchy(String),

    #[error("invalid settings: {0}")]
    InvalidSettings(String),

    #[error(
        "a budget of {budget} evaluations is too small to sample the interactions of {pairs} pairs: \
         it needs at least {minimum} (2 samples of 4 coalitions per pair); raise the budget or ask for fewer features"
    )]
    InteractionBudgetTooSmall {
        budget: usize,
        pairs: usize,
        minimum: usize,
    },

    #[error("invalid interaction players: {0}")]
    InvalidInteractionPlayers(String),
}
