//! `whylm explain` without `--model` runs the built-in default model (whylm-toy) and says so on stderr.

mod common;

use common::{assert_success, stderr, whylm, TempDir};
use serde_json::Value;

/// A recall prompt of the toy language: the answer is the value of the blue cup.
const PROMPT: &str = "the red box has 7 . the blue cup has 3 . the blue cup has";

#[test]
fn explain_without_a_model_uses_the_default_model_and_says_so() {
    let dir = TempDir::new("default-model");
    let json_path = dir.join("explanation.json");
    let output = whylm([
        "explain".as_ref(),
        "--prompt".as_ref(),
        PROMPT.as_ref(),
        "--max-new-tokens".as_ref(),
        "1".as_ref(),
        "--json".as_ref(),
        json_path.as_os_str(),
    ]);
    assert_success(&output);
    let note = stderr(&output);
    assert!(
        note.contains("default model"),
        "stderr says which model runs: {note}"
    );
    assert!(note.contains("--model"), "and how to choose another: {note}");

    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(json["prompt"], PROMPT);
    assert_eq!(
        json["target_tokens"].as_array().map(Vec::len),
        Some(1),
        "one generated token"
    );
    let level = &json["levels"][0];
    assert_eq!(level["level"], "word", "word level by default");
    assert_eq!(
        level["features"].as_array().map(Vec::len),
        Some(PROMPT.split(' ').count())
    );
    assert!(level["efficiency_residual"].as_f64().unwrap() < 1e-3);
}

#[test]
fn quiet_explain_without_a_model_prints_nothing_on_stderr() {
    let output = whylm(["explain", "--quiet", "--prompt", PROMPT, "--target", "3"]);
    assert_success(&output);
    assert_eq!(stderr(&output), "");
}
