//! A static SVG bar chart of the sequence-level attribution of each feature of one level: one row per feature in
//! prompt order, red bars raise the whole target's score, blue bars lower it. Text is escaped; fonts are generic
//! families, so the file needs nothing else.

use std::fmt::Write as _;

use crate::color::{NEGATIVE, POSITIVE};
use crate::document::{LevelExplanation, ReportDoc};
use crate::error::ReportError;
use crate::escape::{escape_xml, quoted_label, truncate_chars};
use crate::format::{max_abs, signed};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvgOptions {
    /// Which level to draw ("token", "word", ...); `None` draws the first level of the document.
    pub level: Option<String>,
    /// At most this many rows: beyond it, the features with the largest |value| are kept (still in prompt order).
    pub max_features: usize,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            level: None,
            max_features: 40,
        }
    }
}

const WIDTH: f64 = 860.0;
const LABEL_WIDTH: f64 = 230.0;
const VALUE_WIDTH: f64 = 80.0;
const ROW: f64 = 22.0;
const TOP: f64 = 58.0;
const LABEL_CHARS: usize = 30;

/// Renders the bar chart; errors when the document is inconsistent or has no level of that name.
pub fn render_svg(doc: &ReportDoc, options: &SvgOptions) -> Result<String, ReportError> {
    doc.validate()?;
    let level = match &options.level {
        Some(name) => doc.level(name).ok_or_else(|| {
            let known: Vec<&str> = doc.levels.iter().map(|l| l.level.as_str()).collect();
            ReportError::Inconsistent(format!(
                "the report has no level {name:?} (it has {}); pick one of those",
                known.join(", ")
            ))
        })?,
        None => &doc.levels[0],
    };
    Ok(chart(doc, level, options.max_features.max(1)))
}

/// Where the bars go: the zero line and the length of a bar of the largest |value|.
struct Axis {
    zero: f64,
    half: f64,
    scale: f64,
}

fn chart(doc: &ReportDoc, level: &LevelExplanation, max_features: usize) -> String {
    let values = level.sequence_phi();
    let shown = shown_features(&values, max_features);
    let plot_left = LABEL_WIDTH + 10.0;
    let plot_width = WIDTH - plot_left - VALUE_WIDTH;
    let axis = Axis {
        zero: plot_left + plot_width / 2.0,
        half: plot_width / 2.0 - 4.0,
        scale: max_abs(&values),
    };
    let mut svg = String::new();
    write_heading(&mut svg, doc, level, shown.len(), values.len());
    let bottom = TOP + ROW * shown.len() as f64;
    let zero = axis.zero;
    let _ = writeln!(
        svg,
        r##"<line x1="{zero}" y1="{}" x2="{zero}" y2="{}" stroke="#b8bec9"/>"##,
        TOP - 4.0,
        bottom + 4.0
    );
    for (row, &i) in shown.iter().enumerate() {
        let text = level.features.get(i).map(|f| f.text.as_str()).unwrap_or("");
        write_bar(&mut svg, &axis, TOP + ROW * row as f64, text, values[i]);
    }
    let _ = writeln!(
        svg,
        r##"<text x="{zero}" y="{}" text-anchor="middle" fill="#6b7385">0</text>"##,
        bottom + 20.0
    );
    svg.push_str("</svg>\n");
    svg
}

/// The opening tag sized for `shown` rows, the background, the title and the subtitle.
fn write_heading(svg: &mut String, doc: &ReportDoc, level: &LevelExplanation, shown: usize, features: usize) {
    let height = TOP + ROW * shown as f64 + 40.0;
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let target: String = doc.target_tokens.iter().map(|t| t.text.as_str()).collect();
    let title = format!(
        "Attribution of each {} to the {} of {}",
        level.level,
        doc.score,
        quoted_label(&truncate_chars(&target, 60))
    );
    let _ = writeln!(
        svg,
        r##"<text x="12" y="22" font-size="15" font-weight="600" fill="#1d2330">{}</text>"##,
        escape_xml(&title)
    );
    let mut subtitle = format!(
        "{} · {} evaluations · base {:.3} · full {:.3} · red raises, blue lowers",
        level.method,
        level.evaluations,
        level.base(crate::Selection::Sequence),
        level.full(crate::Selection::Sequence)
    );
    if shown < features {
        let _ = write!(subtitle, " · {shown} of {features} features (largest |value|)");
    }
    let _ = writeln!(
        svg,
        r##"<text x="12" y="40" fill="#6b7385">{}</text>"##,
        escape_xml(&subtitle)
    );
}

/// One feature's row at height `y`: its label, its bar (red right of zero, blue left) and its value.
fn write_bar(svg: &mut String, axis: &Axis, y: f64, text: &str, value: f64) {
    let label = escape_xml(&truncate_chars(&quoted_label(text), LABEL_CHARS));
    let length = if axis.scale > 0.0 {
        axis.half * value.abs() / axis.scale
    } else {
        0.0
    };
    let (x, color) = if value >= 0.0 {
        (axis.zero, POSITIVE)
    } else {
        (axis.zero - length, NEGATIVE)
    };
    let _ = writeln!(
        svg,
        r##"<text x="{LABEL_WIDTH}" y="{}" text-anchor="end" fill="#1d2330" font-family="ui-monospace, Menlo, Consolas, monospace">{label}</text>"##,
        y + 14.0
    );
    let _ = writeln!(
        svg,
        r#"<rect x="{x:.1}" y="{}" width="{length:.1}" height="{}" rx="2" fill="{}"><title>{} {}</title></rect>"#,
        y + 3.0,
        ROW - 6.0,
        color.hex(),
        label,
        signed(value, axis.scale)
    );
    let _ = writeln!(
        svg,
        r##"<text x="{}" y="{}" fill="#1d2330" font-variant-numeric="tabular-nums">{}</text>"##,
        WIDTH - VALUE_WIDTH + 8.0,
        y + 14.0,
        signed(value, axis.scale)
    );
}

/// Indices of the features to draw, in prompt order.
fn shown_features(values: &[f64], max_features: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    if values.len() > max_features {
        order.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()).then(a.cmp(&b)));
        order.truncate(max_features);
        order.sort_unstable();
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_largest_features_in_prompt_order() {
        assert_eq!(shown_features(&[0.1, -0.9, 0.05, 0.5], 2), vec![1, 3]);
        assert_eq!(shown_features(&[0.1, -0.9], 5), vec![0, 1]);
    }
}
