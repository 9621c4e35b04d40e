//! Multi-level refinement (`--refine K` with levels from coarse to fine, e.g. document,sentence,word): explain
//! the coarsest level, then split its K units of largest |value| (summed over the target tokens) into their
//! parts at the next level and explain again, every other unit a single feature; repeat down to the finest level,
//! splitting each time only units that are parts of the level before (a unit kept whole stays whole).
//!
//! The budget (`max_evals`, or [`DEFAULT_AUTO_BUDGET`]) covers every level: each level may spend the budget still
//! left divided by the number of levels still to run, so what a level leaves unused (an exact level needs only
//! 2^n evaluations) goes to the finer ones.
//!
//! The parts of a unit and the unit itself are players of two different games (in the finer one the parts can
//! be kept apart), so their values agree exactly only when the parts do not interact with one another or with the
//! other units; each split unit's discrepancy is reported with its standard error, and a warning names the units
//! outside it.

use std::collections::HashSet;

use crate::error::ExplainError;
use crate::features::Feature;
use crate::level::{explain_plan, level_features, LevelIndex, LevelPlan, LevelResult};
use crate::model::{ExplainModel, ExplainProgress};
use crate::options::Level;
use crate::prepare::Prepared;
use crate::request::{ExplainRequest, DEFAULT_AUTO_BUDGET};
use crate::warnings::Warning;
use whylm_report::{LevelRefinement, RefinedUnit, RefinementPlan};

/// A discrepancy this small counts as consistent even without a standard error: the scores are f32.
const ROUNDING: f64 = 1e-4;

/// A refined level's features: the split units' parts and every other unit whole, in text order.
#[derive(Debug, Clone, PartialEq)]
pub struct RefinedFeatures {
    pub features: Vec<Feature>,
    /// Per feature: the index of the coarser feature that holds it.
    pub parent: Vec<usize>,
    /// Per feature: whether it is a part of a split unit.
    pub split: Vec<bool>,
    /// The split units (indices of coarser features), largest |value| first.
    pub refined: Vec<usize>,
}

/// Splits the `top_k` units of `coarse` with the largest |value| among those marked `splittable` into the parts
/// that `finer` (the next level's features of the whole text) make of them; every other unit stays whole.
pub fn refine_features(
    coarse: &[Feature],
    values: &[f64],
    splittable: &[bool],
    finer: &[Feature],
    top_k: usize,
) -> RefinedFeatures {
    let mut ranked: Vec<usize> = (0..coarse.len())
        .filter(|&i| splittable.get(i).copied().unwrap_or(false))
        .collect();
    // stable: equal values keep text order
    ranked.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()));
    ranked.truncate(top_k);
    let mut out = RefinedFeatures {
        features: Vec::new(),
        parent: Vec::new(),
        split: Vec::new(),
        refined: ranked.clone(),
    };
    for (index, unit) in coarse.iter().enumerate() {
        if !ranked.contains(&index) {
            out.features.push(unit.clone());
            out.parent.push(index);
            out.split.push(false);
            continue;
        }
        let tokens: HashSet<usize> = unit.tokens.iter().copied().collect();
        for part in finer {
            let inside: Vec<usize> = part
                .tokens
                .iter()
                .copied()
                .filter(|t| tokens.contains(t))
                .collect();
            if inside.is_empty() {
                continue;
            }
            out.features.push(Feature {
                tokens: inside,
                ..part.clone()
            });
            out.parent.push(index);
            out.split.push(true);
        }
    }
    out
}

/// Each feature's value and standard error summed over the target tokens (the error an upper bound; 0 when the
/// method gives none).
fn sequence_values(result: &LevelResult) -> (Vec<f64>, Vec<f64>) {
    let e = &result.explanation;
    let values = e.phi.iter().map(|row| row.iter().sum()).collect();
    let errors = match &e.std_err {
        Some(se) => se.iter().map(|row| row.iter().sum()).collect(),
        None => vec![0.0; e.phi.len()],
    };
    (values, errors)
}

/// How each split unit's parts add up against the unit.
fn consistency(coarse: &LevelResult, fine: &LevelResult, set: &RefinedFeatures) -> Vec<RefinedUnit> {
    let (parent_values, parent_errors) = sequence_values(coarse);
    let (values, errors) = sequence_values(fine);
    let sampled = coarse.explanation.std_err.is_some() || fine.explanation.std_err.is_some();
    set.refined
        .iter()
        .map(|&unit| {
            let children: Vec<usize> = (0..set.features.len())
                .filter(|&i| set.split[i] && set.parent[i] == unit)
                .collect();
            let children_sum: f64 = children.iter().map(|&c| values[c]).sum();
            let children_error: f64 = children.iter().map(|&c| errors[c]).sum();
            let discrepancy = children_sum - parent_values[unit];
            let std_err = sampled.then(|| parent_errors[unit].hypot(children_error));
            RefinedUnit {
                parent: unit,
                children,
                parent_value: parent_values[unit],
                children_sum,
                discrepancy,
                std_err,
                consistent: discrepancy.abs() <= std_err.unwrap_or(0.0) + ROUNDING,
            }
        })
        .collect()
}

/// Explains the request's levels by refinement; with the warnings and the plan the report records.
pub fn explain_refined(
    m: &ExplainModel<'_>,
    request: &ExplainRequest,
    prepared: &Prepared,
    top_k: usize,
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<(Vec<LevelResult>, Vec<Warning>, RefinementPlan), ExplainError> {
    let total = request.max_evals.unwrap_or(DEFAULT_AUTO_BUDGET);
    let count = request.levels.len();
    let mut results: Vec<LevelResult> = Vec::with_capacity(count);
    let mut warnings = Vec::new();
    let mut remaining = total;
    let mut splittable: Vec<bool> = Vec::new();
    for (index, &level) in request.levels.iter().enumerate() {
        let budget = remaining / (count - index);
        let finer = level_features(request, prepared, level)?;
        let set = match results.last() {
            None => None,
            Some(coarse) => {
                let (values, _) = sequence_values(coarse);
                Some(refine_features(
                    &coarse.features,
                    &values,
                    &splittable,
                    &finer,
                    top_k,
                ))
            }
        };
        let features = set.as_ref().map_or(finer, |s| s.features.clone());
        let plan = LevelPlan {
            level,
            features,
            max_evals: Some(budget),
        };
        let at = LevelIndex { index, count };
        let (mut result, level_warnings) = explain_plan(m, request, prepared, plan, at, progress)?;
        warnings.extend(level_warnings);
        remaining = remaining.saturating_sub(result.explanation.evaluations);
        splittable = match &set {
            None => vec![true; result.features.len()],
            Some(set) => set.split.clone(),
        };
        if let (Some(set), Some(coarse)) = (set, results.last()) {
            let units = consistency(coarse, &result, &set);
            warnings.extend(gap_warning(level, &units));
            result.refinement = Some(LevelRefinement {
                parent_level: index - 1,
                budget,
                parent: set.parent,
                split: set.split,
                units,
            });
        }
        results.push(result);
    }
    let plan = RefinementPlan {
        top_k,
        max_evals: total,
        evaluations: total - remaining,
        split: format!(
            "each level may spend the budget still left divided by the levels still to run (the first \
             {} of {total}); what a level leaves unused goes to the finer ones",
            total / count
        ),
    };
    Ok((results, warnings, plan))
}

/// The warning for the split units whose parts miss the unit's value by more than their standard error.
fn gap_warning(level: Level, units: &[RefinedUnit]) -> Option<Warning> {
    let off: Vec<&RefinedUnit> = units.iter().filter(|u| !u.consistent).collect();
    let largest = off.iter().map(|u| u.discrepancy.abs()).fold(0.0, f64::max);
    (!off.is_empty()).then_some(Warning::RefinementGap {
        level,
        inconsistent: off.len(),
        units: units.len(),
        largest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(text: &str, start: usize, tokens: &[usize], level: Level) -> Feature {
        Feature {
            text: text.into(),
            start,
            end: start + text.len(),
            tokens: tokens.to_vec(),
            level,
        }
    }

    /// "A b. C d. E" as sentences (tokens 1-2, 3-4, 5) and words.
    fn sentences_and_words() -> (Vec<Feature>, Vec<Feature>) {
        let s = Level::Sentence;
        let w = Level::Word;
        let sentences = vec![
            feature("A b.", 0, &[1, 2], s),
            feature("C d.", 5, &[3, 4], s),
            feature("E", 10, &[5], s),
        ];
        let words = vec![
            feature("A", 0, &[1], w),
            feature("b.", 2, &[2], w),
            feature("C", 5, &[3], w),
            feature("d.", 7, &[4], w),
            feature("E", 10, &[5], w),
        ];
        (sentences, words)
    }

    #[test]
    fn the_top_units_by_magnitude_are_split_and_the_others_kept_whole_in_text_order() {
        let (sentences, words) = sentences_and_words();
        let set = refine_features(&sentences, &[0.5, -2.0, 0.1], &[true; 3], &words, 1);
        let texts: Vec<&str> = set.features.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, ["A b.", "C", "d.", "E"]);
        assert_eq!(set.parent, [0, 1, 1, 2]);
        assert_eq!(set.split, [false, true, true, false]);
        assert_eq!(set.refined, [1]);
        assert_eq!(set.features[1].level, Level::Word);
        assert_eq!(set.features[0].level, Level::Sentence);
        // every token is in exactly one feature
        let mut tokens: Vec<usize> = set.features.iter().flat_map(|f| f.tokens.clone()).collect();
        tokens.sort_unstable();
        assert_eq!(tokens, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn only_splittable_units_are_split_and_top_k_may_exceed_them() {
        let (sentences, words) = sentences_and_words();
        let set = refine_features(&sentences, &[9.0, -2.0, 0.1], &[false, true, true], &words, 5);
        assert_eq!(set.refined, [1, 2]);
        assert_eq!(set.split, [false, true, true, true]);
    }

    #[test]
    fn a_part_that_crosses_the_unit_keeps_only_the_units_tokens() {
        let (sentences, _) = sentences_and_words();
        let across = vec![feature("b. C", 2, &[2, 3], Level::Clause)];
        let set = refine_features(&sentences, &[1.0, 0.0, 0.0], &[true; 3], &across, 1);
        assert_eq!(set.features[0].tokens, [2]);
    }
}
