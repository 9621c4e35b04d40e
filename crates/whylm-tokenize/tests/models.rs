//! The tokenizers of the shared reference models: GGUF-embedded and tokenizer.json must agree,
//! spans must tile the text, and bad files must give clear errors.

use std::path::{Path, PathBuf};
use whylm_tokenize::{TokenizeError, Tokenizer};

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
            // Every byte of the text is covered by exactly one token: the SentencePiece dummy
            // prefix has no source bytes and so never shows up here.
            assert_eq!(covered, *text, "{text:?}");
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
    // And directly against llama.cpp's expected ids for the llama-spm vectors.
    let expected: &[(&str, &[u32])] = &[
        ("Hello world", &[15043, 3186]),
        (" Hello World!", &[29871, 15043, 2787, 29991]),
        ("\n", &[29871, 13]),
        ("   Hello", &[1678, 15043]),
        ("Hello, world!", &[15043, 29892, 3186, 29991]),
    ];
    for (text, ids) in expected {
        assert_eq!(model.encode(text, false).unwrap().ids, *ids, "{text:?}");
    }
    assert_eq!(
        model.encode("Hello world", true).unwrap().ids,
        vec![1, 15043, 3186]
    );
}

fn assert_error(path: &Path, check: impl Fn(&TokenizeError) -> bool) {
    let err = Tokenizer::from_gguf_file(path)
        .err()
        .unwrap_or_else(|| panic!("{} loaded", path.display()));
    assert!(check(&err), "wrong error for {}: {err:?}", path.display());
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "multi-line error: {msg}");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    assert!(msg.contains(name), "error does not name the file: {msg}");
}

#[test]
fn bad_files_give_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(shared("models/stories260K/stories260K.gguf")).unwrap();

    // Cut inside the vocabulary: the magic is right, the metadata ends early.
    let truncated = dir.path().join("truncated.gguf");
    std::fs::write(&truncated, &bytes[..5000]).unwrap();
    assert_error(&truncated, |e| matches!(e, TokenizeError::TruncatedGguf { .. }));

    let not_gguf = dir.path().join("not.gguf");
    std::fs::write(&not_gguf, b"hello, this is not a model").unwrap();
    assert_error(&not_gguf, |e| matches!(e, TokenizeError::NotGguf { .. }));

    let tiny = dir.path().join("tiny.gguf");
    std::fs::write(&tiny, b"GG").unwrap();
    assert_error(&tiny, |e| matches!(e, TokenizeError::NotGguf { .. }));

    assert_error(&dir.path().join("missing.gguf"), |e| {
        matches!(e, TokenizeError::MissingFile { .. })
    });

    assert!(matches!(
        Tokenizer::from_tokenizer_json(b"{ not json"),
        Err(TokenizeError::MalformedTokenizerJson { .. })
    ));
    let no_json = Tokenizer::from_hf_dir(dir.path()).unwrap_err();
    assert!(
        matches!(&no_json, TokenizeError::MissingFile { path } if path.ends_with("tokenizer.json")),
        "{no_json:?}"
    );
    let bad_json_dir = dir.path().join("bad");
    std::fs::create_dir(&bad_json_dir).unwrap();
    std::fs::write(bad_json_dir.join("tokenizer.json"), b"{\"model\": 3}").unwrap();
    let err = Tokenizer::from_hf_dir(&bad_json_dir).unwrap_err();
    assert!(
        matches!(err, TokenizeError::MalformedTokenizerJson { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("tokenizer.json"), "{err}");
}
