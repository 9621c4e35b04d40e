//! Issue 16's measurements on a real instruction-tuned model, SmolLM2-135M-Instruct (Q4_1 GGUF, its chat template
//! inside the file): a question explained with no --prefix/--suffix, and a five-message conversation whose first
//! user message holds the fact the answer needs.

mod common;

use common::{assert_success, shared, stdout, whylm};
use serde_json::Value;

fn smollm2() -> std::path::PathBuf {
    shared("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf")
}

fn explain(extra: &[&str]) -> Value {
    let model = smollm2();
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "explain".as_ref(),
        "--model".as_ref(),
        model.as_os_str(),
        "--json".as_ref(),
        "-".as_ref(),
        "--quiet".as_ref(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let output = whylm(args);
    assert_success(&output);
    serde_json::from_str(&stdout(&output)).expect("--json - prints the document")
}

/// Feature texts of level `level`, by attribution to the whole target (or to target token `token`), largest first.
fn ranking(doc: &Value, level: usize, token: Option<usize>) -> Vec<(String, f64)> {
    let level = &doc["levels"][level];
    let mut ranked: Vec<(String, f64)> = level["features"]
        .as_array()
        .unwrap()
        .iter()
        .zip(level["phi"].as_array().unwrap())
        .map(|(feature, phi)| {
            let phi: Vec<f64> = phi
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            let value = token.map_or_else(|| phi.iter().sum(), |t| phi[t]);
            (feature["text"].as_str().unwrap().to_string(), value)
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked
}

#[test]
fn the_capital_question_credits_capital_or_france_first_with_no_prefix_or_suffix() {
    let doc = explain(&[
        "--user",
        "What is the capital of France?",
        "--target",
        "The capital of France is Paris.",
        "--method",
        "exact",
    ]);
    // the template's own header (SmolLM2 adds a default system prompt) is fixed text, never a feature
    assert!(doc["prefix"].as_str().unwrap().contains("<|im_start|>user\n"));
    assert_eq!(doc["prompt"], "What is the capital of France?");
    let ranked = ranking(&doc, 0, None);
    assert!(
        ["capital", "France"].contains(&ranked[0].0.as_str()),
        "{ranked:?}"
    );
}

const ADA: &str = r#"[
  {"role": "user", "content": "My name is Ada."},
  {"role": "assistant", "content": "Nice to meet you! How can I help you today?"},
  {"role": "user", "content": "What is the weather like on Mars?"},
  {"role": "assistant", "content": "Mars is cold and dry, with dusty winds."},
  {"role": "user", "content": "What is my name?"},
  {"role": "assistant", "content": "Your name is Ada."}
]"#;

#[test]
fn the_turn_that_holds_the_name_is_credited_for_the_answer() {
    let dir = common::TempDir::new("ada");
    let chat = dir.join("ada.json");
    std::fs::write(&chat, ADA).unwrap();
    let chat = chat.to_str().unwrap();
    let all = explain(&["--chat", chat, "--level", "turn"]);
    let target: Vec<&str> = all["target_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    let ada = target
        .iter()
        .position(|t| t.trim() == "Ada")
        .expect("the reply names Ada");
    // With every turn a feature, the answer's name token comes from the first message. (Over the whole target
    // the closing question ranks first: "Your name is" answers it; see BENCHMARKS.md.)
    let for_name = ranking(&all, 0, Some(ada));
    assert_eq!(for_name[0].0, "My name is Ada.", "{for_name:?}");
    // With the question kept (the history explained), the first message is credited most for the whole reply.
    let history = explain(&["--chat", chat, "--level", "turn", "--explain-turns", "history"]);
    let ranked = ranking(&history, 0, None);
    assert_eq!(ranked.len(), 4);
    assert_eq!(ranked[0].0, "My name is Ada.", "{ranked:?}");
}
