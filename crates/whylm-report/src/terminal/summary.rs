//! The summary block: for each summary sentence the source sentence that supports it most, the question a reader
//! of a summary asks first ("where did this sentence come from?").

use std::fmt::Write as _;

use super::Painter;
use crate::document::ReportDoc;
use crate::escape::{quoted_label, sanitize_terminal, truncate_chars};
use crate::format::signed;

/// Writes nothing for a document without a summary matrix.
pub(super) fn write_summary(out: &mut String, doc: &ReportDoc, paint: &Painter) {
    let Some(summary) = &doc.summary else {
        return;
    };
    // Validation guarantees the level exists; a missing one would only lose the source texts.
    let features = doc
        .level(&summary.level)
        .map(|l| l.features.as_slice())
        .unwrap_or(&[]);
    let scale = summary
        .matrix
        .iter()
        .flatten()
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    out.push('\n');
    let _ = writeln!(
        out,
        "{}: each summary sentence and the source {} that supports it most:",
        paint.bold("Summary"),
        sanitize_terminal(&summary.level)
    );
    for (s, sentence) in summary.summary_sentences.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}. {}",
            s + 1,
            quoted_label(&truncate_chars(sentence.text.trim(), 60))
        );
        let line = match summary.top_source(s) {
            Some((i, value)) => {
                let text = features.get(i).map(|f| f.text.trim()).unwrap_or("");
                format!(
                    "     <- source {} {} {}",
                    i + 1,
                    quoted_label(&truncate_chars(text, 60)),
                    signed(value, scale)
                )
            }
            None => "     <- no source sentences".to_string(),
        };
        let _ = writeln!(out, "{line}");
    }
}
