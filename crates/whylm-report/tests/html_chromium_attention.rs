//! Drives the attention panel and the interaction matrix in headless Chromium: the page loads without JavaScript
//! errors, switching the attention layer, head or view recolours the attention prompt (and the Shapley prompt
//! beside it stays as it was), and clicking an interaction cell shows that pair's coalition values.
//!
//! As in html_chromium.rs, the controls are driven from the URL hash (`#att-layer=1&att-head=0`, `#att-view=rollout`,
//! `#pair=1,4`), which the page turns into the same control changes and clicks a reader makes; the inline
//! background colours are read from the dumped DOM.

mod common;

use common::browser::{assert_clean, attribute, load, root_tag};
use common::sample;
use whylm_report::{
    render_html, AttentionSummary, AttentionView, InteractionMatrix, PairValues, ReportDoc, ViewLevel,
    ViewRemovalDrop,
};

/// A view whose token-level weights put the most weight on feature `peak` (sentence level: on sentence
/// `peak % 2`), for both target tokens.
fn view(kind: &str, layer: Option<usize>, head: Option<usize>, peak: usize) -> AttentionView {
    let token: Vec<f64> = (0..6).map(|i| if i == peak { 0.6 } else { 0.08 }).collect();
    let sentence = if peak < 4 { vec![0.7, 0.3] } else { vec![0.2, 0.8] };
    let entry = |weights: Vec<f64>| ViewLevel {
        spearman: vec![Some(0.5), None],
        top_match: vec![true, false],
        removal_drop: vec![ViewRemovalDrop { k: 1, drop: 0.25 }],
        weights: vec![weights.clone(), weights],
    };
    AttentionView {
        kind: kind.into(),
        layer,
        head,
        levels: vec![entry(token), entry(sentence)],
    }
}

fn document() -> ReportDoc {
    let mut doc = sample();
    let mut views = vec![
        view("rollout", None, None, 0),
        view("mean", Some(0), None, 1),
        view("mean", Some(1), None, 2),
    ];
    for (layer, head, peak) in [(0, 0, 3), (0, 1, 4), (1, 0, 5), (1, 1, 3)] {
        views.push(view("head", Some(layer), Some(head), peak));
    }
    doc.attention = Some(AttentionSummary {
        layer: 1,
        target_to_input: vec![vec![0.4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]; 2],
        num_layers: 2,
        num_heads: 2,
        views,
        shapley_removal_drop: vec![vec![ViewRemovalDrop { k: 1, drop: 0.9 }]; 2],
        full: None,
    });
    doc.levels[0].interactions = Some(InteractionMatrix {
        features: vec![1, 5, 4],
        matrix: vec![vec![0.0, -0.3, 0.2], vec![-0.3, 0.0, 0.05], vec![0.2, 0.05, 0.0]],
        std_err: None,
        exact: true,
        evaluations: 64,
        seed: 0,
        reused: 64,
        pair_values: vec![PairValues {
            a: 1,
            b: 4,
            alone: [-5.0, -4.5, -4.75, -3.875],
            in_context: [-7.0, -6.8, -6.9, -6.55],
        }],
    });
    doc.validate().expect("the attention document is consistent");
    doc
}

/// (feature, inline background) of each span of class `class` in the dumped DOM, in document order.
fn colours(dom: &str, class: &str) -> Vec<(usize, String)> {
    let needle = format!("<span class=\"feat {class}\"");
    dom.match_indices(&needle)
        .map(|(i, _)| &dom[i..i + dom[i..].find('>').unwrap()])
        .map(|tag| {
            let feature = attribute(tag, "data-feature").unwrap().parse().unwrap();
            let style = attribute(tag, "style").unwrap_or("").to_string();
            (feature, style)
        })
        .collect()
}

#[test]
fn switching_layer_head_or_view_recolours_the_attention_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("attention.html");
    std::fs::write(&path, render_html(&document()).unwrap()).unwrap();
    let profile = dir.path().join("profile");

    let pages: Vec<(&str, &str)> = vec![
        ("", "rollout"),
        ("#att-layer=0", "layer 0 mean"),
        ("#att-layer=1&att-head=0", "layer 1 head 0"),
        ("#att-layer=1&att-head=1", "layer 1 head 1"),
    ];
    let mut seen = Vec::new();
    for (hash, name) in &pages {
        let page = load(&path, hash, &profile);
        assert_clean(&page, hash);
        assert_eq!(
            attribute(root_tag(&page.dom), "data-att-view"),
            Some(*name),
            "{hash}"
        );
        let attention = colours(&page.dom, "afeat");
        assert_eq!(attention.len(), 6, "{hash}: six token features");
        seen.push((attention, colours(&page.dom, "sfeat")));
    }
    for a in 0..pages.len() {
        for b in a + 1..pages.len() {
            assert_ne!(
                seen[a].0, seen[b].0,
                "{} and {} colour the same",
                pages[a].0, pages[b].0
            );
            assert_eq!(
                seen[a].1, seen[b].1,
                "the Shapley side does not depend on the attention view"
            );
        }
    }
    // The peak feature of each view is the strongest red: rollout peaks at feature 0, layer 1 head 1 at 3.
    assert!(seen[0].0[0].1.contains("rgb(255, 0, 81)"), "{:?}", seen[0].0);
    assert!(seen[3].0[3].1.contains("rgb(255, 0, 81)"), "{:?}", seen[3].0);

    // Back to rollout from a layer view, and the level switch recolours too.
    let back = load(&path, "#att-layer=1&att-view=rollout", &profile);
    assert_clean(&back, "back to rollout");
    assert_eq!(attribute(root_tag(&back.dom), "data-att-view"), Some("rollout"));
    let sentence = load(&path, "#level=sentence&att-layer=1", &profile);
    assert_clean(&sentence, "sentence level");
    assert_eq!(colours(&sentence.dom, "afeat").len(), 2);
}

#[test]
fn an_interaction_cell_shows_the_pairs_coalition_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.html");
    std::fs::write(&path, render_html(&document()).unwrap()).unwrap();
    let profile = dir.path().join("profile");

    let page = load(&path, "#pair=1,4", &profile);
    assert_clean(&page, "pair 1,4");
    assert_eq!(attribute(root_tag(&page.dom), "data-pair"), Some("1,4"));
    // Both contexts' second differences: -3.875 + 4.5 + 4.75 - 5.0 = 0.375 alone, -6.55 + 6.8 + 6.9 - 7.0 = 0.15
    // kept.
    assert!(
        page.dom.contains("+0.375") && page.dom.contains("+0.150"),
        "the pair's table is shown"
    );
    // Six off-diagonal cells, each clickable.
    assert_eq!(page.dom.matches("<td class=\"cell\"").count(), 6);
    // A pair without stored values says so instead of failing.
    let other = load(&path, "#pair=5,4", &profile);
    assert_clean(&other, "pair 5,4");
    assert!(other.dom.contains("no coalition values for the pair"));
    assert!(
        !other.dom.contains("+0.375"),
        "only the clicked pair's values are shown"
    );
}
