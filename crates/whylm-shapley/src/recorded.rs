//! A game that remembers the values it evaluated, so that a later computation on the same game (the interactions
//! after the Shapley values) reuses them instead of asking the model again.

use std::collections::HashMap;

use crate::coalition::Coalition;
use crate::game::{Game, GameError};

/// Coalition values already known: T values per coalition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KnownValues {
    values: HashMap<Coalition, Vec<f64>>,
}

impl KnownValues {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn get(&self, coalition: &Coalition) -> Option<&[f64]> {
        self.values.get(coalition).map(Vec::as_slice)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Coalition, &Vec<f64>)> {
        self.values.iter()
    }
}

/// Wraps a game and records up to `capacity` evaluated coalitions with their values (the first ones; later ones
/// pass through unrecorded, so memory stays bounded on large budgets).
pub struct RecordedGame<G> {
    inner: G,
    capacity: usize,
    known: KnownValues,
}

impl<G: Game> RecordedGame<G> {
    pub fn new(inner: G, capacity: usize) -> Self {
        RecordedGame {
            inner,
            capacity,
            known: KnownValues::default(),
        }
    }

    pub fn known(&self) -> &KnownValues {
        &self.known
    }

    pub fn inner(&self) -> &G {
        &self.inner
    }

    /// The wrapped game and the values recorded so far, borrowed together.
    pub fn split(&mut self) -> (&mut G, &KnownValues) {
        (&mut self.inner, &self.known)
    }

    /// The wrapped game, for computations that must not reuse (or record) anything.
    pub fn inner_mut(&mut self) -> &mut G {
        &mut self.inner
    }
}

impl<G: Game> Game for RecordedGame<G> {
    fn num_players(&self) -> usize {
        self.inner.num_players()
    }

    fn num_outputs(&self) -> usize {
        self.inner.num_outputs()
    }

    fn evaluate(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, GameError> {
        let values = self.inner.evaluate(coalitions)?;
        let t = self.inner.num_outputs();
        if t > 0 && values.len() == coalitions.len() * t {
            for (c, row) in coalitions.iter().zip(values.chunks(t)) {
                if self.known.values.len() >= self.capacity {
                    break;
                }
                self.known.values.entry(c.clone()).or_insert_with(|| row.to_vec());
            }
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::game::FnGame;

    #[test]
    fn records_values_up_to_its_capacity() {
        let inner = FnGame::new(2, 1, |c: &Coalition| vec![c.len() as f64]);
        let mut game = RecordedGame::new(inner, 2);
        let all: Vec<Coalition> = (0..4).map(|m| Coalition::from_mask(2, m)).collect();
        assert_eq!(game.evaluate(&all).unwrap(), vec![0.0, 1.0, 1.0, 2.0]);
        assert_eq!(game.known().len(), 2);
        assert_eq!(game.known().get(&all[1]), Some(&[1.0][..]));
        assert_eq!(game.known().get(&all[3]), None);
    }
}
