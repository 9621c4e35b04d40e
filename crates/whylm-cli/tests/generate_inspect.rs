//! `whylm generate` and `whylm inspect` on stories260K, checked against its reference data
//! (models/README.md and golden_stories260K.json).

mod common;

use common::{assert_success, shared, stdout, whylm};
use serde_json::Value;

#[test]
fn greedy_generation_matches_the_reference_continuation() {
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(shared("models/stories260K/golden_stories260K.json")).unwrap(),
    )
    .unwrap();
    let case = &golden["cases"][0];
    assert_eq!(case["prompt"], "Once upon a time");
    let expected_ids: Vec<u64> = case["greedy_next_32_ids"].as_array().unwrap()[..8]
        .iter()
        .map(|id| id.as_u64().unwrap())
        .collect();

    for model in [
        shared("models/stories260K/stories260K.gguf"),
        shared("models/stories260K-hf"),
    ] {
        let output = whylm([
            "generate".as_ref(),
            "--quiet".as_ref(),
            "--json".as_ref(),
            "--model".as_ref(),
            model.as_os_str(),
            "--prompt".as_ref(),
            "Once upon a time".as_ref(),
            "--max-new-tokens".as_ref(),
            "8".as_ref(),
        ]);
        assert_success(&output);
        let json: Value = serde_json::from_str(&stdout(&output)).expect("generate --json prints JSON");
        let ids: Vec<u64> = json["generated_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_u64().unwrap())
            .collect();
        assert_eq!(ids, expected_ids, "greedy ids from {}", model.display());
        let text = format!("Once upon a time{}", json["continuation"].as_str().unwrap());
        assert!(
            case["greedy_text"].as_str().unwrap().starts_with(&text),
            "{text:?} starts the reference text"
        );
    }
}

#[test]
fn inspect_reports_the_architecture_of_stories260k() {
    let output = whylm([
        "inspect".as_ref(),
        "--json".as_ref(),
        shared("models/stories260K/stories260K.gguf").as_os_str(),
    ]);
    assert_success(&output);
    let json: Value = serde_json::from_str(&stdout(&output)).expect("inspect --json prints JSON");
    assert_eq!(json["architecture"], "llama");
    assert_eq!(json["format"], "GGUF");
    assert_eq!(json["layers"], 5);
    assert_eq!(json["hidden_size"], 64);
    assert_eq!(json["heads"], 8);
    assert_eq!(json["kv_heads"], 4);
    assert_eq!(json["vocab_size"], 512);
    assert_eq!(json["tokenizer"]["vocab_size"], 512);
    assert_eq!(json["tokenizer"]["bos_id"], 1);
    // 260K parameters by the model's name; the exact count depends on what is counted (tied embeddings).
    let parameters = json["parameters"].as_u64().unwrap();
    assert!(
        (200_000..=300_000).contains(&parameters),
        "{parameters} parameters"
    );
    assert!(json["memory_estimate_bytes"].as_u64().unwrap() >= json["weight_bytes"].as_u64().unwrap());
}

#[test]
fn inspect_text_names_the_format_of_a_hugging_face_directory() {
    let output = whylm(["inspect".as_ref(), shared("models/stories260K-hf").as_os_str()]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(text.contains("Hugging Face"), "{text}");
    assert!(text.contains("5 layers"), "{text}");
}
