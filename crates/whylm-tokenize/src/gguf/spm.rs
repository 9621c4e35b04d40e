//! GGUF `llama` vocabularies (SentencePiece BPE) as a `tokenizers` BPE model.
//!
//! llama.cpp's SentencePiece tokenizer repeatedly merges the adjacent pair whose concatenation
//! is the vocabulary piece with the highest score (leftmost first on ties), and falls back to
//! `<0xNN>` byte tokens for what no piece covers. A BPE whose merge ranks are the pieces' scores
//! does the same, so the merges are rebuilt from the scores: every split `left + right` of a
//! piece with both halves in the vocabulary, ordered by the piece's score (highest first).
//! DESIGN.md records that this conversion matched llama.cpp on all reference strings, where a
//! Unigram conversion did not.

use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::fuse::Fuse;
use tokenizers::decoders::sequence::Sequence as DecoderSequence;
use tokenizers::decoders::strip::Strip;
use tokenizers::decoders::DecoderWrapper;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::normalizers::{Prepend, Replace, Sequence as NormalizerSequence};

use super::added_tokens::{add_vocab_tokens, invalid, vocab_map};
use super::vocab::GgufVocab;
use crate::error::{Result, TokenizeError};
use crate::parts::{TokenizerKind, TokenizerParts};
use crate::pieces::{PieceStyle, SPM_SPACE};

/// Merges rebuilt from the scores: every split of every piece whose halves are pieces,
/// ranked by the merged piece's score (highest first), ties by piece id then split position.
fn merges_from_scores(vocab: &GgufVocab, map: &Vocab) -> Vec<(String, String)> {
    let mut candidates: Vec<(f32, u32, usize, String, String)> = Vec::new();
    for (id, piece) in vocab.tokens.iter().enumerate() {
        let score = vocab.scores.get(id).copied().unwrap_or(0.0);
        for (pos, _) in piece.char_indices().skip(1) {
            let (left, right) = piece.split_at(pos);
            if map.contains_key(left) && map.contains_key(right) {
                candidates.push((score, id as u32, pos, left.to_string(), right.to_string()));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    candidates
        .into_iter()
        .map(|(_, _, _, left, right)| (left, right))
        .collect()
}

/// Converts a GGUF `llama` vocabulary.
pub(crate) fn build(vocab: &GgufVocab) -> Result<TokenizerParts> {
    if vocab.scores.is_empty() {
        return Err(TokenizeError::MissingVocabKey {
            key: "tokenizer.ggml.scores".into(),
            detail: "a `llama` (SentencePiece) vocabulary needs scores to rank its merges".into(),
        });
    }
    let map = vocab_map(&vocab.tokens)?;
    let merges = merges_from_scores(vocab, &map);

    // llama.cpp's defaults for SentencePiece vocabularies: unk 0, bos 1, eos 2, BOS added.
    let n = vocab.tokens.len();
    let default_id = |id: u32| ((id as usize) < n).then_some(id);
    let unk = vocab.unk_id.or_else(|| default_id(0));
    let bos = vocab.bos_id.or_else(|| default_id(1));
    let eos = vocab.eos_id.or_else(|| default_id(2));

    let mut builder = BPE::builder()
        .vocab_and_merges(map, merges)
        .byte_fallback(true)
        .fuse_unk(true);
    if let Some(unk) = unk {
        builder = builder.unk_token(vocab.tokens[unk as usize].clone());
    }
    let model = builder.build().map_err(invalid)?;

    let mut inner = tokenizers::Tokenizer::new(model);
    let add_space_prefix = vocab.add_space_prefix.unwrap_or(true);
    let escape = Replace::new(" ", SPM_SPACE.to_string()).map_err(invalid)?;
    let normalizer: NormalizerWrapper = if add_space_prefix {
        NormalizerSequence::new(vec![Prepend::new(SPM_SPACE.to_string()).into(), escape.into()]).into()
    } else {
        escape.into()
    };
    inner.with_normalizer(Some(normalizer)).map_err(invalid)?;

    let mut decoders: Vec<DecoderWrapper> = vec![
        tokenizers::normalizers::Replace::new(SPM_SPACE.to_string(), " ")
            .map_err(invalid)?
            .into(),
        ByteFallback::new().into(),
        Fuse::new().into(),
    ];
    if add_space_prefix {
        decoders.push(Strip::new(' ', 1, 0).into());
    }
    inner.with_decoder(Some(DecoderSequence::new(decoders)));

    let special = add_vocab_tokens(&mut inner, vocab)?;

    let add_bos = vocab.add_bos.unwrap_or(true);
    let add_eos = vocab.add_eos.unwrap_or(false);
    Ok(TokenizerParts {
        inner,
        kind: TokenizerKind::SentencePieceBpe,
        style: PieceStyle::SentencePiece,
        prefix: bos.filter(|_| add_bos).into_iter().collect(),
        suffix: eos.filter(|_| add_eos).into_iter().collect(),
        bos,
        eos,
        special,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::vocab::TokenType;

    fn toy_vocab() -> GgufVocab {
        let tokens: Vec<String> = ["<unk>", "<s>", "</s>", "▁", "a", "b", "ab", "▁ab", "ba"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let n = tokens.len();
        GgufVocab {
            model: "llama".into(),
            pre: None,
            scores: vec![0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -0.5, -0.1, -0.2],
            types: vec![TokenType::Unknown, TokenType::Control, TokenType::Control]
                .into_iter()
                .chain(std::iter::repeat(TokenType::Normal))
                .take(n)
                .collect(),
            merges: vec![],
            bos_id: Some(1),
            eos_id: Some(2),
            unk_id: Some(0),
            add_bos: None,
            add_eos: None,
            add_space_prefix: None,
            tokens,
        }
    }

    #[test]
    fn merges_follow_scores_not_ids() {
        let vocab = toy_vocab();
        let map = vocab_map(&vocab.tokens).expect("toy vocab has no duplicates");
        let merges = merges_from_scores(&vocab, &map);
        // "▁ab" (-0.1) beats "ba" (-0.2) beats "ab" (-0.5).
        assert_eq!(
            merges,
            vec![
                ("▁".to_string(), "ab".to_string()),
                ("b".to_string(), "a".to_string()),
                ("a".to_string(), "b".to_string()),
            ]
        );
    }

    #[test]
    fn highest_scoring_pair_wins() {
        // "aba": llama.cpp merges "ba" (-0.2) before "ab" (-0.5): a + ba.
        let parts = build(&toy_vocab()).expect("toy vocab converts");
        let enc = parts.inner.encode("aba", false).expect("encodes");
        assert_eq!(enc.get_ids(), &[3, 4, 8]);
    }

    #[test]
    fn duplicate_pieces_are_rejected() {
        let err = vocab_map(&["a".into(), "a".into()]).unwrap_err();
        assert!(err.to_string().contains("appears twice"), "{err}");
    }
}
