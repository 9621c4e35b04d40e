//! llama.cpp's tokenizer test vectors (tests/test-tokenizer-0.cpp): every input of every
//! vocabulary must give exactly the expected ids.
//!
//! The files are read the way llama.cpp reads them: the whole `.inp` file is split at
//! "\n__ggml_vocab_test__\n" (so an input keeps its own inner newlines but not the newline
//! before the separator), and each `.out` line is stripped and split at spaces. llama.cpp
//! tokenizes with add_special = false and parse_special = false.

use whylm_tokenize::{EncodeOptions, Tokenizer, TokenizerKind};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/tokenizer-conformance"
);

/// Vocabularies this crate ships itself (see tests/data/README.md).
const OWN_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn read_cases(dir: &str, name: &str) -> Vec<(String, Vec<u32>)> {
    let inp = std::fs::read_to_string(format!("{dir}/ggml-vocab-{name}.gguf.inp"))
        .unwrap_or_else(|e| panic!("read {name}.inp: {e}"));
    let out = std::fs::read_to_string(format!("{dir}/ggml-vocab-{name}.gguf.out"))
        .unwrap_or_else(|e| panic!("read {name}.out: {e}"));

    let sep = "\n__ggml_vocab_test__\n";
    let mut inputs = Vec::new();
    let mut pos = 0;
    while pos < inp.len() {
        match inp[pos..].find(sep) {
            Some(next) => {
                inputs.push(inp[pos..pos + next].to_string());
                pos += next + sep.len();
            }
            None => {
                inputs.push(inp[pos..].to_string());
                break;
            }
        }
    }
    let expected: Vec<Vec<u32>> = out
        .lines()
        .map(|line| {
            line.split_whitespace()
                .map(|t| t.parse::<u32>().unwrap_or_else(|e| panic!("bad id {t:?}: {e}")))
                .collect()
        })
        .collect();
    assert_eq!(inputs.len(), expected.len(), "{name}: inputs vs outputs");
    inputs.into_iter().zip(expected).collect()
}

fn check_vocab(name: &str, kind: TokenizerKind) {
    check_vocab_in(DIR, name, kind);
}

fn check_vocab_in(dir: &str, name: &str, kind: TokenizerKind) {
    let tok = Tokenizer::from_gguf_file(format!("{dir}/ggml-vocab-{name}.gguf"))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(tok.kind(), kind, "{name}");
    let cases = read_cases(dir, name);
    assert!(cases.len() >= 40, "{name}: only {} cases", cases.len());
    let options = EncodeOptions {
        add_special: false,
        parse_special: false,
    };
    let mut failures = Vec::new();
    for (input, expected) in &cases {
        let enc = tok
            .encode_with(input, options)
            .unwrap_or_else(|e| panic!("{name}: {input:?}: {e}"));
        if &enc.ids != expected {
            failures.push(format!(
                "  {input:?}\n    expected {expected:?}\n    got      {:?}",
                enc.ids
            ));
        }
        check_span_contract(&tok, input, &enc);
    }
    assert!(
        failures.is_empty(),
        "{name}: {} of {} inputs differ from llama.cpp:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Spans are in order, inside the text, on char boundaries, and the non-special tokens' slices
/// concatenate to the text itself.
fn check_span_contract(tok: &Tokenizer, text: &str, enc: &whylm_tokenize::Encoding) {
    assert_eq!(enc.ids.len(), enc.spans.len());
    assert_eq!(enc.ids.len(), enc.special.len());
    let mut prev_end = 0;
    let mut rebuilt = String::new();
    for (i, &(s, e)) in enc.spans.iter().enumerate() {
        assert!(
            s >= prev_end && s <= e && e <= text.len(),
            "{text:?}: span {i} = {s}..{e}"
        );
        assert!(
            text.is_char_boundary(s) && text.is_char_boundary(e),
            "{text:?}: span {i}"
        );
        prev_end = e;
        if !enc.special[i] {
            rebuilt.push_str(&text[s..e]);
        }
        assert_eq!(enc.special[i], tok.is_special(enc.ids[i]));
    }
    assert_eq!(rebuilt, text, "spans do not cover the text");
}

#[test]
fn llama_spm_matches_llama_cpp() {
    check_vocab("llama-spm", TokenizerKind::SentencePieceBpe);
}

#[test]
fn phi_3_matches_llama_cpp() {
    check_vocab("phi-3", TokenizerKind::SentencePieceBpe);
}

#[test]
fn llama_bpe_matches_llama_cpp() {
    check_vocab("llama-bpe", TokenizerKind::ByteLevelBpe);
}

#[test]
fn qwen2_matches_llama_cpp() {
    check_vocab("qwen2", TokenizerKind::ByteLevelBpe);
}

#[test]
fn gpt_2_matches_llama_cpp() {
    check_vocab("gpt-2", TokenizerKind::ByteLevelBpe);
}

/// Pre-tokenizer `deepseek-coder`: newlines alone, letters and punctuation runs with one
/// optional leading space, CJK runs, single digits.
#[test]
fn deepseek_coder_matches_llama_cpp() {
    check_vocab_in(OWN_DIR, "deepseek-coder", TokenizerKind::ByteLevelBpe);
}

/// Pre-tokenizer `starcoder` (shared with refact, command-r, smollm, codeshell, exaone,
/// minerva-7b, mellum2): single digits, then GPT-2's regex.
#[test]
fn starcoder_matches_llama_cpp() {
    check_vocab_in(OWN_DIR, "starcoder", TokenizerKind::ByteLevelBpe);
}

/// The same vocabulary read from bytes tokenizes the same.
#[test]
fn a_vocabulary_loads_from_its_bytes() {
    let path = format!("{OWN_DIR}/ggml-vocab-starcoder.gguf");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let from_bytes = Tokenizer::from_gguf_bytes(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let from_file = Tokenizer::from_gguf_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let options = EncodeOptions {
        add_special: false,
        parse_special: false,
    };
    for (input, expected) in read_cases(OWN_DIR, "starcoder") {
        let ids = from_bytes
            .encode_with(&input, options)
            .unwrap_or_else(|e| panic!("{e}"))
            .ids;
        assert_eq!(ids, expected, "{input:?}");
        assert_eq!(
            ids,
            from_file
                .encode_with(&input, options)
                .unwrap_or_else(|e| panic!("{e}"))
                .ids
        );
    }
}
