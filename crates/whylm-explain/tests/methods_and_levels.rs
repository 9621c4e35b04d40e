//! The method choice, the partition hierarchy and progress reports through `explain` on the real model.

mod common;
use common::ExplainModelOf;

use common::load_hf;
use whylm_explain::{explain, ExplainProgress, ExplainRequest, Level, MethodChoice, ScoreSpec};
use whylm_shapley::Method;

fn request() -> ExplainRequest {
    ExplainRequest {
        prompt: "Tom had a red ball. He threw it, and the dog ran.".into(),
        target: Some("The dog was happy.".into()),
        levels: vec![Level::Token, Level::Word, Level::Sentence],
        score: ScoreSpec::LogProb,
        ..ExplainRequest::default()
    }
}

#[test]
fn auto_picks_exact_for_few_features_and_samples_for_many() {
    let loaded = load_hf();
    let m = loaded.explain_model("stories260K");
    let mut r = request();
    r.max_evals = Some(300);
    let mut seen = Vec::new();
    let doc = explain(&m, &r, &mut |p| {
        if let ExplainProgress::Evaluating {
            index, done, planned, ..
        } = p
        {
            seen.push((index, done, planned));
        }
    })
    .unwrap();
    let by_level: Vec<(&str, &str, usize)> = doc
        .levels
        .iter()
        .map(|l| (l.level.as_str(), l.method.as_str(), l.features.len()))
        .collect();
    // 2 sentences: exact; 14 words and more tokens: 2^n > 300, so sampled
    assert_eq!(by_level[2], ("sentence", "exact", 2));
    let words = by_level[1].2;
    let recommended = whylm_shapley::recommended_method(words, 300).0;
    assert_ne!(recommended, whylm_shapley::Method::Exact);
    assert_eq!(by_level[1].1, recommended.name());
    assert!(by_level[1].2 > 8 && by_level[0].2 > by_level[1].2);
    for level in &doc.levels {
        assert!(
            level.evaluations <= 300,
            "{} used {}",
            level.level,
            level.evaluations
        );
        assert!(
            level.method_reason.starts_with("auto: "),
            "{}",
            level.method_reason
        );
        assert!(
            level.efficiency_residual < 1e-6,
            "{} residual {}",
            level.level,
            level.efficiency_residual
        );
    }
    assert!(doc.levels[0].std_err.is_some(), "kernel reports standard errors");
    // progress: every level reports, and `done` never decreases within a level
    for index in 0..3 {
        let dones: Vec<usize> = seen.iter().filter(|s| s.0 == index).map(|s| s.1).collect();
        assert!(!dones.is_empty(), "level {index} reported progress");
        assert!(dones.windows(2).all(|w| w[0] <= w[1]));
    }
    // the three levels explain the same game at different granularity: v(N) and v(∅) agree
    for level in &doc.levels[1..] {
        for (a, b) in level.full_value.iter().zip(&doc.levels[0].full_value) {
            assert!((a - b).abs() < 1e-5);
        }
    }
}

#[test]
fn partition_uses_the_feature_hierarchy_and_is_efficient() {
    let loaded = load_hf();
    let m = loaded.explain_model("stories260K");
    let mut r = request();
    r.levels = vec![Level::Word];
    r.method = MethodChoice::Fixed(Method::Partition);
    r.max_evals = Some(120);
    let doc = explain(&m, &r, &mut |_| {}).unwrap();
    let level = &doc.levels[0];
    assert_eq!(level.method, "partition");
    assert!(level.evaluations <= 120);
    assert!(level.efficiency_residual < 1e-6);
    assert_eq!(level.method_reason, "partition chosen by the request");
}
