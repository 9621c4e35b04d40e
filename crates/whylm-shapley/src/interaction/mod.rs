//! Pairwise Shapley interaction index (Grabisch and Roubens 1999) among chosen players: exact from
//! all 2^n coalitions when the game is small enough, sampled (unbiased, with standard errors)
//! otherwise. It answers what Shapley values hide: two features that only matter together
//! (positive index, synergy) or that stand in for each other (negative, redundancy).

mod exact;
mod result;
mod sampled;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use result::{Interactions, PairInteraction};

use crate::error::ShapleyError;
use crate::evaluator::Evaluator;
use crate::game::Game;
use crate::recorded::KnownValues;

/// Samples per pair of the default sampled budget (each costs at most 4 evaluations).
const DEFAULT_SAMPLES_PER_PAIR: usize = 50;

/// How to compute interactions.
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionSettings {
    /// Most distinct game evaluations. `None`: all 2^n when `n <= exact_limit`, otherwise
    /// 4 x 50 per pair. The exact index is used whenever `n <= exact_limit` and 2^n fits.
    pub max_evals: Option<usize>,
    /// Most players for the exact index.
    pub exact_limit: usize,
    /// Most coalitions passed to one `Game::evaluate` call.
    pub batch_size: usize,
    /// Seed of the ChaCha8 stream of the sampled estimator.
    pub seed: u64,
}

impl Default for InteractionSettings {
    fn default() -> Self {
        InteractionSettings {
            max_evals: None,
            exact_limit: 14,
            batch_size: 64,
            seed: 0,
        }
    }
}

impl InteractionSettings {
    /// Whether a game of `n` players gets the exact index.
    pub fn is_exact(&self, n: usize) -> bool {
        n <= self.exact_limit.min(30) && self.max_evals.is_none_or(|b| (1usize << n) <= b)
    }

    /// The sampled budget for `pairs` pairs.
    fn sampled_budget(&self, pairs: usize) -> usize {
        self.max_evals.unwrap_or(4 * DEFAULT_SAMPLES_PER_PAIR * pairs)
    }
}

/// The interaction index of every pair of `players` (indices into the game's players, at least
/// two, distinct). Errors: bad players or settings, a budget below 8 evaluations per pair, a
/// failing game or a non-finite value.
pub fn interactions<G: Game + ?Sized>(
    game: &mut G,
    players: &[usize],
    settings: &InteractionSettings,
) -> Result<Interactions, ShapleyError> {
    interactions_reusing(game, players, settings, &KnownValues::default())
}

/// As [`interactions`], but coalitions whose values are in `known` (e.g. recorded by a [`crate::RecordedGame`]
/// while the Shapley values were computed) are not evaluated again: they cost nothing, so the budget
/// (`max_evals`) is the interactions' own, spent on new coalitions only.
pub fn interactions_reusing<G: Game + ?Sized>(
    game: &mut G,
    players: &[usize],
    settings: &InteractionSettings,
    known: &KnownValues,
) -> Result<Interactions, ShapleyError> {
    let n = game.num_players();
    check_players(players, n)?;
    if settings.batch_size == 0 {
        return Err(ShapleyError::InvalidSettings(
            "batch_size is 0; use at least 1 coalition per batch".into(),
        ));
    }
    let pairs: Vec<(usize, usize)> = result::pair_positions(players.len())
        .into_iter()
        .map(|(x, y)| (players[x], players[y]))
        .collect();
    let exact = settings.is_exact(n);
    let planned = if exact {
        1 << n
    } else {
        settings.sampled_budget(pairs.len())
    };
    let mut game = game;
    let mut ignore = |_| {};
    let mut ev = Evaluator::new(&mut game, settings.batch_size, planned, &mut ignore);
    ev.preload(known);
    let found = if exact {
        exact::exact_pairs(&mut ev, &pairs)?
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
        sampled::sampled_pairs(&mut ev, &pairs, planned, &mut rng)?
    };
    Ok(Interactions {
        players: players.to_vec(),
        pairs: found,
        evaluations: ev.evaluations(),
        reused: ev.reused(),
        exact,
        seed: settings.seed,
    })
}

fn check_players(players: &[usize], n: usize) -> Result<(), ShapleyError> {
    let bad = |why: String| Err(ShapleyError::InvalidInteractionPlayers(why));
    if players.len() < 2 {
        return bad(format!(
            "{} player(s) given; an interaction needs at least 2",
            players.len()
        ));
    }
    if let Some(p) = players.iter().find(|&&p| p >= n) {
        return bad(format!("player {p} is not below the game's {n} players"));
    }
    for (k, p) in players.iter().enumerate() {
        if players[..k].contains(p) {
            return bad(format!("player {p} is listed twice"));
        }
    }
    Ok(())
}
