//! The drill-down block of a refined explanation (`--refine K`): the coarsest level's units, each split unit
//! followed by its parts at the next level (indented), and so on down to the finest level, every value summed
//! over the target tokens, with how far each split unit's parts add up to it.

use std::fmt::Write as _;

use super::Painter;
use crate::document::ReportDoc;
use crate::escape::{quoted_label, sanitize_terminal, truncate_chars};
use crate::format::{max_abs, plain, signed};

/// Writes nothing for a document whose levels were explained independently.
pub(super) fn write_refinement(out: &mut String, doc: &ReportDoc, paint: &Painter) {
    let Some(plan) = &doc.refinement else {
        return;
    };
    let Some(first) = doc.levels.first() else {
        return;
    };
    out.push('\n');
    let _ = writeln!(
        out,
        "{} (top {} units of each level split into their parts; {} of {} evaluations; {}):",
        paint.bold("Drill-down"),
        plan.top_k,
        plan.evaluations,
        plan.max_evals,
        sanitize_terminal(&plan.split)
    );
    let scale = max_abs(&first.sequence_phi());
    for unit in 0..first.features.len() {
        write_unit(out, doc, 0, unit, scale, 1);
    }
}

/// One unit of level `level`, then (when the next level split it) its parts, one indent deeper.
fn write_unit(out: &mut String, doc: &ReportDoc, level: usize, unit: usize, scale: f64, depth: usize) {
    let Some(explanation) = doc.levels.get(level) else {
        return;
    };
    let value: f64 = explanation.phi.get(unit).map_or(0.0, |row| row.iter().sum());
    let error = explanation
        .std_err
        .as_ref()
        .and_then(|se| se.get(unit))
        .map(|row| format!(" ±≤{}", plain(row.iter().sum())))
        .unwrap_or_default();
    let text = explanation.features.get(unit).map_or("", |f| f.text.trim());
    let _ = write!(
        out,
        "{}{} {} {}{error}",
        "  ".repeat(depth),
        sanitize_terminal(&explanation.level),
        quoted_label(&truncate_chars(text, 50)),
        signed(value, scale)
    );
    let next = doc.levels.get(level + 1);
    let refined = next
        .and_then(|l| l.refinement.as_ref())
        .and_then(|r| r.units.iter().find(|u| u.parent == unit).map(|u| (r, u)));
    let Some((_, split)) = refined else {
        out.push('\n');
        return;
    };
    let gap = match split.std_err {
        Some(se) => format!("{} ± {}", signed(split.discrepancy, scale), plain(se)),
        None => signed(split.discrepancy, scale),
    };
    let verdict = if split.consistent {
        "consistent"
    } else {
        "outside the error"
    };
    let _ = writeln!(
        out,
        "  [parts sum {}, gap {gap}, {verdict}]",
        signed(split.children_sum, scale)
    );
    for &child in &split.children {
        write_unit(out, doc, level + 1, child, scale, depth + 1);
    }
}
