//! The Hugging Face tokenizer files of the toy language: a word-level vocabulary, so one word is one token and
//! word-level explanations of the toy model are token-level ones too.

use crate::vocab::{words, BOS, BOS_ID, EOS, UNK};
use serde_json::{json, Map, Value};

/// `tokenizer.json`: a `WordLevel` model with a `Whitespace` pre-tokenizer (so `has.` still splits into `has` and
/// `.`), no normalizer, and a template post-processor that puts `<s>` before the prompt as Llama tokenizers do.
/// With no decoder, `tokenizers` decodes by joining the words with spaces, which is exactly the language's text.
pub fn tokenizer_json() -> String {
    let vocab: Map<String, Value> = words()
        .iter()
        .enumerate()
        .map(|(id, word)| (word.to_string(), json!(id)))
        .collect();
    let added_tokens: Vec<Value> = [crate::vocab::UNK, BOS, EOS]
        .iter()
        .enumerate()
        .map(|(id, content)| {
            json!({
                "id": id, "content": content, "single_word": false, "lstrip": false, "rstrip": false,
                "normalized": false, "special": true
            })
        })
        .collect();
    let tokenizer = json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added_tokens,
        "normalizer": null,
        "pre_tokenizer": { "type": "Whitespace" },
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                { "SpecialToken": { "id": BOS, "type_id": 0 } },
                { "Sequence": { "id": "A", "type_id": 0 } }
            ],
            "pair": [
                { "SpecialToken": { "id": BOS, "type_id": 0 } },
                { "Sequence": { "id": "A", "type_id": 0 } },
                { "SpecialToken": { "id": BOS, "type_id": 1 } },
                { "Sequence": { "id": "B", "type_id": 1 } }
            ],
            "special_tokens": { BOS: { "id": BOS, "ids": [BOS_ID], "tokens": [BOS] } }
        },
        "decoder": null,
        "model": { "type": "WordLevel", "vocab": vocab, "unk_token": UNK }
    });
    pretty(&tokenizer)
}

/// `tokenizer_config.json`: the same special-token facts for readers that look here instead of the
/// post-processor (transformers' `AutoTokenizer` does).
pub fn tokenizer_config_json(context_len: usize) -> String {
    pretty(&json!({
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": BOS,
        "eos_token": EOS,
        "unk_token": UNK,
        "add_bos_token": true,
        "add_eos_token": false,
        "model_max_length": context_len,
        "clean_up_tokenization_spaces": false
    }))
}

fn pretty(value: &Value) -> String {
    // Serialising a `Value` cannot fail (all keys are strings); fall back to the compact form just in case.
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()) + "\n"
}
