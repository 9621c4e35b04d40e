//! The chat and summary views: the numbers behind them (checked against sums worked out by hand from the fixture
//! files), the terminal blocks, and the data and code the HTML page carries for them.

mod common;

use common::{chat, sample, summary};
use whylm_report::{message_totals, render_html, render_terminal, ReportDoc, TerminalOptions};

fn plain() -> TerminalOptions {
    TerminalOptions {
        color: false,
        true_color: false,
        top_k: 2,
    }
}

fn assert_close(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: {actual:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 1e-9, "{what}: {actual:?} expected {expected:?}");
    }
}

#[test]
fn message_totals_sum_each_messages_words() {
    let doc = chat();
    // Word level; rows of chat_report.json's phi in hundredths, per target "Your", " name", " is", " Ada", ".".
    let totals = message_totals(&doc, 0);
    assert_eq!(totals.len(), 4);
    assert_close(&totals[0], &[0.0; 5], "the kept system message");
    // "My" [5,5,0,10,0] + " name" [20,30,5,30,0] + " is" [0,0,5,5,0] + " Ada." [10,5,0,205,5]
    assert_close(
        &totals[1],
        &[0.35, 0.40, 0.10, 2.50, 0.05],
        "user: My name is Ada.",
    );
    // "Nice" [5,0,0,5,0] + " to" [-5,0,0,0,0] + " meet" [5,0,0,10,0] + " you," [0,0,5,5,0] + " Ada!" [0,5,0,90,0]
    assert_close(&totals[2], &[0.05, 0.05, 0.05, 1.10, 0.0], "assistant");
    // "What" [40,10,5,5,5] + " is" [10,5,30,-5,0] + " my" [60,25,5,30,5] + " name?" [50,50,10,10,10]
    assert_close(
        &totals[3],
        &[1.60, 0.90, 0.50, 0.40, 0.20],
        "user: What is my name?",
    );
    // Every word lies in some message, so the totals add up to full - base (efficiency): " Ada" -2.0 - (-6.0).
    let ada: f64 = totals.iter().map(|row| row[3]).sum();
    assert!((ada - 4.0).abs() < 1e-9, "{ada}");
}

#[test]
fn message_totals_at_the_turn_level_are_the_turn_features() {
    let totals = message_totals(&chat(), 1);
    assert_close(&totals[0], &[0.0; 5], "system");
    assert_close(&totals[1], &[0.30, 0.40, 0.10, 2.50, 0.05], "first user turn");
    assert_close(&totals[2], &[0.10, 0.05, 0.05, 1.20, 0.0], "assistant turn");
    assert_close(&totals[3], &[1.60, 0.90, 0.50, 0.30, 0.20], "question turn");
    // No conversation, or no such level: nothing to total.
    assert!(message_totals(&sample(), 0).is_empty());
    assert!(message_totals(&chat(), 7).is_empty());
}

#[test]
fn top_source_of_each_summary_sentence() {
    let doc = summary();
    let matrix = doc.summary.as_ref().unwrap();
    // Columns of the matrix: [1.2, 0.6, 0.1, 0.05, -0.05, 0], [0.1, 0.05, 1.5, 0.4, 0, -0.1],
    // [0.05, 0, 0.05, -0.1, 1.8, 0.1].
    assert_eq!(
        matrix.top_sources(),
        vec![Some((0, 1.2)), Some((2, 1.5)), Some((4, 1.8))]
    );
    assert_eq!(matrix.top_source(3), None);
    // The matrix is the per-sentence sum of phi: sentence 2 ("Homes were evacuated.") is target tokens 6..10.
    let level = doc.level("sentence").unwrap();
    let sentence = &matrix.summary_sentences[1];
    let from_phi: f64 = level.phi[2][sentence.first_target..sentence.end_target]
        .iter()
        .sum();
    assert!((from_phi - 1.5).abs() < 1e-9, "{from_phi}");
}

#[test]
fn terminal_lists_each_message_with_its_totals() {
    let text = render_terminal(&chat(), &plain()).unwrap();
    let block = &text[text
        .find("Conversation (template: gguf tokenizer.chat_template)")
        .expect(&text)..];
    let line = |start: &str| -> &str {
        block
            .lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line starting {start:?} in\n{block}"))
    };
    assert!(
        line("role").contains("word") && line("role").contains("turn"),
        "{block}"
    );
    let system = line("system");
    // 68 characters of system prompt, cut to 60 with an ellipsis; kept at both levels.
    assert!(system.contains("trained by Hug…\""), "{system}");
    assert_eq!(system.matches("kept").count(), 2, "{system}");
    // Whole-target totals: word level 0.35+0.40+0.10+2.50+0.05 = 3.40, turn level 3.35.
    let ada = block.lines().find(|l| l.contains("\"My name is Ada.\"")).unwrap();
    assert!(ada.contains("+3.400") && ada.contains("+3.350"), "{ada}");
    let question = block
        .lines()
        .find(|l| l.contains("\"What is my name?\""))
        .unwrap();
    assert!(
        question.contains("+3.600") && question.contains("+3.500"),
        "{question}"
    );
    assert!(line("assistant").contains("+1.250") && line("assistant").contains("+1.400"));
    assert!(line("reply").contains("\"Your name is Ada.\""), "{block}");
    // The block comes before the levels, and documents without a conversation have none.
    assert!(text.find("Conversation").unwrap() < text.find("Level word").unwrap());
    let plain_text = render_terminal(&sample(), &plain()).unwrap();
    assert!(!plain_text.contains("Conversation") && !plain_text.contains("Summary:"));
}

#[test]
fn terminal_names_each_summary_sentences_top_source() {
    let text = render_terminal(&summary(), &plain()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("Summary: each summary sentence"))
        .expect(&text);
    let expected = [
        "  1. \"The town flooded after rain.\"",
        "     <- source 1 \"The river flooded the town on Monday.\" +1.200",
        "  2. \"Homes were evacuated.\"",
        "     <- source 3 \"Two hundred homes were evacuated.\" +1.500",
        "  3. \"Nobody was hurt.\"",
        "     <- source 5 \"Nobody was hurt.\" +1.800",
    ];
    assert_eq!(&lines[at + 1..at + 7], &expected, "{text}");
    assert!(!text.contains("Conversation"));
}

/// The JSON block of a rendered page, parsed back.
fn embedded(html: &str) -> ReportDoc {
    let start = html.find(r#"id="whylm-data">"#).unwrap() + r#"id="whylm-data">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    ReportDoc::from_json_str(&html[start..end]).unwrap()
}

#[test]
fn html_carries_the_conversation_and_the_summary() {
    for doc in [chat(), summary()] {
        let html = render_html(&doc).unwrap();
        assert_eq!(embedded(&html), doc);
        // Still one data block and one script of the page's own, and nothing fetched.
        assert_eq!(html.matches("<script").count(), 2);
        for external in ["http://", "https://", "src=", "@import", "url("] {
            assert!(!html.contains(external), "page references {external}");
        }
        assert!(html.contains("default-src 'none'"));
        // Every part of the script is in, once.
        for function in [
            "function drawPrompt(",
            "function drawChat(",
            "function drawSummary(",
            "function applyHash(",
        ] {
            assert_eq!(html.matches(function).count(), 1, "{function}");
        }
    }
    let chat = embedded(&render_html(&chat()).unwrap());
    let conversation = chat.conversation.unwrap();
    assert_eq!(conversation.messages.len(), 4);
    assert_eq!(conversation.messages[1].content, "My name is Ada.");
    assert!(!conversation.messages[0].explained);
    let summary = embedded(&render_html(&summary()).unwrap()).summary.unwrap();
    assert_eq!(summary.matrix[4][2], 1.8);
}

#[test]
fn every_script_part_stays_under_500_lines() {
    // check-structure counts Rust files only; the page's script parts keep the same limit.
    let parts = [
        ("util.js", include_str!("../src/html/util.js")),
        ("report.js", include_str!("../src/html/report.js")),
        ("chat.js", include_str!("../src/html/chat.js")),
        ("summary.js", include_str!("../src/html/summary.js")),
        ("main.js", include_str!("../src/html/main.js")),
    ];
    for (name, text) in parts {
        let lines = text.lines().count();
        assert!(lines <= 500, "{name} has {lines} lines");
    }
}
