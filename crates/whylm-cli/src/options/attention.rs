//! `--attention` and `--attention-full` of `whylm explain`: attention views beside the Shapley values.

use clap::Args;

#[derive(Args, Debug, Clone, Default)]
pub struct AttentionOptions {
    /// Show attention beside the Shapley values: every head, each layer's mean over heads and attention rollout,
    /// summed over each feature's tokens, with how far each view agrees (Spearman correlation with the Shapley
    /// values, same top feature, log-prob drop when its top 1/3/5 features are removed). Costs one forward pass
    /// plus the removal drops. A backend that cannot return attention says so and the explanation goes on.
    #[arg(long)]
    pub attention: bool,
    /// With --attention, also write the whole layer x head x query x key tensor into the JSON.
    #[arg(long, requires = "attention")]
    pub attention_full: bool,
}

impl AttentionOptions {
    /// The line to print when attention was asked for but the report has none (the backend cannot return it).
    pub fn missing_note(&self, doc: &whylm_report::ReportDoc) -> Option<String> {
        if !self.attention || doc.attention.is_some() {
            return None;
        }
        doc.warnings
            .iter()
            .find(|w| w.starts_with("no attention"))
            .cloned()
            .or_else(|| Some("no attention in this report: the backend returned none".to_string()))
    }
}
