//! `whylm tokenize` on llama.cpp's vocabulary-only GGUF files gives the ids of llama.cpp's own test vectors.

mod common;

use common::{assert_success, assert_user_error, shared, stdout, whylm};

/// The inputs (`.inp`, separated by `__ggml_vocab_test__` lines) and expected ids (`.out`, one line each).
fn vectors(vocab: &str) -> Vec<(String, String)> {
    let base = shared("tokenizer-conformance").join(format!("ggml-vocab-{vocab}.gguf"));
    let read = |ext: &str| {
        let path = base.with_extension(format!("gguf.{ext}"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    };
    let inputs: Vec<String> = read("inp")
        .split("\n__ggml_vocab_test__\n")
        .map(str::to_string)
        .collect();
    let outputs: Vec<String> = read("out")
        .split('\n')
        .map(|line| line.trim().to_string())
        .collect();
    assert_eq!(
        inputs.len(),
        outputs.len(),
        "one expected line per input for {vocab}"
    );
    inputs.into_iter().zip(outputs).collect()
}

fn check_vocab(vocab: &str, wanted: &[&str]) {
    let model = shared("tokenizer-conformance").join(format!("ggml-vocab-{vocab}.gguf"));
    let vectors = vectors(vocab);
    for input in wanted {
        let (text, expected) = vectors
            .iter()
            .find(|(text, _)| text == input)
            .unwrap_or_else(|| panic!("{input:?} is one of the {vocab} test inputs"));
        let output = whylm([
            "tokenize".as_ref(),
            "--model".as_ref(),
            model.as_os_str(),
            text.as_ref(),
        ]);
        assert_success(&output);
        assert_eq!(stdout(&output).trim(), expected, "ids of {text:?} with {vocab}");
    }
}

#[test]
fn llama3_byte_level_vocabulary_matches_llama_cpp() {
    check_vocab(
        "llama-bpe",
        &["Hello world", " Hello, world!", " this is 🦙.cpp", "Äpfel", "   "],
    );
}

#[test]
fn llama2_sentencepiece_vocabulary_matches_llama_cpp() {
    check_vocab(
        "llama-spm",
        &[
            "Hello world",
            " Hello, world!",
            " this is 🦙.cpp",
            "ied 4 ½ months",
            "\n\n",
        ],
    );
}

#[test]
fn json_output_lists_ids_pieces_and_spans() {
    let model = shared("tokenizer-conformance/ggml-vocab-llama-spm.gguf");
    let output = whylm([
        "tokenize".as_ref(),
        "--json".as_ref(),
        "--model".as_ref(),
        model.as_os_str(),
        "Hello world".as_ref(),
    ]);
    assert_success(&output);
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("tokenize --json prints JSON");
    assert_eq!(json["ids"], serde_json::json!([15043, 3186]));
    let tokens = json["tokens"].as_array().expect("a tokens array");
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[1]["piece"], "▁world");
    // Spans are byte offsets into the input: together the tokens cover "Hello world".
    assert_eq!(tokens[0]["start"], 0);
    assert_eq!(tokens[1]["end"], 11);
}

#[test]
fn add_special_puts_bos_first_and_pieces_are_listed_one_per_line() {
    let model = shared("tokenizer-conformance/ggml-vocab-llama-spm.gguf");
    let output = whylm([
        "tokenize".as_ref(),
        "--add-special".as_ref(),
        "--pieces".as_ref(),
        "--model".as_ref(),
        model.as_os_str(),
        "Hello world".as_ref(),
    ]);
    assert_success(&output);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "BOS plus two tokens: {text}");
    assert!(lines[0].starts_with("1\t"), "Llama 2's BOS is id 1: {text}");
    assert!(
        lines[2].starts_with("3186\t") && lines[2].contains("▁world"),
        "{text}"
    );
}

#[test]
fn a_directory_without_tokenizer_json_is_a_user_error() {
    let output = whylm([
        "tokenize".as_ref(),
        "--model".as_ref(),
        shared("models/stories260K").as_os_str(),
        "hi".as_ref(),
    ]);
    assert_user_error(&output, "tokenizer.json");
}
