//! The attention part of a document (`--attention`): attention views aggregated to each level's features, and how
//! far each view agrees with the Shapley values and with the model itself. Attention is shown for comparison; it
//! is not an attribution, and the agreement numbers say how far it can stand in for one.

use serde::{Deserialize, Serialize};

/// The k of the removal drops the terminal shows (whylm-explain computes these).
pub const REMOVAL_KS_SHOWN: [usize; 3] = [1, 3, 5];

/// One way of reading attention: one head of one layer, the mean over a layer's heads, or attention rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttentionView {
    /// "head", "mean" (over the heads of `layer`) or "rollout" (Abnar and Zuidema 2020, over every layer).
    pub kind: String,
    /// 0-based layer; absent for rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// 0-based head; present only for kind "head".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<usize>,
    /// One entry per level of the document, in its order.
    pub levels: Vec<ViewLevel>,
}

impl AttentionView {
    /// A short name: "rollout", "layer 3 mean", "layer 3 head 5".
    pub fn name(&self) -> String {
        match (self.kind.as_str(), self.layer, self.head) {
            ("rollout", _, _) => "rollout".to_string(),
            (_, Some(l), Some(h)) => format!("layer {l} head {h}"),
            (_, Some(l), None) => format!("layer {l} mean"),
            (kind, None, _) => kind.to_string(),
        }
    }
}

/// A view at one level: its weights per feature and its agreement with the level's Shapley values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewLevel {
    /// `weights[target][feature]`: the attention from the position predicting the target token to the feature's
    /// tokens (summed over them).
    pub weights: Vec<Vec<f64>>,
    /// Per target token: Spearman's rank correlation between the weights and the Shapley values; null when either
    /// is constant (a rank correlation is undefined) or there is one feature.
    pub spearman: Vec<Option<f64>>,
    /// Per target token: whether the view's top feature is the one with the largest Shapley value.
    pub top_match: Vec<bool>,
    /// The model's log-probability of the whole target with every feature kept minus with the view's top k
    /// features (by weight summed over the target tokens) removed with the document's masker.
    pub removal_drop: Vec<ViewRemovalDrop>,
}

/// One top-k removal drop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ViewRemovalDrop {
    pub k: usize,
    /// log p(target | every feature) − log p(target | top k features removed), summed over the target tokens.
    pub drop: f64,
}

/// Every layer's and head's probabilities over the whole sequence (`--attention-full`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FullAttention {
    /// Token ids of the sequence: the input tokens, then the target tokens.
    pub ids: Vec<u32>,
    /// `probs[layer][head][query][key]`.
    pub probs: Vec<Vec<Vec<Vec<f32>>>>,
}

/// Means of a view's agreement numbers at one level, for the terminal and for comparing views.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgreementMeans {
    /// Mean of the defined per-target Spearman correlations; None when none is defined.
    pub spearman: Option<f64>,
    /// Share of target tokens whose top feature matches Shapley's.
    pub top_match: f64,
}

impl ViewLevel {
    pub fn means(&self) -> AgreementMeans {
        let defined: Vec<f64> = self.spearman.iter().flatten().copied().collect();
        let spearman = (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64);
        let matches = self.top_match.iter().filter(|&&m| m).count();
        let top_match = if self.top_match.is_empty() {
            0.0
        } else {
            matches as f64 / self.top_match.len() as f64
        };
        AgreementMeans { spearman, top_match }
    }

    /// Why this entry does not fit a level of `features` features and `targets` target tokens, if it does not.
    pub(crate) fn check(&self, features: usize, targets: usize) -> Result<(), String> {
        if self.weights.len() != targets || self.weights.iter().any(|w| w.len() != features) {
            return Err(format!("weights are not {targets} x {features}"));
        }
        if self.spearman.len() != targets || self.top_match.len() != targets {
            return Err(format!("spearman or top_match does not have {targets} entries"));
        }
        let finite = self.weights.iter().flatten().all(|v| v.is_finite())
            && self.spearman.iter().flatten().all(|v| v.is_finite())
            && self.removal_drop.iter().all(|d| d.drop.is_finite());
        if !finite {
            return Err("a weight, correlation or drop is not finite".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> ViewLevel {
        ViewLevel {
            weights: vec![vec![0.5, 0.25], vec![0.0, 1.0]],
            spearman: vec![Some(1.0), None],
            top_match: vec![true, false],
            removal_drop: vec![ViewRemovalDrop { k: 1, drop: 0.5 }],
        }
    }

    #[test]
    fn means_skip_undefined_correlations() {
        let means = entry().means();
        assert_eq!(means.spearman, Some(1.0));
        assert_eq!(means.top_match, 0.5);
    }

    #[test]
    fn an_entry_of_the_wrong_shape_is_rejected() {
        assert!(entry().check(2, 2).is_ok());
        assert!(entry().check(3, 2).unwrap_err().contains("2 x 3"));
        let mut bad = entry();
        bad.removal_drop[0].drop = f64::NAN;
        assert!(bad.check(2, 2).unwrap_err().contains("finite"));
    }

    #[test]
    fn views_are_named_by_kind_layer_and_head() {
        let view = |kind: &str, layer, head| AttentionView {
            kind: kind.into(),
            layer,
            head,
            levels: Vec::new(),
        };
        assert_eq!(view("rollout", None, None).name(), "rollout");
        assert_eq!(view("mean", Some(2), None).name(), "layer 2 mean");
        assert_eq!(view("head", Some(2), Some(7)).name(), "layer 2 head 7");
    }
}
