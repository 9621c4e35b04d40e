//! The interaction part of a level: the pairwise Shapley interaction index of its top features,
//! summed over the target tokens, and the checks a loaded document gets.

use serde::{Deserialize, Serialize};

/// The pairwise Shapley interaction index among a level's top features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteractionMatrix {
    /// Indices into the level's `features`: its top K by |sum over targets of phi|, strongest first.
    pub features: Vec<usize>,
    /// K x K, by position in `features`: the index summed over the target tokens (diagonal 0).
    /// Positive: synergy (the pair adds more together than apart); negative: redundancy.
    pub matrix: Vec<Vec<f64>>,
    /// Standard error of each entry when sampled (same shape); absent when exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std_err: Option<Vec<Vec<f64>>>,
    /// True when computed from all 2^n coalitions.
    pub exact: bool,
    /// Model evaluations spent on the interactions (beyond the level's own).
    pub evaluations: usize,
    #[serde(default)]
    pub seed: u64,
    /// Known coalition values (from the level's Shapley run) reused instead of evaluated again.
    #[serde(default)]
    pub reused: usize,
    /// Per pair of `features` (in the order of `strongest_pairs`' input: (0,1), (0,2), ..., by position), the
    /// values behind the index at its two extreme contexts; empty in older documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pair_values: Vec<PairValues>,
}

/// The coalition values of one pair, summed over the target tokens: `[neither, only a, only b, both]`, with every
/// other feature masked (`alone`) and with every other feature kept (`in_context`). Their second difference
/// (both − only a − only b + neither) is the pair's interaction in that context; the index is a weighted mean of
/// it over all contexts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairValues {
    /// Indices into the level's `features`.
    pub a: usize,
    pub b: usize,
    pub alone: [f64; 4],
    pub in_context: [f64; 4],
}

/// One pair of features with its summed index, for listing the strongest.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedPair {
    /// Indices into the level's `features`.
    pub a: usize,
    pub b: usize,
    pub value: f64,
    pub std_err: Option<f64>,
}

impl InteractionMatrix {
    /// Every pair, strongest |index| first.
    pub fn strongest_pairs(&self) -> Vec<RankedPair> {
        let k = self.features.len();
        let mut out: Vec<RankedPair> = (0..k)
            .flat_map(|x| (x + 1..k).map(move |y| (x, y)))
            .map(|(x, y)| RankedPair {
                a: self.features[x],
                b: self.features[y],
                value: self.matrix[x][y],
                std_err: self.std_err.as_ref().map(|s| s[x][y]),
            })
            .collect();
        out.sort_by(|p, q| q.value.abs().total_cmp(&p.value.abs()));
        out
    }

    /// Why the matrix does not fit a level of `features` features, if it does not.
    pub(crate) fn check(&self, features: usize) -> Result<(), String> {
        let k = self.features.len();
        if let Some(f) = self.features.iter().find(|&&f| f >= features) {
            return Err(format!(
                "interactions name feature {f} but the level has {features}"
            ));
        }
        let square = |m: &Vec<Vec<f64>>| m.len() == k && m.iter().all(|r| r.len() == k);
        if !square(&self.matrix) || self.std_err.as_ref().is_some_and(|s| !square(s)) {
            return Err(format!("the interaction matrix is not {k} x {k}"));
        }
        if self.matrix.iter().flatten().any(|v| !v.is_finite()) {
            return Err("the interaction matrix has a non-finite entry".into());
        }
        for p in &self.pair_values {
            if p.a >= features || p.b >= features {
                return Err(format!(
                    "pair values name features {} and {} but the level has {features}",
                    p.a, p.b
                ));
            }
            if p.alone.iter().chain(&p.in_context).any(|v| !v.is_finite()) {
                return Err("a pair's coalition value is not finite".into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix() -> InteractionMatrix {
        InteractionMatrix {
            features: vec![4, 0, 2],
            matrix: vec![vec![0.0, 0.5, -2.0], vec![0.5, 0.0, 1.0], vec![-2.0, 1.0, 0.0]],
            std_err: None,
            exact: true,
            evaluations: 32,
            seed: 0,
            reused: 0,
            pair_values: Vec::new(),
        }
    }

    #[test]
    fn strongest_pairs_are_ranked_by_magnitude_with_their_sign() {
        let pairs = matrix().strongest_pairs();
        let got: Vec<(usize, usize, f64)> = pairs.iter().map(|p| (p.a, p.b, p.value)).collect();
        assert_eq!(got, vec![(4, 2, -2.0), (0, 2, 1.0), (4, 0, 0.5)]);
    }

    #[test]
    fn a_matrix_that_does_not_fit_the_level_is_rejected() {
        assert!(matrix().check(5).is_ok());
        assert!(matrix().check(4).unwrap_err().contains("feature 4"));
        let mut ragged = matrix();
        ragged.matrix[1].pop();
        assert!(ragged.check(5).unwrap_err().contains("3 x 3"));
    }
}
