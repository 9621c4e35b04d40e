//! The interface between the estimators and whatever is being explained.

use crate::coalition::Coalition;

/// A cooperative game with vector-valued payoffs: `T = num_outputs()` numbers per coalition
/// (one per target token for a language model).
pub trait Game {
    /// Number of players (features); every coalition passed to `evaluate` is over this many.
    fn num_players(&self) -> usize;
    /// Number of outputs per coalition (T).
    fn num_outputs(&self) -> usize;
    /// Values of a batch of coalitions: `coalitions.len() * num_outputs()` numbers, row-major
    /// (one row of T outputs per coalition, in the order given).
    fn evaluate(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, GameError>;
}

impl<G: Game + ?Sized> Game for &mut G {
    fn num_players(&self) -> usize {
        (**self).num_players()
    }
    fn num_outputs(&self) -> usize {
        (**self).num_outputs()
    }
    fn evaluate(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, GameError> {
        (**self).evaluate(coalitions)
    }
}

impl<G: Game + ?Sized> Game for Box<G> {
    fn num_players(&self) -> usize {
        (**self).num_players()
    }
    fn num_outputs(&self) -> usize {
        (**self).num_outputs()
    }
    fn evaluate(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, GameError> {
        (**self).evaluate(coalitions)
    }
}

/// A game failed to evaluate a batch (e.g. the model runtime failed). Carries the cause.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct GameError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl GameError {
    /// An error described by `message` alone.
    pub fn new(message: impl Into<String>) -> Self {
        GameError {
            message: message.into(),
            source: None,
        }
    }

    /// An error described by `message`, caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        GameError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

/// A game given by a closure that scores one coalition at a time (tests, examples, cheap games).
pub struct FnGame<F> {
    num_players: usize,
    num_outputs: usize,
    score: F,
}

impl<F: FnMut(&Coalition) -> Vec<f64>> FnGame<F> {
    /// `score` must return `num_outputs` numbers for each coalition.
    pub fn new(num_players: usize, num_outputs: usize, score: F) -> Self {
        FnGame {
            num_players,
            num_outputs,
            score,
        }
    }
}

impl<F: FnMut(&Coalition) -> Vec<f64>> Game for FnGame<F> {
    fn num_players(&self) -> usize {
        self.num_players
    }
    fn num_outputs(&self) -> usize {
        self.num_outputs
    }
    fn evaluate(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, GameError> {
        let mut out = Vec::with_capacity(coalitions.len() * self.num_outputs);
        for c in coalitions {
            out.extend((self.score)(c));
        }
        Ok(out)
    }
}

/// A game given by the value of every coalition, indexed by bitmask (bit j = player j kept), as in
/// shap's golden files. Needs `n <= 30`.
#[derive(Debug, Clone)]
pub struct TableGame {
    num_players: usize,
    num_outputs: usize,
    values: Vec<f64>,
}

impl TableGame {
    /// `rows[mask]` holds the T outputs of coalition `mask`; there must be `2^n` rows of equal length.
    pub fn new(num_players: usize, rows: &[Vec<f64>]) -> Result<Self, GameError> {
        if num_players > 30 {
            return Err(GameError::new(format!(
                "a table game over {num_players} players would need 2^{num_players} rows; use at most 30"
            )));
        }
        if rows.len() != 1usize << num_players {
            return Err(GameError::new(format!(
                "a table game over {num_players} players needs {} rows (one per bitmask), got {}",
                1usize << num_players,
                rows.len()
            )));
        }
        let num_outputs = rows[0].len();
        if let Some(bad) = rows.iter().position(|r| r.len() != num_outputs) {
            return Err(GameError::new(format!(
                "row {bad} of the table has {} outputs but row 0 has {num_outputs}; every row needs the same",
                rows[bad].len()
            )));
        }
        Ok(TableGame {
            num_players,
            num_outputs,
            values: rows.concat(),
        })
    }
}

impl Game for TableGame {
    fn num_players(&self) -> usize {
        self.num_players
    }
    fn num_outputs(&self) -> usize {
        self.num_outputs
    }
    fn evaluate(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, GameError> {
        let t = self.num_outputs;
        let mut out = Vec::with_capacity(coalitions.len() * t);
        for c in coalitions {
            if c.num_players() != self.num_players {
                return Err(GameError::new(format!(
                    "coalition {c} is over {} players but the table game has {}",
                    c.num_players(),
                    self.num_players
                )));
            }
            let row = c.low_mask() as usize;
            out.extend_from_slice(&self.values[row * t..(row + 1) * t]);
        }
        Ok(out)
    }
}
