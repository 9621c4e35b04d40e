//! The terminal report: the prompt coloured by each feature's attribution to the whole target, the target tokens
//! with their scores, the top features per target token, and the numbers that say how far to trust them.
//! With `color: false` (stdout is not a terminal) it writes plain text with the value in brackets after each
//! feature and no escape codes at all. A conversation gets a block with each message's attribution (chat.rs) and
//! a summary one with each summary sentence's main source (summary.rs), before the levels; a refined explanation
//! a drill-down tree after them (refinement.rs).

mod attention;
mod chat;
mod interactions;
mod refinement;
mod summary;

use std::fmt::Write as _;

use crate::attribution::{RankedFeature, Selection};
use crate::color::{attribution_color, intensity, Rgb, NEGATIVE, POSITIVE};
use crate::document::{LevelExplanation, ReportDoc};
use crate::error::ReportError;
use crate::escape::{quoted_label, sanitize_terminal, truncate_chars};
use crate::format::{max_abs, plain, signed};

/// Below this share of the largest |attribution| a feature is left uncoloured, so that near-zero features do not
/// show as white blocks on a dark terminal.
const UNCOLORED_BELOW: f64 = 0.04;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalOptions {
    /// ANSI colours; the caller turns this off when stdout is not a terminal (or NO_COLOR is set).
    pub color: bool,
    /// 24-bit colour (COLORTERM=truecolor|24bit); otherwise the 256-colour palette.
    pub true_color: bool,
    /// How many features to list per target token.
    pub top_k: usize,
}

impl Default for TerminalOptions {
    fn default() -> Self {
        TerminalOptions {
            color: true,
            true_color: true,
            top_k: 3,
        }
    }
}

/// Renders the whole document (every level) for a terminal.
pub fn render_terminal(doc: &ReportDoc, options: &TerminalOptions) -> Result<String, ReportError> {
    doc.validate()?;
    let paint = Painter { options: *options };
    let mut out = String::new();
    write_header(&mut out, doc, &paint);
    chat::write_conversation(&mut out, doc, &paint);
    summary::write_summary(&mut out, doc, &paint);
    for (index, level) in doc.levels.iter().enumerate() {
        out.push('\n');
        write_level(&mut out, doc, level, &paint);
        attention::write_attention(&mut out, doc, index);
    }
    refinement::write_refinement(&mut out, doc, &paint);
    out.push('\n');
    let _ = writeln!(out, "Wall time: {:.2} s", doc.wall_seconds);
    if !doc.warnings.is_empty() {
        let _ = writeln!(out, "{}", paint.bold("Warnings:"));
        for warning in &doc.warnings {
            let _ = writeln!(out, "  ! {}", sanitize_terminal(warning));
        }
    }
    Ok(out)
}

fn write_header(out: &mut String, doc: &ReportDoc, paint: &Painter) {
    let mut model = sanitize_terminal(&doc.model.name);
    if !doc.model.architecture.is_empty() {
        let _ = write!(model, " ({})", sanitize_terminal(&doc.model.architecture));
    }
    if !doc.model.dtype.is_empty() {
        let _ = write!(
            model,
            " · weights {} {:.1} MiB",
            sanitize_terminal(&doc.model.dtype),
            doc.model.weight_bytes as f64 / (1u64 << 20) as f64
        );
    }
    let _ = writeln!(
        out,
        "{} · model {model} · score {} · masker {}",
        paint.bold("whylm explanation"),
        sanitize_terminal(&doc.score),
        sanitize_terminal(&doc.masker),
    );
    if !doc.prefix.is_empty() {
        let _ = writeln!(
            out,
            "Prefix (not explained): {}",
            quoted_label(&truncate_chars(&doc.prefix, 80))
        );
    }
    if !doc.suffix.is_empty() {
        let _ = writeln!(
            out,
            "Suffix (not explained): {}",
            quoted_label(&truncate_chars(&doc.suffix, 80))
        );
    }
    // The score of each target token with the whole prompt is v(N), the same in every level.
    let full = doc.levels.first().map(|l| l.full_value.as_slice()).unwrap_or(&[]);
    let targets: Vec<String> = doc
        .target_tokens
        .iter()
        .enumerate()
        .map(|(t, token)| {
            let score = full.get(t).map(|v| format!(" {}", plain(*v))).unwrap_or_default();
            format!("{}{score}", quoted_label(&token.text))
        })
        .collect();
    let _ = writeln!(
        out,
        "Target ({} score per token): {}",
        sanitize_terminal(&doc.score),
        targets.join("  ")
    );
}

fn write_level(out: &mut String, doc: &ReportDoc, level: &LevelExplanation, paint: &Painter) {
    write_level_prompt(out, doc, level, paint);
    write_top_features(out, doc, level, paint);
    interactions::write_interactions(out, level);
    write_values(out, level);
    crate::faithfulness::write_faithfulness(out, level.faithfulness.as_ref());
}

/// The level's heading (method, evaluations, seed) and the prompt coloured by attribution to the whole target.
fn write_level_prompt(out: &mut String, doc: &ReportDoc, level: &LevelExplanation, paint: &Painter) {
    let reason = if level.method_reason.is_empty() {
        String::new()
    } else {
        format!(" ({})", sanitize_terminal(&level.method_reason))
    };
    let _ = writeln!(
        out,
        "{} · method {}{reason} · {} evaluations · seed {}",
        paint.bold(&format!("Level {}", sanitize_terminal(&level.level))),
        sanitize_terminal(&level.method),
        level.evaluations,
        level.seed,
    );
    let values = level.sequence_phi();
    let scale = max_abs(&values);
    let legend = if paint.options.color {
        format!(
            "{} raises the score, {} lowers it",
            paint.fg("red", POSITIVE),
            paint.fg("blue", NEGATIVE)
        )
    } else {
        "value in brackets".to_string()
    };
    let _ = writeln!(
        out,
        "Prompt, by attribution to the whole target ({legend}; largest |value| {}):",
        plain(scale)
    );
    out.push_str("  ");
    out.push_str(&prompt_line(doc, level, &values, scale, paint));
    out.push('\n');
}

/// One line per selection (the whole target, then each target token) with its largest attributions.
fn write_top_features(out: &mut String, doc: &ReportDoc, level: &LevelExplanation, paint: &Painter) {
    let _ = writeln!(out, "Top features:");
    let width = doc
        .target_tokens
        .iter()
        .map(|t| quoted_label(&t.text).chars().count())
        .max()
        .unwrap_or(0)
        .max("whole target".len());
    for selection in doc.selections() {
        let name = match selection {
            Selection::Sequence => "whole target".to_string(),
            Selection::Token(t) => doc
                .target_tokens
                .get(t)
                .map(|t| quoted_label(&t.text))
                .unwrap_or_default(),
        };
        let top = level.top_features(selection, paint.options.top_k);
        let scale = max_abs(&level.values(selection));
        let listed: Vec<String> = top
            .iter()
            .map(|r| top_feature(level, selection, r, scale, paint))
            .collect();
        let pad = width.saturating_sub(name.chars().count());
        let _ = writeln!(out, "  {name}{}  {}", " ".repeat(pad), listed.join(", "));
    }
}

/// `"text" +1.234 ±0.010`; for the whole target the error shown is an upper bound (`±≤`).
fn top_feature(
    level: &LevelExplanation,
    selection: Selection,
    ranked: &RankedFeature,
    scale: f64,
    paint: &Painter,
) -> String {
    let text = level
        .features
        .get(ranked.index)
        .map(|f| f.text.as_str())
        .unwrap_or("");
    let err = ranked
        .std_err
        .map(|e| {
            let sign = if selection == Selection::Sequence {
                "≤"
            } else {
                ""
            };
            format!(" ±{sign}{}", plain(e))
        })
        .unwrap_or_default();
    let value = signed(ranked.value, scale);
    let value = paint.fg(&value, if ranked.value >= 0.0 { POSITIVE } else { NEGATIVE });
    format!("{} {value}{err}", quoted_label(&truncate_chars(text, 40)))
}

/// Base and full values per target token, and the efficiency residual.
fn write_values(out: &mut String, level: &LevelExplanation) {
    let join = |values: &[f64]| values.iter().map(|v| plain(*v)).collect::<Vec<_>>().join(" ");
    let _ = writeln!(
        out,
        "Base value (every feature masked): {} (sum {})",
        join(&level.base_value),
        plain(level.base(Selection::Sequence))
    );
    let _ = writeln!(
        out,
        "Full value (every feature kept):   {} (sum {})",
        join(&level.full_value),
        plain(level.full(Selection::Sequence))
    );
    let _ = writeln!(
        out,
        "Efficiency residual: {} (max over target tokens of |Σ phi − (full − base)|)",
        plain(level.efficiency_residual)
    );
}

/// The prompt with every feature painted (colour mode) or followed by its value in brackets (plain mode); text
/// between features (whitespace, special tokens' gaps) is printed as it is.
fn prompt_line(
    doc: &ReportDoc,
    level: &LevelExplanation,
    values: &[f64],
    scale: f64,
    paint: &Painter,
) -> String {
    let prompt = doc.prompt.as_str();
    let mut order: Vec<usize> = (0..level.features.len()).collect();
    order.sort_by_key(|&i| (level.features[i].start, level.features[i].end));
    let mut out = String::new();
    let mut pos = 0;
    for i in order {
        let feature = &level.features[i];
        // Spans were validated, but overlapping features are printed from where the previous one stopped.
        let start = feature.start.max(pos);
        if feature.end <= start {
            continue;
        }
        out.push_str(&indent(&sanitize_terminal(prompt.get(pos..start).unwrap_or(""))));
        let text = sanitize_terminal(prompt.get(start..feature.end).unwrap_or(""));
        let value = values.get(i).copied().unwrap_or(0.0);
        if paint.options.color {
            out.push_str(&paint.feature(&text, value, scale));
        } else {
            let core = text.trim_end();
            let trailing = &text[core.len()..];
            let _ = write!(
                out,
                "{}[{}]{}",
                indent(core),
                signed(value, scale),
                indent(trailing)
            );
        }
        pos = feature.end;
    }
    out.push_str(&indent(&sanitize_terminal(prompt.get(pos..).unwrap_or(""))));
    out
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n  ")
}

struct Painter {
    options: TerminalOptions,
}

impl Painter {
    fn bold(&self, text: &str) -> String {
        if self.options.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn fg(&self, text: &str, rgb: Rgb) -> String {
        if !self.options.color {
            return text.to_string();
        }
        format!("{}{text}\x1b[0m", self.code(38, rgb))
    }

    /// A feature on its attribution colour; each line is painted separately so that no colour bleeds into the
    /// indentation of the next line.
    fn feature(&self, text: &str, value: f64, scale: f64) -> String {
        if intensity(value, scale) < UNCOLORED_BELOW {
            return indent(text);
        }
        let bg = attribution_color(value, scale);
        let fg = if bg.luma() < 140.0 {
            Rgb(255, 255, 255)
        } else {
            Rgb(0, 0, 0)
        };
        text.split('\n')
            .map(|line| {
                if line.is_empty() {
                    String::new()
                } else {
                    format!("{}{}{line}\x1b[0m", self.code(48, bg), self.code(38, fg))
                }
            })
            .collect::<Vec<_>>()
            .join("\n  ")
    }

    /// SGR code for a foreground (38) or background (48) colour.
    fn code(&self, layer: u8, rgb: Rgb) -> String {
        if self.options.true_color {
            format!("\x1b[{layer};2;{};{};{}m", rgb.0, rgb.1, rgb.2)
        } else {
            format!("\x1b[{layer};5;{}m", rgb.ansi256())
        }
    }
}
