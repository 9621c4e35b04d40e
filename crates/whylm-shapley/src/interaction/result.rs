//! What the interaction estimators return: one entry per pair of the chosen players.

use serde::{Deserialize, Serialize};

/// The Shapley interaction index of one pair of players.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairInteraction {
    /// The two players (indices into the game's players), `a < b` in the order they were asked for.
    pub a: usize,
    pub b: usize,
    /// I_ab for each output (T numbers). Positive: synergy (the pair adds more together than apart);
    /// negative: redundancy (either one does much of what the other does).
    pub per_output: Vec<f64>,
    /// Standard error of each output's estimate; `None` when exact.
    pub std_err: Option<Vec<f64>>,
    /// Sum of `per_output` over the outputs (the sequence-level index).
    pub total: f64,
    /// Standard error of `total` (from the spread of the summed samples, so correlation between
    /// outputs is counted); `None` when exact.
    pub total_std_err: Option<f64>,
}

/// Pairwise Shapley interaction indices (Grabisch and Roubens) among chosen players.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interactions {
    /// The players asked for, in the order given.
    pub players: Vec<usize>,
    /// Every pair of `players`: (0,1), (0,2), ..., (1,2), ... by position in `players`.
    pub pairs: Vec<PairInteraction>,
    /// Distinct game evaluations spent (new ones: known values reused are not counted).
    pub evaluations: usize,
    /// Known coalition values (from the Shapley values' run) the estimate used instead of evaluating them.
    #[serde(default)]
    pub reused: usize,
    /// True when computed from all 2^n coalitions, false when sampled.
    pub exact: bool,
    /// Seed of the sampling stream (unused when exact).
    pub seed: u64,
}

impl Interactions {
    /// The entry of players `a` and `b` (either order); `None` if either was not asked for.
    pub fn pair(&self, a: usize, b: usize) -> Option<&PairInteraction> {
        self.pairs
            .iter()
            .find(|p| (p.a == a && p.b == b) || (p.a == b && p.b == a))
    }

    /// K x K matrix of the summed index, by position in `players`; the diagonal is 0 (a player
    /// does not interact with itself in this index).
    pub fn total_matrix(&self) -> Vec<Vec<f64>> {
        let k = self.players.len();
        let mut m = vec![vec![0.0; k]; k];
        for (x, y, pair) in self.positions() {
            m[x][y] = pair.total;
            m[y][x] = pair.total;
        }
        m
    }

    /// The pairs sorted by |total|, strongest first (ties keep the pair order).
    pub fn strongest(&self) -> Vec<&PairInteraction> {
        let mut out: Vec<&PairInteraction> = self.pairs.iter().collect();
        out.sort_by(|p, q| q.total.abs().total_cmp(&p.total.abs()));
        out
    }

    fn positions(&self) -> impl Iterator<Item = (usize, usize, &PairInteraction)> {
        pair_positions(self.players.len())
            .into_iter()
            .zip(&self.pairs)
            .map(|((x, y), p)| (x, y, p))
    }
}

/// The pairs of positions 0..k in the order `Interactions::pairs` uses.
pub(crate) fn pair_positions(k: usize) -> Vec<(usize, usize)> {
    (0..k).flat_map(|x| (x + 1..k).map(move |y| (x, y))).collect()
}
