//! `--dtype` and `--max-memory`: bad values and a limit too small for any dtype are one-line user errors, and
//! `inspect` and the report say which dtype ran and how many bytes the weights take.

mod common;

use std::ffi::OsString;

use common::{assert_success, assert_user_error, shared, stdout, whylm, TempDir};
use serde_json::Value;

fn hf_model() -> OsString {
    shared("models/stories260K-hf").into_os_string()
}

fn run(command: &str, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<OsString> = vec![command.into(), "--quiet".into(), "--model".into(), hf_model()];
    if command == "explain" || command == "generate" {
        args.extend(["--prompt".into(), "Once upon a time".into()]);
    }
    args.extend(extra.iter().map(OsString::from));
    whylm(args)
}

#[test]
fn an_unknown_dtype_is_a_user_error() {
    for command in ["explain", "generate"] {
        assert_user_error(&run(command, &["--dtype", "f8"]), "'f8'");
    }
    assert_user_error(&whylm(["inspect", "--dtype", "int4", "x.gguf"]), "'int4'");
}

#[test]
fn a_bad_or_too_small_memory_limit_is_a_user_error() {
    assert_user_error(&run("explain", &["--max-memory", "lots"]), "memory size");
    assert_user_error(
        &run("explain", &["--max-memory", "1K"]),
        "memory limit of 1.0 KiB",
    );
    assert_user_error(
        &run("generate", &["--dtype", "f32", "--max-memory", "2M"]),
        "f32 weights",
    );
}

#[test]
fn inspect_says_which_dtype_ran_and_counts_its_bytes() {
    let text = whylm(["inspect".into(), "--dtype".into(), "f16".into(), hf_model()]);
    assert_success(&text);
    let line = stdout(&text)
        .lines()
        .find(|l| l.starts_with("dtype"))
        .map(str::to_string)
        .expect("a dtype line");
    assert!(line.ends_with("f16 (as asked)"), "{line}");

    let json = whylm([
        "inspect".into(),
        "--json".into(),
        "--dtype".into(),
        "bf16".into(),
        hf_model(),
    ]);
    assert_success(&json);
    let info: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(info["dtype"]["chosen"], "bf16");
    assert_eq!(info["dtype"]["requested"], "bf16");
    let by_type = &info["parameters_by_type"];
    let (matrices, vectors) = (
        by_type["BF16"].as_u64().unwrap(),
        by_type["F32"].as_u64().unwrap(),
    );
    assert_eq!(info["weight_bytes"].as_u64(), Some(2 * matrices + 4 * vectors));

    let auto = whylm([
        "inspect".into(),
        "--json".into(),
        "--max-memory".into(),
        "20M".into(),
        hf_model(),
    ]);
    assert_success(&auto);
    let info: Value = serde_json::from_str(&stdout(&auto)).unwrap();
    assert_eq!(info["dtype"]["requested"], "auto");
    let reason = info["dtype"]["reason"].as_str().unwrap();
    assert!(reason.contains("memory limit of 20.0 MiB"), "{reason}");
}

#[test]
fn the_report_records_the_dtype_and_weight_bytes() {
    let dir = TempDir::new("dtype-report");
    let path = dir.join("report.json");
    let output = run(
        "explain",
        &[
            "--dtype",
            "native",
            "--target",
            " there was",
            "--json",
            path.to_str().unwrap(),
        ],
    );
    assert_success(&output);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(doc["model"]["dtype"], "native");
    assert_eq!(doc["model"]["dtype_reason"], "as asked");
    let inspect = whylm([
        "inspect".into(),
        "--json".into(),
        "--dtype".into(),
        "native".into(),
        hf_model(),
    ]);
    let info: Value = serde_json::from_str(&stdout(&inspect)).unwrap();
    assert_eq!(doc["model"]["weight_bytes"], info["weight_bytes"]);
}
