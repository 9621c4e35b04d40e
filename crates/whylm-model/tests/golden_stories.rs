//! stories260K from GGUF (adjacent-pair RoPE) and from the HF directory (rotate-half) must
//! reproduce the reference logits and greedy continuations of golden_stories260K.json.

mod common;

use common::*;
use whylm_model::{GenerateSettings, Model, Sampling, StopReason};

struct Case {
    prompt_ids: Vec<u32>,
    next_ids: Vec<u32>,
    logits: Vec<f32>,
}

fn golden() -> (Vec<Case>, Vec<u32>) {
    let text = std::fs::read_to_string(shared("models/stories260K/golden_stories260K.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ids = |v: &serde_json::Value| -> Vec<u32> {
        json_list(v)
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as u32)
            .collect()
    };
    let cases = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            prompt_ids: ids(&c["prompt_ids"]),
            next_ids: ids(&c["greedy_next_32_ids"]),
            logits: json_list(&c["last_position_logits"])
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect(),
        })
        .collect();
    (cases, ids(&json["unconditional_greedy_from_bos"]["ids"]))
}

fn check_model(model: &Model, label: &str) {
    let (cases, _) = golden();
    assert_eq!(cases.len(), 3);
    for case in &cases {
        let logits = model.last_logits(&case.prompt_ids).unwrap();
        let diff = max_abs_diff(&logits, &case.logits);
        eprintln!(
            "{label}: prompt {:?} max |logit diff| = {diff:.2e}",
            case.prompt_ids
        );
        assert!(diff < 1e-4, "{label}: logits differ by {diff}");
        let settings = GenerateSettings {
            max_new_tokens: 32,
            sampling: Sampling::Greedy,
            stop_tokens: vec![1],
        };
        let gen = model.generate(&case.prompt_ids, &settings, &mut |_| {}).unwrap();
        assert_eq!(gen.tokens, case.next_ids, "{label}: greedy continuation");
        assert_eq!(gen.stop, StopReason::MaxTokens);
    }
}

#[test]
fn gguf_matches_golden_logits_and_greedy() {
    check_model(&stories_gguf().model, "gguf");
}

#[test]
fn hf_dir_matches_golden_logits_and_greedy() {
    check_model(&stories_hf(), "hf");
}

#[test]
fn unconditional_story_stops_at_bos_and_matches_reference() {
    let (_, story) = golden();
    let model = stories_gguf().model;
    let settings = GenerateSettings {
        max_new_tokens: 400,
        sampling: Sampling::Greedy,
        stop_tokens: vec![1],
    };
    let gen = model.generate(&[1], &settings, &mut |_| {}).unwrap();
    let n = gen.tokens.len().min(story.len() - 1);
    assert!(n >= 64, "story too short: {}", gen.tokens.len());
    assert_eq!(gen.tokens[..n], story[1..n + 1]);
}
