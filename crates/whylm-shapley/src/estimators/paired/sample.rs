//! The sampled complementary pairs of one run and their regression weights.

use rand_chacha::ChaCha8Rng;

use super::allocation::{allocate, SizeClass};
use super::balanced_design::balanced_sample;
use super::subsets::all_subsets;
use crate::coalition::Coalition;

/// `taken` distinct pairs of a class, as their canonical side: the whole class when it is
/// saturated, a balanced sample (see `balanced_design`) otherwise.
fn sample_class(n: usize, class: &SizeClass, rng: &mut ChaCha8Rng) -> Vec<Coalition> {
    if class.saturated() {
        return all_subsets(n, class.size, 2 * class.size == n);
    }
    balanced_sample(n, class.size, class.taken, class.pairs, rng)
}

/// The sampled complementary pairs of one run: the size classes with their counts, each pair's
/// class and canonical side, and the coalitions to evaluate (side, complement, side, ...).
pub(crate) struct PairSample {
    classes: Vec<SizeClass>,
    sampled: Vec<(usize, Coalition)>,
    pub(crate) coalitions: Vec<Coalition>,
}

impl PairSample {
    /// Draws the pairs that `interior` evaluations afford (all randomness before any evaluation).
    pub(crate) fn draw(n: usize, interior: usize, rng: &mut ChaCha8Rng) -> Self {
        let classes = allocate(n, interior / 2, rng);
        let mut sampled: Vec<(usize, Coalition)> = Vec::new();
        for (k, class) in classes.iter().enumerate() {
            sampled.extend(sample_class(n, class, rng).into_iter().map(|c| (k, c)));
        }
        let coalitions: Vec<Coalition> = sampled
            .iter()
            .flat_map(|(_, c)| [c.clone(), c.complement()])
            .collect();
        PairSample {
            classes,
            sampled,
            coalitions,
        }
    }

    pub(crate) fn num_pairs(&self) -> usize {
        self.sampled.len()
    }

    /// Regression weight of pair `p` (of each of its two sides): mu(size) * pairs / taken, with
    /// C(n, size) cancelled against the class size (1 or 1/2 of it).
    pub(crate) fn weight(&self, n: usize, p: usize) -> f64 {
        let class = &self.classes[self.sampled[p].0];
        (n - 1) as f64 / (class.size * (n - class.size)) as f64 * (class.pairs / class.coalitions)
            / class.taken as f64
    }

    /// Whether pair `p`'s size class is taken whole (its pairs carry no sampling error).
    pub(crate) fn saturated(&self, p: usize) -> bool {
        self.classes[self.sampled[p].0].saturated()
    }
}
