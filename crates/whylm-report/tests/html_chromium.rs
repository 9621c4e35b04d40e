//! Drives the HTML report in headless Chromium: the page must load without JavaScript errors, and selecting a
//! target token or a level must recolour the prompt with that selection's attributions.
//!
//! Selections are made through the URL hash (`#level=sentence&select=1`), which the page turns into `.click()` on
//! the same buttons a reader clicks, so the real click handlers run. `--dump-dom` returns the DOM after the load
//! event. JavaScript errors reach us two ways: the page copies window errors and console.error into a
//! `data-js-errors` attribute, and Chromium logs console messages to stderr.
//!
//! Chromium is required: install it with `apt-get install -y chromium` (CI does), or point WHYLM_CHROMIUM at a
//! Chrome/Chromium binary.

mod common;

use common::browser::{assert_clean, attribute, load, root_tag};
use common::{hostile, sample};
use whylm_report::{render_html, ReportDoc, Selection};

#[derive(Debug)]
struct Painted {
    feature: usize,
    value: f64,
    background: String,
}

/// Every painted feature of the prompt, in document order.
fn painted_features(dom: &str) -> Vec<Painted> {
    dom.match_indices("<span class=\"feat\"")
        .map(|(i, _)| {
            let tag = &dom[i..i + dom[i..].find('>').unwrap()];
            let style = attribute(tag, "style").unwrap_or("");
            let background = style
                .split(';')
                .find_map(|d| d.trim().strip_prefix("background-color:"))
                .unwrap_or("")
                .trim()
                .to_string();
            Painted {
                feature: attribute(tag, "data-feature").unwrap().parse().unwrap(),
                value: attribute(tag, "data-value").unwrap().parse().unwrap(),
                background,
            }
        })
        .collect()
}

fn assert_values(painted: &[Painted], expected: &[f64], what: &str) {
    assert_eq!(painted.len(), expected.len(), "{what}: {painted:?}");
    for p in painted {
        assert!(
            (p.value - expected[p.feature]).abs() < 1e-12,
            "{what}: {p:?} expected {}",
            expected[p.feature]
        );
    }
}

fn background_of(painted: &[Painted], feature: usize) -> &str {
    &painted.iter().find(|p| p.feature == feature).unwrap().background
}

#[test]
fn selecting_targets_and_levels_recolours_the_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let doc: ReportDoc = sample();
    let html = dir.path().join("report.html");
    std::fs::write(&html, render_html(&doc).unwrap()).unwrap();
    let profile = dir.path().join("profile");
    let token = &doc.levels[0];
    let sentence = &doc.levels[1];

    // Default view: token level, whole target.
    let page = load(&html, "", &profile);
    assert_clean(&page, "default view");
    let whole = painted_features(&page.dom);
    assert_values(&whole, &token.values(Selection::Sequence), "whole target");
    assert_eq!(
        background_of(&whole, 1),
        "rgb(255, 0, 81)",
        "\" cat\" is the largest positive feature"
    );
    assert_eq!(attribute(root_tag(&page.dom), "data-selection"), Some("-1"));

    // Clicking " well": the prompt now shows phi[.][1]; " sat" turns from red to blue, " it" is the strongest blue.
    let page = load(&html, "#select=1", &profile);
    assert_clean(&page, "select=1");
    assert_eq!(attribute(root_tag(&page.dom), "data-selection"), Some("1"));
    let well = painted_features(&page.dom);
    assert_values(&well, &token.values(Selection::Token(1)), "target \" well\"");
    assert_ne!(background_of(&whole, 2), background_of(&well, 2));
    assert_eq!(background_of(&well, 5), "rgb(0, 139, 251)");
    let changed = whole
        .iter()
        .zip(&well)
        .filter(|(a, b)| a.background != b.background)
        .count();
    assert!(changed >= 4, "only {changed} of 6 features changed colour");

    // The level switch: two sentence features, coloured for the token " slept".
    let page = load(&html, "#level=sentence&select=0", &profile);
    assert_clean(&page, "level=sentence&select=0");
    assert_eq!(attribute(root_tag(&page.dom), "data-level"), Some("sentence"));
    let painted = painted_features(&page.dom);
    assert_values(
        &painted,
        &sentence.values(Selection::Token(0)),
        "sentence level, \" slept\"",
    );
    assert_eq!(background_of(&painted, 0), "rgb(255, 0, 81)");
}

#[test]
fn hostile_prompt_text_stays_text_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("hostile.html");
    std::fs::write(&html, render_html(&hostile()).unwrap()).unwrap();
    let page = load(&html, "#select=0", &dir.path().join("profile"));
    assert_clean(&page, "hostile prompt");
    // Only the page's own two scripts exist; the prompt is a text node inside the one painted feature.
    assert_eq!(page.dom.matches("<script").count(), 2, "{}", page.dom);
    let painted = painted_features(&page.dom);
    assert_eq!(painted.len(), 1);
    let span = page.dom.find("<span class=\"feat\"").unwrap();
    let text_start = span + page.dom[span..].find('>').unwrap() + 1;
    let text = &page.dom[text_start..text_start + page.dom[text_start..].find("</span>").unwrap()];
    assert_eq!(
        text,
        "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;\"it\"&lt;/b&gt;"
    );
}
