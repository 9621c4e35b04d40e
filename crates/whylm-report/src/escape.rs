//! Escaping of untrusted text (prompts, target tokens, model names) for each output format.

/// Escapes text for HTML/SVG element content and quoted attribute values.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most control characters even as references; show them instead of breaking the file.
            c if is_control(c) && c != '\n' && c != '\t' => out.push_str(&control_picture(c)),
            c => out.push(c),
        }
    }
    out
}

/// Makes JSON safe inside `<script type="application/json">`: `<`, `>` and `&` only occur inside JSON strings,
/// where `\u003c` etc. mean the same thing, so no `</script>` or `<!--` can appear. U+2028/2029 are escaped too,
/// so that the text stays valid if someone pastes it into JavaScript source.
pub fn escape_json_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Replaces control characters (other than newline and tab) with visible notation, so that prompt text cannot
/// send escape sequences to the user's terminal.
pub fn sanitize_terminal(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_control(c) && c != '\n' && c != '\t' {
                control_picture(c)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A one-line, quoted rendering of a feature or token text for lists: newlines and tabs become `\n`, `\t`.
pub fn quoted_label(text: &str) -> String {
    let mut out = String::from("\"");
    for c in sanitize_terminal(text).chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Truncates to at most `max_chars` characters, marking the cut with an ellipsis.
pub fn truncate_chars(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn is_control(c: char) -> bool {
    c.is_control() || c == '\u{7f}'
}

fn control_picture(c: char) -> String {
    format!("\\u{{{:x}}}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_quotes() {
        assert_eq!(
            escape_xml(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn json_for_script_cannot_close_the_tag() {
        let json = serde_json::to_string("</script><!--").unwrap();
        let escaped = escape_json_for_script(&json);
        assert!(!escaped.contains('<'));
        let back: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, "</script><!--");
    }

    #[test]
    fn terminal_text_loses_escape_sequences() {
        let clean = sanitize_terminal("a\u{1b}[31mred\u{7}\nb");
        assert!(!clean.contains('\u{1b}'));
        assert!(!clean.contains('\u{7}'));
        assert!(clean.contains("\\u{1b}[31mred"));
        assert!(clean.contains('\n'));
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate_chars("héllo world", 5), "héll…");
        assert_eq!(truncate_chars("short", 5), "short");
    }
}
