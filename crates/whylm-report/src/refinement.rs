//! Multi-level refinement (`explain --refine K --level document,sentence,word`): each level after the first
//! splits the previous level's top K units into their parts and explains again with every other unit whole.
//! These types link a refined level's features to the coarser level's units they came from, and say how far
//! the parts' values agree with the whole's.

use serde::{Deserialize, Serialize};

/// How the whole refinement ran: written once per document, absent when levels were explained independently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefinementPlan {
    /// How many units of each level were split into their parts at the next level.
    pub top_k: usize,
    /// The budget (most model evaluations) for all levels together.
    pub max_evals: usize,
    /// The evaluations all levels used together (at most `max_evals`).
    pub evaluations: usize,
    /// How the budget was split between the levels, in words.
    pub split: String,
}

/// How one refined level came from the level before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelRefinement {
    /// Index (in the document's `levels`) of the coarser level this one refines.
    pub parent_level: usize,
    /// The most evaluations this level could use (its share of the whole budget).
    pub budget: usize,
    /// Per feature of this level: the index of the parent level's feature that holds it.
    pub parent: Vec<usize>,
    /// Per feature: true when it is a part of a split unit, false when its parent unit was kept whole.
    pub split: Vec<bool>,
    /// The split units, highest |value| first.
    pub units: Vec<RefinedUnit>,
}

/// One split unit: its value at the parent level against the sum of its parts' values at this level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefinedUnit {
    /// Index of the unit among the parent level's features.
    pub parent: usize,
    /// Indices of its parts among this level's features.
    pub children: Vec<usize>,
    /// The unit's value at the parent level, summed over the target tokens.
    pub parent_value: f64,
    /// The sum of its parts' values at this level, summed over the target tokens.
    pub children_sum: f64,
    /// `children_sum - parent_value`.
    pub discrepancy: f64,
    /// Standard error of the discrepancy, `sqrt(se_parent² + se_parts²)` with each side's error summed over its
    /// features and target tokens (an upper bound); absent when both levels were computed exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std_err: Option<f64>,
    /// Whether `|discrepancy|` is within `std_err` (within float rounding when exact).
    pub consistent: bool,
}

impl LevelRefinement {
    /// Checks the indices against the parent level's and this level's feature counts.
    pub(crate) fn check(&self, level: usize, parent_features: usize, features: usize) -> Result<(), String> {
        if self.parent_level >= level {
            return Err(format!(
                "refinement.parent_level {} is not an earlier level",
                self.parent_level
            ));
        }
        if self.parent.len() != features || self.split.len() != features {
            return Err(format!(
                "refinement has {} parents and {} split flags for {features} features",
                self.parent.len(),
                self.split.len()
            ));
        }
        if let Some(p) = self.parent.iter().find(|&&p| p >= parent_features) {
            return Err(format!(
                "refinement names parent feature {p} but the parent level has {parent_features}"
            ));
        }
        for unit in &self.units {
            if unit.parent >= parent_features || unit.children.iter().any(|&c| c >= features) {
                return Err(format!(
                    "refined unit {} names a feature that does not exist",
                    unit.parent
                ));
            }
            let numbers = [unit.parent_value, unit.children_sum, unit.discrepancy];
            if numbers.iter().chain(&unit.std_err).any(|v| !v.is_finite()) {
                return Err(format!("refined unit {} has a non-finite number", unit.parent));
            }
        }
        Ok(())
    }
}
