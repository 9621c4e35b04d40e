//! Inputs that fuzzing (fuzz/, issue 15) found crashing a builder, minimised and committed under tests/data/fuzz:
//! each now gives a one-line error.

use std::path::Path;

use whylm_tokenize::{TokenizeError, Tokenizer};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/fuzz")
            .join(name),
    )
    .unwrap()
}

#[test]
fn a_template_naming_a_special_token_it_does_not_define_is_refused() {
    // tokenizers loads this file, then panicked ("no entry found for key") on the first encode: the post-processor's
    // template adds `<7s>` but its special_tokens map only has `<s>`.
    let Err(err) = Tokenizer::from_tokenizer_json(&data("template-names-missing-special-token.json")) else {
        panic!("the broken post-processor was accepted");
    };
    let msg = err.to_string();
    assert!(
        matches!(err, TokenizeError::MalformedTokenizerJson { .. }),
        "{msg}"
    );
    assert!(!msg.contains('\n'), "multi-line error: {msg}");
    assert!(msg.contains("`<7s>`") && msg.contains("special_tokens"), "{msg}");
}
