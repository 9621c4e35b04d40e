//! Drives the chat and summary views in headless Chromium: both pages load without JavaScript errors, a reply
//! token recolours the message bubbles, a summary column recolours the document's sentences and a source row the
//! summary's sentences.
//!
//! As in html_chromium.rs, clicks come from the URL hash (`#reply=3`, `#summary=0`, `#source=2`), which the page
//! turns into `.click()` on the elements a reader clicks. Colours are read as the browser computed them: the test
//! appends a probe script after the page's own that copies each view element's computed background into a
//! `data-bg` attribute, which `--dump-dom` then returns.

mod common;

use std::path::{Path, PathBuf};

use common::browser::{assert_clean, attribute, load, root_tag, Page};
use common::{chat, summary};
use whylm_report::{message_totals, render_html, ReportDoc};

const PROBE: &str = r#"<script>
document.querySelectorAll(".bubble, .src, .ssent").forEach(function (e) {
  e.setAttribute("data-bg", getComputedStyle(e).backgroundColor);
});
</script>
</body>"#;

/// Writes the page with the probe after the page's script (the CSP allows inline scripts, and it needs no network).
fn write_probed(doc: &ReportDoc, dir: &Path, name: &str) -> PathBuf {
    let html = render_html(doc).unwrap();
    assert_eq!(html.matches("</body>").count(), 1);
    let path = dir.join(name);
    std::fs::write(&path, html.replace("</body>", PROBE)).unwrap();
    path
}

/// The start tags of elements whose class attribute begins with `class`, in document order.
fn tags<'a>(dom: &'a str, element: &str, class: &str) -> Vec<&'a str> {
    let needle = format!("<{element} class=\"{class}");
    dom.match_indices(&needle)
        .map(|(i, _)| &dom[i..i + dom[i..].find('>').unwrap()])
        .collect()
}

/// (index attribute, computed background) of each probed element, in document order.
fn backgrounds(page: &Page, element: &str, class: &str, index: &str) -> Vec<(usize, String)> {
    tags(&page.dom, element, class)
        .into_iter()
        .filter_map(|tag| {
            let i = attribute(tag, index)?.parse().ok()?;
            Some((i, attribute(tag, "data-bg").expect(tag).to_string()))
        })
        .collect()
}

fn bg(list: &[(usize, String)], index: usize) -> &str {
    &list.iter().find(|(i, _)| *i == index).expect("element present").1
}

#[test]
fn reply_tokens_recolour_the_message_bubbles() {
    let dir = tempfile::tempdir().unwrap();
    let doc = chat();
    let html = write_probed(&doc, dir.path(), "chat.html");
    let profile = dir.path().join("profile");

    let page = load(&html, "", &profile);
    assert_clean(&page, "chat, default view");
    let bubbles = tags(&page.dom, "div", "bubble");
    assert_eq!(bubbles.len(), 5, "4 messages and the reply");
    assert!(bubbles[0].contains("bubble role-system kept"), "{}", bubbles[0]);
    assert!(
        bubbles[4].contains("bubble role-assistant reply"),
        "{}",
        bubbles[4]
    );

    // "Your" (token 0): the question "What is my name?" (word total 1.60) is the strongest message, drawn at half
    // strength; "My name is Ada." (0.35) is a faint pink: 255 + (0 - 255) * 0.35 / 3.2 = 227.
    let your = load(&html, "#reply=0", &profile);
    assert_clean(&your, "chat, reply=0");
    assert_eq!(attribute(root_tag(&your.dom), "data-selection"), Some("0"));
    let your_bg = backgrounds(&your, "div", "bubble", "data-message");
    assert_eq!(bg(&your_bg, 3), "rgb(255, 128, 168)");
    assert_eq!(bg(&your_bg, 1), "rgb(255, 227, 236)");

    // " Ada" (token 3): now "My name is Ada." (2.50) is the strongest, the question (0.40) faint.
    let ada = load(&html, "#reply=3", &profile);
    assert_clean(&ada, "chat, reply=3");
    assert_eq!(attribute(root_tag(&ada.dom), "data-selection"), Some("3"));
    let ada_bg = backgrounds(&ada, "div", "bubble", "data-message");
    assert_eq!(bg(&ada_bg, 1), "rgb(255, 128, 168)");
    for message in 1..4 {
        assert_ne!(bg(&your_bg, message), bg(&ada_bg, message), "message {message}");
    }
    // The kept system message keeps the stylesheet's grey whatever the selection.
    assert_eq!(bg(&your_bg, 0), "rgb(238, 240, 243)");
    assert_eq!(bg(&ada_bg, 0), bg(&your_bg, 0));

    // Each bubble shows its total, the same as message_totals; the clicked token is marked.
    let totals = message_totals(&doc, 0);
    for tag in tags(&ada.dom, "div", "bubble role-user") {
        let m: usize = attribute(tag, "data-message").unwrap().parse().unwrap();
        let shown: f64 = attribute(tag, "data-total").unwrap().parse().unwrap();
        assert!((shown - totals[m][3]).abs() < 1e-12, "{tag}");
    }
    let on = tags(&ada.dom, "button", "rtok on");
    assert_eq!(on.len(), 1);
    assert_eq!(attribute(on[0], "data-reply"), Some("3"));

    // The level switch applies to the bubbles too: at the turn level the assistant turn holds 1.20 of " Ada"
    // (its words held 1.10).
    let turn = load(&html, "#level=turn&reply=3", &profile);
    assert_clean(&turn, "chat, level=turn&reply=3");
    let assistant = tags(&turn.dom, "div", "bubble role-assistant")
        .into_iter()
        .find(|tag| attribute(tag, "data-message") == Some("2"))
        .unwrap();
    assert_eq!(attribute(assistant, "data-total"), Some("1.2"), "{assistant}");
}

#[test]
fn summary_columns_and_rows_recolour_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let html = write_probed(&summary(), dir.path(), "summary.html");
    let profile = dir.path().join("profile");
    let red = "rgb(255, 0, 81)";

    let page = load(&html, "", &profile);
    assert_clean(&page, "summary, default view");
    // Nothing selected: summary sentences are unpainted; each column's largest entry is starred.
    let plain = backgrounds(&page, "span", "ssent", "data-col");
    assert_eq!(plain.len(), 3);
    assert!(plain.iter().all(|(_, b)| b == "rgba(0, 0, 0, 0)"), "{plain:?}");
    assert_eq!(page.dom.matches("<td class=\"best\"").count(), 3);

    // Column 0 ("The town flooded after rain."): source sentence 0 (1.2) is the strongest, source 4 (-0.05) faint.
    let first = load(&html, "#summary=0", &profile);
    assert_clean(&first, "summary=0");
    assert_eq!(attribute(root_tag(&first.dom), "data-summary-col"), Some("0"));
    let by_first = backgrounds(&first, "span", "src", "data-source");
    assert_eq!(by_first.len(), 6);
    assert_eq!(bg(&by_first, 0), red);
    // Column 2 ("Nobody was hurt."): source 4 (1.8) takes over.
    let third = load(&html, "#summary=2", &profile);
    assert_clean(&third, "summary=2");
    let by_third = backgrounds(&third, "span", "src", "data-source");
    assert_eq!(bg(&by_third, 4), red);
    assert_ne!(bg(&by_first, 0), bg(&by_third, 0));
    assert_ne!(bg(&by_first, 4), bg(&by_third, 4));
    // The selected column's best cell is both selected and starred.
    assert_eq!(third.dom.matches("<td class=\"on best\"").count(), 1);

    // Row 2 ("Two hundred homes were evacuated."): summary sentence 1 (1.5) is the strongest; row 4 moves it to 2.
    let homes = load(&html, "#source=2", &profile);
    assert_clean(&homes, "source=2");
    assert_eq!(attribute(root_tag(&homes.dom), "data-summary-row"), Some("2"));
    let by_homes = backgrounds(&homes, "span", "ssent", "data-col");
    assert_eq!(bg(&by_homes, 1), red);
    let hurt = load(&html, "#source=4", &profile);
    assert_clean(&hurt, "source=4");
    let by_hurt = backgrounds(&hurt, "span", "ssent", "data-col");
    assert_eq!(bg(&by_hurt, 2), red);
    assert_ne!(bg(&by_homes, 1), bg(&by_hurt, 1));
    assert_ne!(bg(&by_homes, 2), bg(&by_hurt, 2));
    // The supported-most sentence is marked, and the clicked source sentence is outlined in the document.
    assert_eq!(tags(&hurt.dom, "span", "ssent top").len(), 1);
    assert_eq!(tags(&hurt.dom, "span", "src on").len(), 1);
}
