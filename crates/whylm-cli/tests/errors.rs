//! Every user mistake ends with exit code 2 and one line `error: <what is wrong>; <what to do>` on stderr, never
//! a panic or a backtrace (the binary runs with RUST_BACKTRACE=1 here).

mod common;

use std::ffi::OsString;

use common::{assert_user_error, shared, whylm, TempDir};

fn hf_model() -> OsString {
    shared("models/stories260K-hf").into_os_string()
}

/// `whylm explain --model stories260K-hf --quiet` followed by `extra`.
fn explain_with(extra: &[&str]) -> std::process::Output {
    let mut args: Vec<OsString> = vec!["explain".into(), "--quiet".into(), "--model".into(), hf_model()];
    args.extend(extra.iter().map(OsString::from));
    whylm(args)
}

#[test]
fn missing_model_file() {
    let output = whylm([
        "explain",
        "--model",
        "/no/such/dir/model.gguf",
        "--prompt",
        "Once upon a time",
    ]);
    assert_user_error(&output, "does not exist");
}

#[test]
fn directory_without_config_json() {
    let dir = TempDir::new("no-config");
    std::fs::write(dir.join("tokenizer.json"), "{}").unwrap();
    let output = whylm([
        "explain".as_ref(),
        "--model".as_ref(),
        dir.path().as_os_str(),
        "--prompt".as_ref(),
        "Hi".as_ref(),
    ]);
    assert_user_error(&output, "config.json");
}

#[test]
fn empty_prompt() {
    assert_user_error(&explain_with(&["--prompt", ""]), "prompt is empty");
    assert_user_error(&explain_with(&["--prompt", "  \n"]), "prompt is empty");
}

#[test]
fn target_that_tokenizes_to_nothing() {
    let output = explain_with(&["--prompt", "Once upon a time", "--target", ""]);
    assert_user_error(&output, "target");
}

#[test]
fn prompt_of_only_special_tokens() {
    let output = explain_with(&["--prompt", "<s>", "--target", "Lily"]);
    assert_user_error(&output, "special tokens");
}

#[test]
fn exact_method_above_its_limit() {
    let prompt = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen \
                  sixteen seventeen eighteen nineteen twenty twentyone twentytwo";
    let output = explain_with(&[
        "--prompt", prompt, "--target", "Lily", "--level", "word", "--method", "exact",
    ]);
    assert_user_error(&output, "exact");
}

#[test]
fn interaction_budget_too_small_to_sample() {
    // 16 words, over the exact interaction limit (14), and a sampled Shapley run, so no coalition table covers the
    // pairs: the interactions must be sampled, and 3 evaluations cannot sample one pair.
    let output = explain_with(&[
        "--prompt",
        "Once upon a time there was a little girl who saw a big dog in the park",
        "--target",
        "Lily",
        "--method",
        "kernel",
        "--max-evals",
        "64",
        "--interactions",
        "2",
        "--interaction-evals",
        "3",
    ]);
    assert_user_error(&output, "raise the budget");
}

#[test]
fn zero_evaluation_budget() {
    let output = explain_with(&["--prompt", "Once upon a time", "--max-evals", "0"]);
    assert_user_error(&output, "--max-evals");
}

#[test]
fn prompt_file_that_is_not_utf8() {
    let dir = TempDir::new("latin1");
    let file = dir.join("prompt.txt");
    std::fs::write(&file, b"Caf\xe9 au lait").unwrap();
    let output = explain_with(&["--prompt-file", file.to_str().unwrap()]);
    assert_user_error(&output, "not UTF-8");
}

#[test]
fn prompt_file_that_does_not_exist() {
    let output = explain_with(&["--prompt-file", "/no/such/prompt.txt"]);
    assert_user_error(&output, "prompt file");
}

#[test]
fn render_of_unreadable_json() {
    let dir = TempDir::new("bad-json");
    let file = dir.join("explanation.json");
    std::fs::write(&file, "{\"schema_version\": 1, oops").unwrap();
    let output = whylm(["render".as_ref(), file.as_os_str()]);
    assert_user_error(&output, "JSON");
}

#[test]
fn render_of_json_that_is_no_explanation() {
    let dir = TempDir::new("other-json");
    let file = dir.join("explanation.json");
    std::fs::write(&file, "{\"schema_version\": 1, \"hello\": []}").unwrap();
    let output = whylm([
        "render".as_ref(),
        file.as_os_str(),
        "--html".as_ref(),
        dir.join("x.html").as_os_str(),
    ]);
    assert_user_error(&output, "schema");
    assert!(
        !dir.join("x.html").exists(),
        "nothing is written for a document that could not be read"
    );
}

#[test]
fn render_of_a_missing_file() {
    assert_user_error(
        &whylm(["render", "/no/such/explanation.json"]),
        "explanation.json",
    );
}

#[test]
fn unknown_masker_score_and_level() {
    assert_user_error(&explain_with(&["--prompt", "Hi", "--masker", "blank"]), "masker");
    assert_user_error(&explain_with(&["--prompt", "Hi", "--score", "loss"]), "score");
    assert_user_error(
        &explain_with(&["--prompt", "Hi", "--level", "word,chapter"]),
        "chapter",
    );
}

#[test]
fn contrast_that_does_not_fit_the_target() {
    let output = explain_with(&[
        "--prompt",
        "Once upon a time",
        "--target",
        "Lily",
        "--score",
        "contrast:a big dog",
    ]);
    assert_user_error(&output, "contrast");
}

#[test]
fn missing_prompt_is_a_one_line_usage_error() {
    let output = whylm(["explain", "--model", "whatever.gguf"]);
    assert_user_error(&output, "--prompt");
}

#[test]
fn tokenize_with_a_missing_model() {
    assert_user_error(
        &whylm(["tokenize", "--model", "/no/such/vocab.gguf", "hi"]),
        "does not exist",
    );
}

#[test]
fn inspect_a_file_that_is_not_a_model() {
    let dir = TempDir::new("not-gguf");
    let file = dir.join("model.gguf");
    std::fs::write(&file, "this is not a GGUF file").unwrap();
    assert_user_error(&whylm(["inspect".as_ref(), file.as_os_str()]), "model.gguf");
}

#[test]
fn bench_extra_types_need_llama_cpp_and_a_type_it_knows() {
    assert_user_error(
        &whylm(["bench", "--real-only", "--real-extra", "Q4_0"]),
        "--llama-cpp",
    );
    // Any existing file passes the --llama-cpp check; the type is refused before anything runs.
    let python = std::env::current_exe().unwrap();
    assert_user_error(
        &whylm([
            "bench".as_ref(),
            "--real-only".as_ref(),
            "--llama-cpp".as_ref(),
            python.as_os_str(),
            "--real-extra".as_ref(),
            "Q4_0,Q9_K".as_ref(),
        ]),
        "\"Q9_K\"",
    );
}
