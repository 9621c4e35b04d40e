//! The attention block of a level (`--attention`): how far each attention view agrees with the Shapley values and
//! how much the model loses when each view's top features are removed, beside the Shapley values' own drops.

use std::fmt::Write as _;

use crate::attention::{AttentionView, ViewRemovalDrop};
use crate::document::ReportDoc;

/// Heads listed besides rollout and the layer means: the best few by mean Spearman correlation.
const HEADS_SHOWN: usize = 3;

/// Writes nothing when the document has no attention views.
pub(super) fn write_attention(out: &mut String, doc: &ReportDoc, level_index: usize) {
    let Some(attention) = &doc.attention else {
        return;
    };
    if attention.views.is_empty() {
        return;
    }
    let level = &doc.levels[level_index].level;
    let _ = writeln!(
        out,
        "Attention vs Shapley ({level} level; rho: mean Spearman correlation with the Shapley values over the target \
         tokens; top: target tokens whose top feature is Shapley's; drop@k: target log-prob lost when the k top \
         features are removed):"
    );
    let _ = writeln!(
        out,
        "  {:<22} {:>6} {:>7}  {}",
        "view",
        "rho",
        "top",
        drop_header()
    );
    if let Some(drops) = attention.shapley_removal_drop.get(level_index) {
        let _ = writeln!(
            out,
            "  {:<22} {:>6} {:>7}  {}",
            "Shapley values",
            "",
            "",
            drop_cells(drops)
        );
    }
    let mut heads: Vec<&AttentionView> = attention.views.iter().filter(|v| v.kind == "head").collect();
    let rho = |v: &AttentionView| v.levels.get(level_index).and_then(|l| l.means().spearman);
    heads.sort_by(|a, b| {
        rho(b)
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&rho(a).unwrap_or(f64::NEG_INFINITY))
    });
    let shown = attention
        .views
        .iter()
        .filter(|v| v.kind != "head")
        .chain(heads.into_iter().take(HEADS_SHOWN));
    for view in shown {
        let Some(entry) = view.levels.get(level_index) else {
            continue;
        };
        let means = entry.means();
        let rho = means
            .spearman
            .map_or_else(|| "-".to_string(), |r| format!("{r:+.2}"));
        let matched = entry.top_match.iter().filter(|&&m| m).count();
        let top = format!("{matched}/{}", entry.top_match.len());
        let name = if view.kind == "head" {
            format!("{} (best)", view.name())
        } else {
            view.name()
        };
        let _ = writeln!(
            out,
            "  {name:<22} {rho:>6} {top:>7}  {}",
            drop_cells(&entry.removal_drop)
        );
    }
}

fn drop_header() -> String {
    crate::attention::REMOVAL_KS_SHOWN
        .iter()
        .map(|k| format!("{:>8}", format!("drop@{k}")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn drop_cells(drops: &[ViewRemovalDrop]) -> String {
    crate::attention::REMOVAL_KS_SHOWN
        .iter()
        .map(|k| {
            let cell = drops
                .iter()
                .find(|d| d.k == *k)
                .map_or_else(|| "-".to_string(), |d| format!("{:+.3}", d.drop));
            format!("{cell:>8}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}
