//! Spans, special tokens, pieces, decoding and metadata errors on real vocabularies.

use std::path::{Path, PathBuf};

use whylm_tokenize::{
    EncodeOptions, GgufMetadata, MetaValue as Value, TokenizeError, Tokenizer, TokenizerKind,
};

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel)
}

fn vocab(name: &str) -> Tokenizer {
    Tokenizer::from_gguf_file(shared(&format!("tokenizer-conformance/ggml-vocab-{name}.gguf")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

const PLAIN: EncodeOptions = EncodeOptions {
    add_special: false,
    parse_special: false,
};

#[test]
fn byte_fallback_tokens_share_their_character() {
    let spm = vocab("llama-spm");
    // llama.cpp: "🦙" -> "▁" + the four bytes F0 9F A6 99.
    let enc = spm.encode_with("🦙", PLAIN).unwrap();
    assert_eq!(enc.ids, vec![29871, 243, 162, 169, 156]);
    // The dummy-prefix "▁" stands for no text; the first byte token owns the character.
    assert_eq!(enc.spans, vec![(0, 0), (0, 4), (4, 4), (4, 4), (4, 4)]);
    assert!(enc.special.iter().all(|s| !s));
}

#[test]
fn byte_level_tokens_that_split_a_character() {
    let bpe = vocab("llama-bpe");
    let text = " this is 🦙.cpp";
    let enc = bpe.encode_with(text, PLAIN).unwrap();
    assert_eq!(enc.ids, vec![420, 374, 11410, 99, 247, 13, 11055]);
    // " \xF0\x9F" reaches into the llama, so it is widened to the whole character.
    assert_eq!(
        enc.spans,
        vec![(0, 5), (5, 8), (8, 13), (13, 13), (13, 13), (13, 14), (14, 17)]
    );
}

#[test]
fn leading_spaces_map_to_the_text_not_the_prefix() {
    let spm = vocab("llama-spm");
    let text = " Hello world";
    let enc = spm.encode_with(text, PLAIN).unwrap();
    assert_eq!(enc.ids, vec![29871, 15043, 3186]);
    let slices: Vec<&str> = enc.spans.iter().map(|&(s, e)| &text[s..e]).collect();
    assert_eq!(slices, vec![" ", "Hello", " world"]);
}

#[test]
fn bos_is_added_with_an_empty_span() {
    let spm = vocab("llama-spm");
    let enc = spm.encode("Hello world", true).unwrap();
    assert_eq!(enc.ids, vec![1, 15043, 3186]);
    assert_eq!(enc.spans, vec![(0, 0), (0, 5), (5, 11)]);
    assert_eq!(enc.special, vec![true, false, false]);
    assert!(spm.adds_bos());

    // Llama 3 adds <|begin_of_text|> by llama.cpp's default for the llama-bpe pre-tokenizer;
    // Qwen2 and GPT-2 add nothing.
    let llama3 = vocab("llama-bpe");
    assert_eq!(llama3.bos_id(), Some(128000));
    assert_eq!(llama3.encode("Hello", true).unwrap().ids, vec![128000, 9906]);
    for name in ["qwen2", "gpt-2"] {
        let tok = vocab(name);
        assert!(!tok.adds_bos(), "{name}");
        let with = tok.encode("Hello", true).unwrap().ids;
        let without = tok.encode("Hello", false).unwrap().ids;
        assert_eq!(with, without, "{name}");
    }
}

#[test]
fn special_token_text_is_parsed_only_when_asked() {
    let llama3 = vocab("llama-bpe");
    let text = "<|start_header_id|>user<|end_header_id|>Hi";
    let start = llama3.token_id("<|start_header_id|>").unwrap();
    let end = llama3.token_id("<|end_header_id|>").unwrap();

    let parsed = llama3.encode(text, false).unwrap();
    assert_eq!(parsed.ids[0], start);
    assert_eq!(parsed.ids[2], end);
    assert_eq!(parsed.special, vec![true, false, true, false]);
    assert_eq!(parsed.spans[0], (0, 19));
    assert_eq!(&text[parsed.spans[2].0..parsed.spans[2].1], "<|end_header_id|>");
    assert!(llama3.is_special(start));

    let literal = llama3.encode_with(text, PLAIN).unwrap();
    assert!(!literal.ids.contains(&start) && !literal.ids.contains(&end));
    assert!(literal.special.iter().all(|s| !s));
    let covered: String = literal.spans.iter().map(|&(s, e)| &text[s..e]).collect();
    assert_eq!(covered, text);

    // SentencePiece: "<s>" in the text is BOS when parsed, and the text after it gets its own
    // dummy prefix, as llama.cpp does after a special token.
    let spm = vocab("llama-spm");
    let enc = spm.encode("<s>Hello", false).unwrap();
    assert_eq!(enc.ids, vec![1, 15043]);
    assert_eq!(enc.spans, vec![(0, 3), (3, 8)]);
    assert_ne!(spm.encode_with("<s>Hello", PLAIN).unwrap().ids[0], 1);
}

#[test]
fn pieces_and_readable_pieces() {
    let spm = vocab("llama-spm");
    assert_eq!(spm.piece(15043).as_deref(), Some("▁Hello"));
    assert_eq!(spm.piece_text(15043).as_deref(), Some(" Hello"));
    assert_eq!(spm.piece(13).as_deref(), Some("<0x0A>"));
    assert_eq!(spm.piece_text(13).as_deref(), Some("\n"));
    // A lone lead byte is not text: it stays visible as a byte.
    assert_eq!(spm.piece_text(243).as_deref(), Some("<0xF0>"));
    assert_eq!(spm.piece_text(1).as_deref(), Some("<s>"));
    assert_eq!(spm.token_id("▁Hello"), Some(15043));
    assert_eq!(spm.kind(), TokenizerKind::SentencePieceBpe);
    assert_eq!(spm.vocab_size(), 32000);
    assert_eq!((spm.bos_id(), spm.eos_id()), (Some(1), Some(2)));

    let bpe = vocab("llama-bpe");
    assert_eq!(bpe.piece(22691).as_deref(), Some("ĠHello"));
    assert_eq!(bpe.piece_text(22691).as_deref(), Some(" Hello"));
    assert_eq!(bpe.piece_text(198).as_deref(), Some("\n"));
    assert_eq!(bpe.kind(), TokenizerKind::ByteLevelBpe);
    assert_eq!(bpe.piece(u32::MAX), None);
}

#[test]
fn decode_inverts_encode() {
    let texts = [
        "Hello world",
        " leading space",
        "Zoë 🦙\nnew line",
        "3333 tabs\tand 'quotes'",
    ];
    for name in ["llama-spm", "llama-bpe", "qwen2", "gpt-2", "phi-3"] {
        let tok = vocab(name);
        for text in texts {
            let enc = tok.encode(text, true).unwrap();
            assert_eq!(tok.decode_skip_special(&enc.ids).unwrap(), text, "{name}");
        }
    }
    let spm = vocab("llama-spm");
    assert_eq!(spm.decode(&[1, 15043]).unwrap(), "<s> Hello");
    assert!(matches!(
        spm.decode(&[40000]),
        Err(TokenizeError::UnknownId { id: 40000, .. })
    ));
}

#[test]
fn invalid_utf8_is_refused_with_its_offset() {
    let err = vocab("llama-spm")
        .encode_bytes(&[b'o', b'k', 0xFF, b'!'], false)
        .unwrap_err();
    assert!(matches!(err, TokenizeError::InvalidUtf8 { offset: 2 }), "{err}");
}

fn toy_metadata(model: &str) -> GgufMetadata {
    let mut meta = GgufMetadata::new();
    meta.insert("tokenizer.ggml.model", Value::String(model.into()));
    meta.insert(
        "tokenizer.ggml.tokens",
        Value::Array(vec![Value::String("a".into()), Value::String("b".into())]),
    );
    meta
}

#[test]
fn metadata_errors_say_what_is_missing() {
    let err = Tokenizer::from_gguf_metadata(&toy_metadata("t5")).unwrap_err();
    assert!(matches!(err, TokenizeError::UnsupportedModel { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("t5") && msg.contains("llama") && msg.contains("gpt2"),
        "{msg}"
    );

    let err = Tokenizer::from_gguf_metadata(&GgufMetadata::new()).unwrap_err();
    assert!(
        matches!(&err, TokenizeError::MissingVocabKey { key, .. } if key == "tokenizer.ggml.model"),
        "{err}"
    );

    // A `llama` vocabulary without scores cannot rank its merges.
    let err = Tokenizer::from_gguf_metadata(&toy_metadata("llama")).unwrap_err();
    assert!(
        matches!(&err, TokenizeError::MissingVocabKey { key, .. } if key == "tokenizer.ggml.scores"),
        "{err}"
    );
    // A `gpt2` vocabulary without merges is refused the same way.
    let err = Tokenizer::from_gguf_metadata(&toy_metadata("gpt2")).unwrap_err();
    assert!(
        matches!(&err, TokenizeError::MissingVocabKey { key, .. } if key == "tokenizer.ggml.merges"),
        "{err}"
    );

    let mut meta = toy_metadata("gpt2");
    meta.insert(
        "tokenizer.ggml.merges",
        Value::Array(vec![Value::String("a b".into())]),
    );
    meta.insert("tokenizer.ggml.pre", Value::String("mystery".into()));
    let err = Tokenizer::from_gguf_metadata(&meta).unwrap_err();
    assert!(matches!(err, TokenizeError::UnsupportedModel { .. }));
    assert!(err.to_string().contains("mystery"), "{err}");
}

#[test]
fn tokenizer_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Tokenizer>();
}
