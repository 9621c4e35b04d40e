//! The tokenizers of the shared reference models: GGUF-embedded and tokenizer.json must agree,
//! spans must tile the text, and bad files must give clear errors.

use std::path::{Path, PathBuf};
use whylm_tokenize::Tokenizer;

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel)
}

const TEXTS: &[&str] = &[
    "Once upon a time",
    "Lily was sad because her dog ran away.",
    "The little dog ran to the park and",
    "Tom had 3 red balls, 12 cars and a \"big\" box!",
    "She said: hello\nworld",
    "Zoë went to the café",
];

#[test]
fn stories260k_gguf_and_hf_tokenizers_agree() {
    let gguf = Tokenizer::from_gguf_file(shared("models/stories260K/stories260K.gguf")).unwrap();
    let hf = Tokenizer::from_hf_dir(shared("models/stories260K-hf")).unwrap();
    for text in TEXTS {
        let a = gguf.encode(text, true).unwrap();
        let b = hf.encode(text, true).unwrap();
        assert_eq!(a.ids, b.ids, "{text:?}");
    }
    assert_eq!(
        gguf.encode("Once upon a time", true).unwrap().ids,
        vec![1, 403, 407, 261, 378]
    );
    assert_eq!(gguf.bos_id(), Some(1));
    assert_eq!(gguf.vocab_size(), 512);
}

#[test]
fn spans_tile_the_text() {
    let tokenizers = [
        Tokenizer::from_gguf_file(shared("models/stories260K/stories260K.gguf")).unwrap(),
        Tokenizer::from_hf_dir(shared("models/stories260K-hf")).unwrap(),
        Tokenizer::from_gguf_file(shared("tokenizer-conformance/ggml-vocab-llama-bpe.gguf")).unwrap(),
    ];
    for tokenizer in &tokenizers {
        for text in TEXTS {
            let enc = tokenizer.encode(text, true).unwrap();
            assert_eq!(enc.ids.len(), enc.spans.len());
            assert_eq!(enc.ids.len(), enc.special.len());
            let mut previous_end = 0;
            let mut covered = String::new();
            for (i, &(start, end)) in enc.spans.iter().enumerate() {
                assert!(
                    start <= end && end <= text.len(),
                    "{text:?} token {i}: span {start}..{end}"
                );
                if enc.special[i] {
                    continue;
                }
                assert!(
                    start >= previous_end,
                    "{text:?}: spans overlap or go backwards at token {i}"
                );
                covered.push_str(&text[start..end]);
                previous_end = end;
            }
            // Every byte of the text (apart from the SentencePiece prefix space, which has no
            // source bytes) is covered by some token.
            assert_eq!(covered.trim_start(), text.trim_start(), "{text:?}");
        }
    }
}

#[test]
fn llama2_vocabulary_in_a_model_file_matches_the_vocab_only_file() {
    let model =
        Tokenizer::from_gguf_file(shared("models/llama-2-tiny-random/llama-2-tiny-random.gguf")).unwrap();
    let vocab = Tokenizer::from_gguf_file(shared("tokenizer-conformance/ggml-vocab-llama-spm.gguf")).unwrap();
    assert_eq!(model.vocab_size(), 32000);
    for text in TEXTS {
        assert_eq!(
            model.encode(text, false).unwrap().ids,
            vocab.encode(text, false).unwrap().ids,
            "{text:?}"
        );
    }
}

#[test]
fn bad_files_give_one_line_errors() {
    let dir = std::env::temp_dir().join(format!("whylm-tokenize-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = std::fs::read(shared("models/stories260K/stories260K.gguf")).unwrap();
    let truncated = dir.join("truncated.gguf");
    std::fs::write(&truncated, &bytes[..5000]).unwrap();
    let not_gguf = dir.join("not.gguf");
    std::fs::write(&not_gguf, b"hello, this is not a model").unwrap();
    let cases = [truncated, not_gguf, dir.join("missing.gguf")];
    for path in &cases {
        let err = Tokenizer::from_gguf_file(path)
            .err()
            .unwrap_or_else(|| panic!("{} loaded", path.display()));
        let msg = err.to_string();
        assert!(!msg.contains('\n'), "multi-line error: {msg}");
        assert!(
            msg.contains(path.file_name().unwrap().to_str().unwrap()),
            "error does not name the file: {msg}"
        );
    }
    assert!(Tokenizer::from_tokenizer_json(b"{ not json").is_err());
    assert!(
        Tokenizer::from_hf_dir(&dir).is_err(),
        "a directory without tokenizer.json must be refused"
    );
    let invalid_utf8 = Tokenizer::from_hf_dir(shared("models/stories260K-hf"))
        .unwrap()
        .encode_bytes(&[0x66, 0xff, 0x66], true);
    assert!(invalid_utf8.is_err());
    std::fs::remove_dir_all(&dir).ok();
}
