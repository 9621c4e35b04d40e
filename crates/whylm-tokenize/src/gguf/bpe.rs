//! GGUF `gpt2` vocabularies (byte-level BPE) as a `tokenizers` BPE model, pre-tokenized the
//! way llama.cpp does for the vocabulary's `tokenizer.ggml.pre` (see [`super::pre_tokenizers`]).

use tokenizers::decoders::byte_level::ByteLevel;
use tokenizers::models::bpe::BPE;
use tokenizers::pre_tokenizers::sequence::Sequence as PreTokenizerSequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::SplitDelimiterBehavior;

use super::added_tokens::{add_vocab_tokens, invalid, vocab_map};
use super::pre_tokenizers::{as_llama_cpp_runs, lookup, SUPPORTED_PRE};
use super::vocab::GgufVocab;
use crate::error::{Result, TokenizeError};
use crate::parts::{TokenizerKind, TokenizerParts};
use crate::pieces::PieceStyle;

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
    let spec = lookup(pre_name).ok_or_else(|| TokenizeError::UnsupportedModel {
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

    let mut pre_tokenizers = regex_splits(spec.regexes)?;
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

/// A pre-tokenizer's regex list as `Split`s, in order.
pub(crate) fn regex_splits(regexes: &[&str]) -> Result<Vec<PreTokenizerWrapper>> {
    regexes
        .iter()
        .map(|re| regex_split(re).map(PreTokenizerWrapper::from))
        .collect()
}

/// One regex of a pre-tokenizer list, as llama.cpp runs it, splitting off every match.
pub(crate) fn regex_split(regex: &str) -> Result<Split> {
    Split::new(
        SplitPattern::Regex(as_llama_cpp_runs(regex)),
        SplitDelimiterBehavior::Isolated,
        false,
    )
    .map_err(|e| invalid(format!("pre-tokenizer regex {regex:?} does not compile: {e}")))
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
    fn every_supported_name_has_compiling_regexes() {
        for name in SUPPORTED_PRE {
            let spec = lookup(name).unwrap_or_else(|| panic!("no spec for {name}"));
            assert!(!spec.regexes.is_empty(), "{name}");
            for re in spec.regexes {
                if let Err(e) = regex_split(re) {
                    panic!("{name}: {e}");
                }
            }
        }
        assert!(lookup("no-such-pre").is_none());
    }
}
