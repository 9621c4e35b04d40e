//! The renderers: escaping of untrusted text, plain terminal output, the SVG chart.

mod common;

use common::{hostile, sample, HOSTILE};
use whylm_report::{render_html, render_svg, render_terminal, SvgOptions, TerminalOptions};

fn plain() -> TerminalOptions {
    TerminalOptions {
        color: false,
        true_color: false,
        top_k: 2,
    }
}

#[test]
fn html_cannot_be_broken_out_of_by_prompt_text() {
    let html = render_html(&hostile()).unwrap();
    // The page has exactly its own two scripts: the JSON block and the drawing code.
    assert_eq!(html.matches("<script").count(), 2, "{html}");
    assert_eq!(html.matches("</script>").count(), 2);
    assert!(!html.contains(HOSTILE));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>"));
    // The JSON block still carries the exact prompt once unescaped.
    let start = html.find(r#"id="whylm-data">"#).unwrap() + r#"id="whylm-data">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    let doc = whylm_report::ReportDoc::from_json_str(&html[start..end]).unwrap();
    assert_eq!(doc, hostile());
}

#[test]
fn html_title_is_escaped() {
    let html = render_html(&hostile()).unwrap();
    let title = &html[html.find("<title>").unwrap()..html.find("</title>").unwrap()];
    assert!(title.contains("&lt;/script&gt;"), "{title}");
}

#[test]
fn html_needs_no_network() {
    let html = render_html(&sample()).unwrap();
    for external in ["http://", "https://", "src=", "@import", "url("] {
        // The only URL allowed is the SVG namespace, which is not fetched; there is none in this page.
        assert!(!html.contains(external), "page references {external}");
    }
}

#[test]
fn terminal_plain_mode_has_no_escape_codes_and_lists_the_top_feature() {
    let text = render_terminal(&sample(), &plain()).unwrap();
    assert!(!text.contains('\u{1b}'), "{text}");
    // Sequence level: " cat" has the largest attribution (0.8 + 0.1); bracketed after the feature in the prompt.
    assert!(text.contains(" cat[+0.900]"), "{text}");
    let top_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("whole target"))
        .unwrap();
    assert!(top_line.contains("\" cat\" +0.900"), "{top_line}");
    // For the token " well" the top feature is " it" (-0.6).
    let well = text
        .lines()
        .find(|l| l.trim_start().starts_with("\" well\""))
        .unwrap();
    assert!(well.contains("\" it\" -0.600 ±0.030"), "{well}");
    for needle in [
        "Base value",
        "-8.000",
        "Full value",
        "Efficiency residual",
        "640 evaluations",
        "permutation",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(text.contains("auto: 2 features <= exact limit 20"));
    assert!(text.contains("Wall time: 0.42 s"));
    assert!(text.contains("! permutation budget reached"));
}

#[test]
fn terminal_colour_mode_paints_features_by_sign() {
    let options = TerminalOptions {
        color: true,
        true_color: true,
        top_k: 2,
    };
    let text = render_terminal(&sample(), &options).unwrap();
    // " cat" is the strongest positive feature: full red background.
    assert!(
        text.contains("\x1b[48;2;255;0;81m\x1b[38;2;255;255;255m cat\x1b[0m"),
        "{text:?}"
    );
    // " it" lowers the whole target (-0.15 of 0.9): a light blue.
    let it = text.find(" it\x1b[0m").unwrap();
    let code = &text[text[..it].rfind("\x1b[48;2;").unwrap()..it];
    let rgb: Vec<u8> = code
        .trim_start_matches("\x1b[48;2;")
        .split('m')
        .next()
        .unwrap()
        .split(';')
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(rgb[2] > rgb[0] && rgb[0] < 255, "bluish expected: {rgb:?}");
    let ansi256 = render_terminal(
        &sample(),
        &TerminalOptions {
            true_color: false,
            ..options
        },
    )
    .unwrap();
    assert!(ansi256.contains("\x1b[48;5;"));
    assert!(!ansi256.contains("\x1b[48;2;"));
}

#[test]
fn terminal_output_neutralises_escape_sequences_in_the_prompt() {
    let mut doc = hostile();
    doc.warnings = vec!["\u{1b}]0;pwned\u{7}".to_string()];
    let text = render_terminal(&doc, &plain()).unwrap();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'));
}

#[test]
fn svg_escapes_text_and_draws_one_bar_per_feature() {
    let svg = render_svg(&hostile(), &SvgOptions::default()).unwrap();
    assert!(!svg.contains("<script"), "{svg}");
    assert!(svg.contains("&lt;/script&gt;"));
    let svg = render_svg(
        &sample(),
        &SvgOptions {
            level: Some("token".into()),
            max_features: 40,
        },
    )
    .unwrap();
    assert_eq!(svg.matches("<rect x=").count(), 6);
    // Negative sequence attributions (" it", ".") are blue, the others red.
    assert_eq!(svg.matches("fill=\"#008bfb\"").count(), 2);
    let capped = render_svg(
        &sample(),
        &SvgOptions {
            level: Some("token".into()),
            max_features: 2,
        },
    )
    .unwrap();
    assert_eq!(capped.matches("<rect x=").count(), 2);
    assert!(capped.contains("2 of 6 features"));
}

#[test]
fn svg_names_the_levels_when_asked_for_an_unknown_one() {
    let err = render_svg(
        &sample(),
        &SvgOptions {
            level: Some("paragraph".into()),
            max_features: 40,
        },
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("token, sentence"), "{message}");
}
