//! The faithfulness part of a level (`whylm faithfulness`, `explain --faithfulness N`): how much the target's
//! score drops when the top features are removed, and how well the values rank random ablations (LDS).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::format::plain;

/// Faithfulness of one level's values, measured on the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaithfulnessReport {
    /// Score of each target token with the full prompt.
    pub full_score: Vec<f64>,
    /// The top-k removal drops, k ascending.
    pub top_k: Vec<RemovalDrop>,
    /// Random keep-1/2 ablations behind the LDS (0: no LDS measured).
    pub lds_samples: usize,
    /// Spearman correlation over the ablations between the summed values of the kept features and the model's
    /// score summed over the target tokens; absent when it is undefined (constant values or scores) or not
    /// measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lds: Option<f64>,
    /// The same per target token (null where undefined).
    #[serde(default)]
    pub lds_per_token: Vec<Option<f64>>,
    /// Seed of the ablations.
    #[serde(default)]
    pub seed: u64,
}

/// The score lost when the k highest-valued features (by value summed over the target tokens) are removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovalDrop {
    pub k: usize,
    /// Indices into the level's `features`, highest value first.
    pub removed: Vec<usize>,
    /// Full score minus ablated score, per target token.
    pub per_token: Vec<f64>,
    /// The sum over the target tokens.
    pub total: f64,
}

/// One terminal line: the drops and the LDS.
pub(crate) fn write_faithfulness(out: &mut String, report: Option<&FaithfulnessReport>) {
    let Some(f) = report else {
        return;
    };
    let drops: Vec<String> = f
        .top_k
        .iter()
        .map(|d| format!("top-{} {}", d.k, plain(d.total)))
        .collect();
    let lds = match (f.lds_samples, f.lds) {
        (0, _) => String::new(),
        (n, Some(r)) => format!("; LDS {} over {n} random keep-1/2 ablations", plain(r)),
        (n, None) => format!("; LDS undefined over {n} ablations (constant values or scores)"),
    };
    let _ = writeln!(
        out,
        "Faithfulness: score drop when the top features are removed: {}{lds}",
        drops.join(", ")
    );
}
