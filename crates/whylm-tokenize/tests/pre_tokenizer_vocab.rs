//! Pre-tokenizers through a whole tokenizer, on a small synthetic byte-level vocabulary: where a
//! pre-tokenizer cuts decides which merges can apply, `ignore_merges` takes whole words from the
//! vocabulary, and the BOS default follows llama.cpp per name.

use whylm_tokenize::{GgufMetadata, MetaValue, TokenizeError, Tokenizer, SUPPORTED_GGUF_PRE_TOKENIZERS};

/// GPT-2's byte -> char table: printable bytes stand for themselves, the rest map to U+0100
/// upwards in byte order.
fn byte_chars() -> Vec<char> {
    let printable =
        |b: u32| (33..=126).contains(&b) || (0xA1..=0xAC).contains(&b) || (0xAE..=0xFF).contains(&b);
    let mut next = 256;
    (0..256u32)
        .map(|b| {
            let code = if printable(b) {
                b
            } else {
                next += 1;
                next - 1
            };
            char::from_u32(code).unwrap_or_else(|| panic!("code {code}"))
        })
        .collect()
}

/// Ids 0..256 are the bytes; then `<s>` (BOS), "12" (with its merge) and "abc" (no merge).
fn vocabulary(pre: &str) -> GgufMetadata {
    let mut tokens: Vec<MetaValue> = byte_chars()
        .into_iter()
        .map(|c| MetaValue::String(c.to_string()))
        .collect();
    for extra in ["<s>", "12", "abc"] {
        tokens.push(MetaValue::String(extra.into()));
    }
    let mut types = vec![MetaValue::I32(1); 259];
    types[256] = MetaValue::I32(3);
    let mut meta = GgufMetadata::new();
    meta.insert("tokenizer.ggml.model", MetaValue::String("gpt2".into()));
    meta.insert("tokenizer.ggml.pre", MetaValue::String(pre.into()));
    meta.insert("tokenizer.ggml.tokens", MetaValue::Array(tokens));
    meta.insert("tokenizer.ggml.token_type", MetaValue::Array(types));
    meta.insert(
        "tokenizer.ggml.merges",
        MetaValue::Array(vec![MetaValue::String("1 2".into())]),
    );
    meta.insert("tokenizer.ggml.bos_token_id", MetaValue::U32(256));
    meta
}

const BOS: u32 = 256;
const TWELVE: u32 = 257;
const ABC: u32 = 258;

fn ids(pre: &str, text: &str) -> Vec<u32> {
    let tok = Tokenizer::from_gguf_metadata(&vocabulary(pre)).unwrap_or_else(|e| panic!("{pre}: {e}"));
    tok.encode(text, false)
        .unwrap_or_else(|e| panic!("{pre}: {e}"))
        .ids
}

#[test]
fn digit_grouping_decides_whether_a_digit_merge_applies() {
    let (one, two) = (u32::from(b'1'), u32::from(b'2'));
    for pre in ["llama-bpe", "gpt-2", "deepseek-v3", "falcon", "default"] {
        assert_eq!(ids(pre, "12"), vec![TWELVE], "{pre}");
    }
    for pre in ["qwen2", "starcoder", "deepseek-coder", "tekken", "viking"] {
        assert_eq!(ids(pre, "12"), vec![one, two], "{pre}");
    }
}

#[test]
fn ignore_merges_takes_whole_words_from_the_vocabulary() {
    for pre in ["llama-bpe", "tekken", "glm4", "youtu", "minicpm5"] {
        assert_eq!(ids(pre, "abc"), vec![ABC], "{pre}");
    }
    let bytes: Vec<u32> = b"abc".iter().map(|&b| u32::from(b)).collect();
    for pre in ["qwen2", "gpt-2", "chatglm-bpe", "gpt-4o"] {
        assert_eq!(ids(pre, "abc"), bytes, "{pre}");
    }
}

#[test]
fn bos_defaults_follow_llama_cpp_per_name() {
    for (pre, adds) in [
        ("llama-bpe", true),
        ("pixtral", true),
        ("tekken", true),
        ("chameleon", true),
        ("gpt-4o", false),
        ("qwen2", false),
        ("smollm", false),
    ] {
        let tok = Tokenizer::from_gguf_metadata(&vocabulary(pre)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tok.adds_bos(), adds, "{pre}");
        let first = tok.encode("abc", true).unwrap_or_else(|e| panic!("{e}")).ids[0];
        assert_eq!(first == BOS, adds, "{pre}");
    }
    // the file's own flag wins
    let mut meta = vocabulary("llama-bpe");
    meta.insert("tokenizer.ggml.add_bos_token", MetaValue::Bool(false));
    let tok = Tokenizer::from_gguf_metadata(&meta).unwrap_or_else(|e| panic!("{e}"));
    assert!(!tok.adds_bos());
}

#[test]
fn unsupported_names_are_refused_with_the_supported_list() {
    for pre in ["mystery", "gemma4", "kimi-k2", "roberta-bpe"] {
        let err = Tokenizer::from_gguf_metadata(&vocabulary(pre)).expect_err(pre);
        assert!(matches!(err, TokenizeError::UnsupportedModel { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("`{pre}`")) && msg.contains("llama-bpe, "),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
    }
    assert!(SUPPORTED_GGUF_PRE_TOKENIZERS.len() >= 80);
    for pre in SUPPORTED_GGUF_PRE_TOKENIZERS {
        assert!(Tokenizer::from_gguf_metadata(&vocabulary(pre)).is_ok(), "{pre}");
    }
}
