//! GGUF `gpt2` vocabularies (byte-level BPE) as a `tokenizers` BPE model.
//!
//! The pre-tokenizer regexes are llama.cpp's (src/llama-vocab.cpp, `llm_tokenizer_bpe`), chosen
//! by `tokenizer.ggml.pre`. llama.cpp applies a list of regexes one after the other, each one
//! splitting the pieces of the previous one and keeping unmatched text as pieces of its own;
//! a sequence of `Split(..., Isolated)` pre-tokenizers does exactly that.

use tokenizers::decoders::byte_level::ByteLevel;
use tokenizers::models::bpe::BPE;
use tokenizers::pre_tokenizers::sequence::Sequence as PreTokenizerSequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::SplitDelimiterBehavior;

use crate::error::{Result, TokenizeError};
use crate::gguf_spm::{add_vocab_tokens, vocab_map};
use crate::gguf_vocab::GgufVocab;
use crate::pieces::PieceStyle;
use crate::tokenizer::{TokenizerKind, TokenizerParts};

const GPT2: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)";
const LLAMA3: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const QWEN2: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Pre-tokenizer names this crate knows, as `tokenizer.ggml.pre` spells them.
pub const SUPPORTED_PRE: &[&str] = &[
    "default",
    "llama3",
    "llama-v3",
    "llama-bpe",
    "falcon3",
    "dbrx",
    "smaug-bpe",
    "gpt-2",
    "phi-2",
    "mpt",
    "olmo",
    "qwen2",
    "deepseek-r1-qwen",
    "stablelm2",
    "megrez",
    "starcoder",
    "refact",
    "command-r",
    "smollm",
    "codeshell",
];

/// The regex list and flags llama.cpp uses for one pre-tokenizer name.
struct PreTokenizerSpec {
    regexes: Vec<&'static str>,
    /// Emit a whole pre-token when it is in the vocabulary (Llama 3).
    ignore_merges: bool,
    /// llama.cpp's default for `add_bos_token` when the file does not say.
    add_bos: bool,
}

fn spec_for(pre: &str) -> Option<PreTokenizerSpec> {
    let spec = |regexes: Vec<&'static str>, ignore_merges, add_bos| PreTokenizerSpec {
        regexes,
        ignore_merges,
        add_bos,
    };
    Some(match pre {
        "llama3" | "llama-v3" | "llama-bpe" | "falcon3" => spec(vec![LLAMA3], true, true),
        "dbrx" | "smaug-bpe" => spec(vec![LLAMA3], false, false),
        "gpt-2" | "phi-2" | "mpt" | "olmo" => spec(vec![GPT2], false, false),
        "qwen2" | "deepseek-r1-qwen" | "stablelm2" | "megrez" => spec(vec![QWEN2], false, false),
        "starcoder" | "refact" | "command-r" | "smollm" | "codeshell" => {
            spec(vec![r"\p{N}", GPT2], false, false)
        }
        "default" => spec(
            vec![r"[\p{P}\$\+<=>\^~\|]+", GPT2, r"\p{N}+", "[0-9][0-9][0-9]"],
            false,
            false,
        ),
        _ => return None,
    })
}

fn invalid(detail: impl std::fmt::Display) -> TokenizeError {
    TokenizeError::InvalidVocab {
        detail: detail.to_string(),
    }
}

/// Splits a GGUF merge line at the first space after its first byte, as llama.cpp does (so a
/// merge whose left half is itself a space still splits right).
fn split_merge(line: &str) -> Option<(String, String)> {
    let first_len = line.chars().next()?.len_utf8();
    let pos = line[first_len..].find(' ')? + first_len;
    Some((line[..pos].to_string(), line[pos + 1..].to_string()))
}

/// Converts a GGUF `gpt2` vocabulary.
pub(crate) fn build(vocab: &GgufVocab) -> Result<TokenizerParts> {
    if vocab.merges.is_empty() {
        return Err(TokenizeError::MissingVocabKey {
            key: "tokenizer.ggml.merges".into(),
            detail: "a `gpt2` (byte-level BPE) vocabulary needs its merges".into(),
        });
    }
    // llama.cpp falls back to "default" (with a warning) when the name is missing.
    let pre_name = vocab.pre.as_deref().unwrap_or("default");
    let spec = spec_for(pre_name).ok_or_else(|| TokenizeError::UnsupportedModel {
        model: format!("gpt2 with pre-tokenizer `{pre_name}`"),
        supported: format!("gpt2 with pre-tokenizer {}", SUPPORTED_PRE.join(", ")),
    })?;

    let map = vocab_map(&vocab.tokens)?;
    let merges = vocab
        .merges
        .iter()
        .map(|line| split_merge(line).ok_or_else(|| invalid(format!("merge {line:?} has no space"))))
        .collect::<Result<Vec<_>>>()?;
    let model = BPE::builder()
        .vocab_and_merges(map, merges)
        .ignore_merges(spec.ignore_merges)
        .build()
        .map_err(invalid)?;

    let mut pre_tokenizers: Vec<PreTokenizerWrapper> = spec
        .regexes
        .iter()
        .map(|re| {
            Split::new(
                SplitPattern::Regex((*re).to_string()),
                SplitDelimiterBehavior::Isolated,
                false,
            )
            .map(PreTokenizerWrapper::from)
            .map_err(invalid)
        })
        .collect::<Result<_>>()?;
    pre_tokenizers.push(ByteLevel::new(false, false, false).into());

    let mut inner = tokenizers::Tokenizer::new(model);
    inner.with_pre_tokenizer(Some(PreTokenizerSequence::new(pre_tokenizers)));
    inner.with_decoder(Some(ByteLevel::new(false, false, false)));
    let special = add_vocab_tokens(&mut inner, vocab)?;

    let add_bos = vocab.add_bos.unwrap_or(spec.add_bos);
    let add_eos = vocab.add_eos.unwrap_or(false);
    Ok(TokenizerParts {
        inner,
        kind: TokenizerKind::ByteLevelBpe,
        style: PieceStyle::ByteLevel,
        prefix: vocab.bos_id.filter(|_| add_bos).into_iter().collect(),
        suffix: vocab.eos_id.filter(|_| add_eos).into_iter().collect(),
        bos: vocab.bos_id,
        eos: vocab.eos_id,
        special,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_lines_split_like_llama_cpp() {
        assert_eq!(split_merge("Ġ t"), Some(("Ġ".into(), "t".into())));
        assert_eq!(split_merge("  t"), Some((" ".into(), "t".into())));
        assert_eq!(split_merge("ab"), None);
    }

    #[test]
    fn every_supported_name_has_a_compiling_spec() {
        for name in SUPPORTED_PRE {
            let spec = spec_for(name).unwrap_or_else(|| panic!("no spec for {name}"));
            for re in spec.regexes {
                assert!(fancy_regex_compiles(re), "{name}: {re}");
            }
        }
        assert!(spec_for("no-such-pre").is_none());
    }

    fn fancy_regex_compiles(re: &str) -> bool {
        Split::new(
            SplitPattern::Regex(re.to_string()),
            SplitDelimiterBehavior::Isolated,
            false,
        )
        .is_ok()
    }
}
