//! The conversation block: one line per message with its attribution to the whole target at every level, so a
//! reader sees at a glance which turn the reply came from.

use std::fmt::Write as _;

use super::Painter;
use crate::color::{NEGATIVE, POSITIVE};
use crate::conversation::message_totals;
use crate::document::ReportDoc;
use crate::escape::{quoted_label, sanitize_terminal, truncate_chars};
use crate::format::{max_abs, signed};

/// How much of each message's content is shown: enough to recognise it, short enough for one line.
const CONTENT_CHARS: usize = 60;

/// Writes nothing for a document without a conversation.
pub(super) fn write_conversation(out: &mut String, doc: &ReportDoc, paint: &Painter) {
    let Some(conversation) = &doc.conversation else {
        return;
    };
    // Whole-target totals per level: totals[level][message].
    let totals: Vec<Vec<f64>> = (0..doc.levels.len())
        .map(|l| {
            message_totals(doc, l)
                .iter()
                .map(|row| row.iter().sum())
                .collect()
        })
        .collect();
    let source = if conversation.template_source.is_empty() {
        String::new()
    } else {
        format!(
            " (template: {})",
            sanitize_terminal(&conversation.template_source)
        )
    };
    out.push('\n');
    let _ = writeln!(
        out,
        "{}{source}, each message's attribution to the whole target:",
        paint.bold("Conversation")
    );
    let role_width = conversation
        .messages
        .iter()
        .map(|m| sanitize_terminal(&m.role).chars().count())
        .max()
        .unwrap_or(0)
        .max("reply".len());
    let contents: Vec<String> = conversation
        .messages
        .iter()
        .map(|m| quoted_label(&truncate_chars(&m.content, CONTENT_CHARS)))
        .collect();
    let content_width = contents.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    let heading: Vec<String> = doc
        .levels
        .iter()
        .map(|l| format!("{:>8}", sanitize_terminal(&l.level)))
        .collect();
    let _ = writeln!(
        out,
        "  {:role_width$}  {:content_width$}  {}",
        "role",
        "message",
        heading.join(" ")
    );
    for (m, message) in conversation.messages.iter().enumerate() {
        let cells: Vec<String> = totals
            .iter()
            .map(|level| {
                if !message.explained {
                    return format!("{:>8}", "kept");
                }
                let value = level.get(m).copied().unwrap_or(0.0);
                let text = format!("{:>8}", signed(value, max_abs(level)));
                paint.fg(&text, if value >= 0.0 { POSITIVE } else { NEGATIVE })
            })
            .collect();
        let _ = writeln!(
            out,
            "  {:role_width$}  {:content_width$}  {}",
            sanitize_terminal(&message.role),
            contents[m],
            cells.join(" ")
        );
    }
    let reply: String = doc.target_tokens.iter().map(|t| t.text.as_str()).collect();
    let _ = writeln!(
        out,
        "  {:role_width$}  {} (the explained target)",
        "reply",
        quoted_label(&truncate_chars(&reply, CONTENT_CHARS))
    );
}
