//! The drill-down of a refined explanation in headless Chromium: the coarsest units are listed, a split unit opens
//! into its parts when its button is clicked (through the URL hash, as in html_chromium.rs), and a unit kept
//! whole has no button. The terminal shows the same tree with indented parts.

mod common;

use common::browser::{assert_clean, attribute, load};
use common::sample;
use whylm_report::{
    render_html, render_terminal, LevelRefinement, RefinedUnit, RefinementPlan, ReportDoc, TerminalOptions,
};

/// The sample's sentence level refined by its token level: sentence 0 ("The cat sat.") split into its four
/// tokens, sentence 1 (" Then it") kept whole.
fn refined() -> ReportDoc {
    let mut doc = sample();
    let token = doc.levels[0].clone();
    let mut sentence = doc.levels[1].clone();
    sentence.refinement = None;
    let mut parts = token.clone();
    parts.features.truncate(4);
    parts.phi.truncate(4);
    parts.features.push(sentence.features[1].clone());
    parts.phi.push(sentence.phi[1].clone());
    parts.std_err = None;
    let phi_sum = |rows: &[Vec<f64>]| rows.iter().flatten().sum::<f64>();
    let children_sum = phi_sum(&parts.phi[..4]);
    let parent_value = phi_sum(&sentence.phi[..1]);
    parts.refinement = Some(LevelRefinement {
        parent_level: 0,
        budget: 64,
        parent: vec![0, 0, 0, 0, 1],
        split: vec![true, true, true, true, false],
        units: vec![RefinedUnit {
            parent: 0,
            children: vec![0, 1, 2, 3],
            parent_value,
            children_sum,
            discrepancy: children_sum - parent_value,
            std_err: None,
            consistent: false,
        }],
    });
    doc.levels = vec![sentence, parts];
    doc.refinement = Some(RefinementPlan {
        top_k: 1,
        max_evals: 128,
        evaluations: 20,
        split: "half each".into(),
    });
    doc
}

/// The `data-unit` values of the drill-down rows, in document order.
fn units(dom: &str) -> Vec<String> {
    dom.match_indices("<div class=\"unit\"")
        .filter_map(|(i, _)| {
            let tag = &dom[i..i + dom[i..].find('>')?];
            attribute(tag, "data-unit").map(str::to_string)
        })
        .collect()
}

#[test]
fn a_split_unit_opens_into_its_parts_on_click() {
    let dir = tempfile::tempdir().unwrap();
    let doc = refined();
    doc.validate().unwrap();
    let html = dir.path().join("refined.html");
    std::fs::write(&html, render_html(&doc).unwrap()).unwrap();
    let profile = dir.path().join("profile");

    let closed = load(&html, "", &profile);
    assert_clean(&closed, "refined, closed");
    assert_eq!(units(&closed.dom), ["0:0", "0:1"]);
    let buttons = closed
        .dom
        .matches("<button class=\"open\" data-expand=\"0:0\"")
        .count();
    assert_eq!(buttons, 1, "the split unit has a button");
    assert_eq!(
        closed.dom.matches("<button class=\"open\"").count(),
        1,
        "and only it"
    );

    let open = load(&html, "#expand=0:0", &profile);
    assert_clean(&open, "refined, unit 0 open");
    assert_eq!(units(&open.dom), ["0:0", "1:0", "1:1", "1:2", "1:3", "0:1"]);
    assert!(open.dom.contains(", outside the error</span>"));
}

#[test]
fn the_terminal_nests_the_parts_under_their_unit() {
    let options = TerminalOptions {
        color: false,
        ..TerminalOptions::default()
    };
    let text = render_terminal(&refined(), &options).unwrap();
    let tree: Vec<&str> = text[text.find("Drill-down").unwrap()..].lines().collect();
    assert!(tree[1].starts_with("  sentence \"The cat sat.\""), "{}", tree[1]);
    assert!(tree[1].contains("[parts sum"), "{}", tree[1]);
    let parts: Vec<&str> = tree[2..6].iter().map(|l| l.trim_start()).collect();
    assert!(tree[2..6].iter().all(|l| l.starts_with("    token ")), "{tree:?}");
    assert!(parts[1].starts_with("token \"cat\""), "{parts:?}");
    assert!(tree[6].starts_with("  sentence \"Then it\""), "{}", tree[6]);
}
