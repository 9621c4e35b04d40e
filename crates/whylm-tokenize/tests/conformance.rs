//! llama.cpp's tokenizer test vectors: every `.inp` input must encode to the ids on the matching
//! `.out` line, exactly (no BOS: llama.cpp's test tokenizes with add_special = false).

use std::path::{Path, PathBuf};
use whylm_tokenize::Tokenizer;

const SEPARATOR: &str = "\n__ggml_vocab_test__\n";

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tokenizer-conformance")
}

/// Inputs as llama.cpp's test-tokenizer-0 reads them: the file split on the separator lines,
/// the final separator's trailing newline dropped.
fn read_inputs(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut parts: Vec<String> = text.split(SEPARATOR).map(str::to_string).collect();
    // The file starts with a separator line (no leading newline) and ends with one.
    if let Some(first) = parts.first_mut() {
        if let Some(rest) = first.strip_prefix("__ggml_vocab_test__\n") {
            *first = rest.to_string();
        }
    }
    if parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

fn read_expected(path: &Path) -> Vec<Vec<u32>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|line| {
            line.split_whitespace()
                .map(|id| id.parse().expect("numeric id in .out"))
                .collect()
        })
        .collect()
}

fn check_vocab(name: &str) {
    let dir = conformance_dir();
    let gguf = dir.join(format!("ggml-vocab-{name}.gguf"));
    let tokenizer = Tokenizer::from_gguf_file(&gguf).unwrap_or_else(|e| panic!("{name}: {e}"));
    let inputs = read_inputs(&dir.join(format!("ggml-vocab-{name}.gguf.inp")));
    let expected = read_expected(&dir.join(format!("ggml-vocab-{name}.gguf.out")));
    assert_eq!(
        inputs.len(),
        expected.len(),
        "{name}: .inp and .out disagree on the number of cases"
    );
    assert!(
        inputs.len() > 20,
        "{name}: suspiciously few cases ({})",
        inputs.len()
    );
    let mut failures = Vec::new();
    for (input, want) in inputs.iter().zip(&expected) {
        let got = tokenizer
            .encode(input, false)
            .unwrap_or_else(|e| panic!("{name} {input:?}: {e}"))
            .ids;
        if &got != want {
            failures.push(format!("{input:?}\n   want {want:?}\n   got  {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: {} of {} inputs differ:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

#[test]
fn llama_spm_matches_llama_cpp() {
    check_vocab("llama-spm");
}

#[test]
fn llama_bpe_matches_llama_cpp() {
    check_vocab("llama-bpe");
}

#[test]
fn phi_3_matches_llama_cpp() {
    check_vocab("phi-3");
}

#[test]
fn qwen2_matches_llama_cpp() {
    check_vocab("qwen2");
}

#[test]
fn gpt_2_matches_llama_cpp() {
    check_vocab("gpt-2");
}
