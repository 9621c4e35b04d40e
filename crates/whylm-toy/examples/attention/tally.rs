//! Per-view tallies of attention agreement over many explanations: how often a view's top feature is a planted
//! source, how often it is the Shapley values' top feature, and its mean Spearman correlation.

use std::collections::BTreeMap;

use whylm_report::{AttentionSummary, LevelExplanation};

/// One view's counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct ViewTally {
    pub prompts: usize,
    pub top_is_source: usize,
    pub top_is_shapley: usize,
    pub spearman_sum: f64,
    pub spearman_count: usize,
}

impl ViewTally {
    pub fn mean_spearman(&self) -> f64 {
        self.spearman_sum / self.spearman_count.max(1) as f64
    }
}

/// Tallies by view name ("rollout", "layer 3 mean", "layer 3 head 1"), plus the Shapley values' own.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    pub views: BTreeMap<String, ViewTally>,
    pub shapley_top_is_source: usize,
    pub prompts: usize,
}

/// Index of the largest value (first on ties).
pub fn argmax(values: &[f64]) -> Option<usize> {
    (0..values.len()).reduce(|best, i| if values[i] > values[best] { i } else { best })
}

impl Tallies {
    /// Adds one explanation's level 0; `is_source(feature)` says whether a feature is a planted source (always
    /// false where there is none).
    pub fn add(
        &mut self,
        level: &LevelExplanation,
        attention: &AttentionSummary,
        is_source: &dyn Fn(usize) -> bool,
    ) {
        self.prompts += 1;
        let totals: Vec<f64> = level.phi.iter().map(|r| r.iter().sum()).collect();
        let shapley_top = argmax(&totals);
        if shapley_top.is_some_and(is_source) {
            self.shapley_top_is_source += 1;
        }
        for view in &attention.views {
            let Some(entry) = view.levels.first() else {
                continue;
            };
            let weights: Vec<f64> = (0..level.features.len())
                .map(|i| entry.weights.iter().map(|row| row[i]).sum())
                .collect();
            let top = argmax(&weights);
            let tally = self.views.entry(view.name()).or_default();
            tally.prompts += 1;
            tally.top_is_source += usize::from(top.is_some_and(is_source));
            tally.top_is_shapley += usize::from(top.is_some() && top == shapley_top);
            for r in entry.spearman.iter().flatten() {
                tally.spearman_sum += r;
                tally.spearman_count += 1;
            }
        }
    }

    /// Rollout, each layer's mean, the mean over all heads, and the best head by each measure.
    pub fn print(&self, with_sources: bool) {
        let n = self.prompts.max(1) as f64;
        println!(
            "  {:<24} {:>13} {:>14} {:>14}",
            "view", "top = source", "top = Shapley", "mean Spearman"
        );
        if with_sources {
            let rate = self.shapley_top_is_source as f64 / n;
            println!("  {:<24} {:>13.3} {:>14} {:>14}", "Shapley values", rate, "", "");
        }
        let line = |name: &str, t: &ViewTally| {
            let src = if with_sources {
                format!("{:.3}", t.top_is_source as f64 / n)
            } else {
                "-".to_string()
            };
            println!(
                "  {name:<24} {src:>13} {:>14.3} {:>14.3}",
                t.top_is_shapley as f64 / n,
                t.mean_spearman()
            );
        };
        let mut heads = ViewTally::default();
        let mut head_count = 0usize;
        for (name, t) in &self.views {
            if name.contains("head") {
                heads.top_is_source += t.top_is_source;
                heads.top_is_shapley += t.top_is_shapley;
                heads.spearman_sum += t.spearman_sum;
                heads.spearman_count += t.spearman_count;
                head_count += 1;
            } else {
                line(name, t);
            }
        }
        if head_count > 0 {
            let per_head = (head_count as f64) * n;
            let src = if with_sources {
                format!("{:.3}", heads.top_is_source as f64 / per_head)
            } else {
                "-".to_string()
            };
            println!(
                "  {:<24} {src:>13} {:>14.3} {:>14.3}",
                format!("heads (mean of {head_count})"),
                heads.top_is_shapley as f64 / per_head,
                heads.mean_spearman()
            );
            let best = |key: &dyn Fn(&ViewTally) -> f64| {
                self.views
                    .iter()
                    .filter(|(name, _)| name.contains("head"))
                    .max_by(|a, b| key(a.1).total_cmp(&key(b.1)))
            };
            if let Some((name, t)) = best(&|t| t.top_is_shapley as f64) {
                line(&format!("best: {name}"), t);
            }
            if let Some((name, t)) = best(&ViewTally::mean_spearman) {
                line(&format!("best rho: {name}"), t);
            }
        }
    }
}
