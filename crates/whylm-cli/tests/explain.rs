//! `whylm explain` on the real stories260K model (both formats), then `whylm render` of its JSON without it.

mod common;

use std::ffi::OsString;
use std::path::Path;

use common::{assert_success, shared, stderr, stdout, whylm, TempDir};
use serde_json::Value;

const PROMPT: &str = "Once upon a time, there was a little girl named";
const TARGET: &str = "Lily.";

/// Explains PROMPT -> TARGET at the token and word levels, saves the JSON and returns it with the terminal report.
fn explain_to_json(model: &Path, dir: &TempDir) -> (Value, String) {
    let json_path = dir.join("explanation.json");
    let args: Vec<OsString> = vec![
        "explain".into(),
        "--model".into(),
        model.as_os_str().into(),
        "--prompt".into(),
        PROMPT.into(),
        "--target".into(),
        TARGET.into(),
        "--level".into(),
        "token,word".into(),
        "--json".into(),
        json_path.as_os_str().into(),
    ];
    let output = whylm(args);
    assert_success(&output);
    let text = std::fs::read_to_string(&json_path).expect("--json writes the file");
    let json: Value = serde_json::from_str(&text).expect("the explanation file is JSON");
    (json, stdout(&output))
}

fn check_explanation(json: &Value, terminal: &str) {
    assert_eq!(json["prompt"], PROMPT);
    let targets = json["target_tokens"].as_array().expect("target tokens");
    assert!(!targets.is_empty());
    let levels = json["levels"].as_array().expect("levels");
    let names: Vec<&str> = levels.iter().filter_map(|l| l["level"].as_str()).collect();
    assert_eq!(names, ["token", "word"], "the requested levels, in order");

    for level in levels {
        let features = level["features"].as_array().expect("features");
        let phi = level["phi"].as_array().expect("phi");
        assert_eq!(phi.len(), features.len(), "one phi row per feature");
        for row in phi {
            assert_eq!(
                row.as_array().map(Vec::len),
                Some(targets.len()),
                "one value per target token"
            );
        }
        let residual = level["efficiency_residual"].as_f64().expect("a residual");
        assert!(
            residual.abs() < 1e-3,
            "phi adds up to v(N) - v(empty): residual {residual} at {}",
            level["level"]
        );
        // The residual the file states agrees with its own numbers.
        let base = level["base_value"].as_array().unwrap();
        let full = level["full_value"].as_array().unwrap();
        for t in 0..targets.len() {
            let sum: f64 = phi.iter().map(|row| row[t].as_f64().unwrap()).sum();
            let gap = full[t].as_f64().unwrap() - base[t].as_f64().unwrap();
            assert!(
                (sum - gap).abs() < 1e-3,
                "target {t}: sum of phi {sum} vs v(N) - v(empty) {gap}"
            );
        }
    }
    let word_texts: Vec<String> = levels[1]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["text"]
                .as_str()
                .unwrap()
                .trim()
                .trim_end_matches(',')
                .to_string()
        })
        .collect();
    for word in ["Once", "upon", "time", "girl", "named"] {
        assert!(
            word_texts.iter().any(|w| w == word),
            "{word:?} is a word feature: {word_texts:?}"
        );
    }
    // stdout is a pipe here: the terminal report is plain text, without escape codes.
    assert!(
        terminal.contains("girl"),
        "the report shows the prompt:\n{terminal}"
    );
    assert!(
        !terminal.contains('\u{1b}'),
        "no colour codes when stdout is not a terminal"
    );
}

#[test]
fn explains_the_hugging_face_model_and_renders_its_json() {
    let dir = TempDir::new("explain-hf");
    let (json, terminal) = explain_to_json(&shared("models/stories260K-hf"), &dir);
    check_explanation(&json, &terminal);

    let html = dir.join("report.html");
    let svg = dir.join("report.svg");
    let output = whylm([
        "render".as_ref(),
        dir.join("explanation.json").as_os_str(),
        "--html".as_ref(),
        html.as_os_str(),
        "--svg".as_ref(),
        svg.as_os_str(),
    ]);
    assert_success(&output);
    let page = std::fs::read_to_string(&html).expect("render --html writes the page");
    assert!(page.starts_with("<!DOCTYPE html>"));
    for word in ["Once", "upon", "little", "girl", "named"] {
        assert!(page.contains(word), "the page holds the prompt word {word:?}");
    }
    let chart = std::fs::read_to_string(&svg).expect("render --svg writes the chart");
    assert!(chart.contains("<svg"));
    assert!(
        stdout(&output).contains("girl"),
        "render also prints the terminal report"
    );
}

#[test]
fn explains_the_gguf_model_like_the_hugging_face_one() {
    let gguf_dir = TempDir::new("explain-gguf");
    let (gguf, terminal) = explain_to_json(&shared("models/stories260K/stories260K.gguf"), &gguf_dir);
    check_explanation(&gguf, &terminal);
}

#[test]
fn generated_target_and_files_from_explain() {
    let dir = TempDir::new("explain-generate");
    let html = dir.join("report.html");
    let output = whylm([
        "explain".as_ref(),
        "--quiet".as_ref(),
        "--model".as_ref(),
        shared("models/stories260K/stories260K.gguf").as_os_str(),
        "--prompt".as_ref(),
        "Once upon a time".as_ref(),
        "--max-new-tokens".as_ref(),
        "3".as_ref(),
        "--method".as_ref(),
        "loo".as_ref(),
        "--html".as_ref(),
        html.as_os_str(),
        "--json".as_ref(),
        "-".as_ref(),
    ]);
    assert_success(&output);
    assert_eq!(stderr(&output), "", "--quiet prints nothing on stderr");
    // `--json -` puts the explanation, and only it, on stdout.
    let json: Value =
        serde_json::from_str(&stdout(&output)).expect("--json - prints the explanation as JSON");
    let target: String = json["target_tokens"]
        .as_array()
        .expect("target tokens")
        .iter()
        .filter_map(|t| t["text"].as_str())
        .collect();
    // Greedy stories260K continues "Once upon a time" with ", there" (golden_stories260K.json).
    assert!(target.contains("there"), "{target:?}");
    assert!(std::fs::read_to_string(&html).unwrap().contains("upon"));
}

#[test]
fn quiet_explain_prints_only_the_outputs_asked_for() {
    let dir = TempDir::new("explain-quiet");
    let json_path = dir.join("explanation.json");
    let args = |quiet: bool| {
        let mut args: Vec<OsString> = vec![
            "explain".into(),
            "--model".into(),
            shared("models/stories260K-hf").into_os_string(),
            "--prompt".into(),
            PROMPT.into(),
            "--target".into(),
            TARGET.into(),
            "--json".into(),
            json_path.as_os_str().into(),
        ];
        if quiet {
            args.push("--quiet".into());
        }
        args
    };
    let loud = whylm(args(false));
    assert_success(&loud);
    assert!(
        stdout(&loud).contains("girl"),
        "without --quiet the terminal report is on stdout"
    );
    let written = std::fs::read_to_string(&json_path).expect("--json writes the file");
    std::fs::remove_file(&json_path).unwrap();

    let quiet = whylm(args(true));
    assert_success(&quiet);
    assert_eq!(stdout(&quiet), "", "--quiet prints no terminal report");
    assert_eq!(stderr(&quiet), "", "--quiet prints nothing on stderr");
    let quiet_json = std::fs::read_to_string(&json_path).expect("--quiet still writes the files asked for");
    let phi = |text: &str| serde_json::from_str::<Value>(text).unwrap()["levels"][0]["phi"].clone();
    assert_eq!(phi(&quiet_json), phi(&written), "the same explanation either way");
}
