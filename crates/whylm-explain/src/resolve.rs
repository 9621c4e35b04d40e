//! The user's masker and score choices resolved against the tokenizer: the baseline token's id, the contrast
//! alternative's ids, the shap masker's segments.

use crate::error::ExplainError;
use crate::features::TokenLayout;
use crate::game::GameMasker;
use crate::options::{MaskerSpec, ScoreSpec};
use crate::shap_masker::ShapTextMasker;
use crate::target_tokens::target_tokens;
use whylm_backend::{Encoding, Masker, ScoreKind, TextTokenizer};

/// The game's masker for `spec` over the encoded input.
pub fn game_masker(
    tokenizer: &dyn TextTokenizer,
    spec: &MaskerSpec,
    encoding: &Encoding,
    layout: &TokenLayout<'_>,
) -> Result<GameMasker, ExplainError> {
    Ok(match spec {
        MaskerSpec::Delete => GameMasker::Tokens(Masker::Delete),
        MaskerSpec::Hide => GameMasker::Tokens(Masker::Hide),
        MaskerSpec::Replace { baseline, collapse } => GameMasker::Tokens(Masker::Replace {
            baseline: baseline_id(tokenizer, baseline.as_deref())?,
            collapse: *collapse,
        }),
        MaskerSpec::Shap { mask_token, collapse } => {
            let mut always_kept = vec![true; encoding.len()];
            for t in layout.prompt_tokens() {
                always_kept[t.index] = false;
            }
            GameMasker::Shap(ShapTextMasker::new(
                layout.text,
                &encoding.spans,
                &encoding.special,
                always_kept,
                mask_token,
                *collapse,
            ))
        }
    })
}

pub(crate) fn baseline_id(
    tokenizer: &dyn TextTokenizer,
    baseline: Option<&str>,
) -> Result<u32, ExplainError> {
    match baseline {
        None => ["<unk>", "<pad>", "[UNK]", "[PAD]", "<|endoftext|>"]
            .iter()
            .find_map(|piece| tokenizer.token_id(piece))
            .ok_or_else(|| ExplainError::NoBaseline {
                reason: "the vocabulary has none of <unk>, <pad>, [UNK], [PAD], <|endoftext|>".into(),
            }),
        Some(name) => {
            if let Some(id) = tokenizer.token_id(name) {
                return Ok(id);
            }
            let ids = tokenizer.encode(name, false)?.ids;
            match ids.as_slice() {
                [id] => Ok(*id),
                _ => Err(ExplainError::NoBaseline {
                    reason: format!(
                        "{name:?} is no vocabulary piece and tokenizes to {} tokens",
                        ids.len()
                    ),
                }),
            }
        }
    }
}

/// The score; a contrast's alternative is tokenized as the target is (`target_tokens`): it is another
/// continuation at the same place.
pub fn score_kind(
    tokenizer: &dyn TextTokenizer,
    spec: &ScoreSpec,
    context: &str,
    context_encoding: &Encoding,
    add_special: bool,
    targets: usize,
) -> Result<ScoreKind, ExplainError> {
    Ok(match spec {
        ScoreSpec::LogProb => ScoreKind::LogProb,
        ScoreSpec::Prob => ScoreKind::Prob,
        ScoreSpec::Logit => ScoreKind::Logit,
        ScoreSpec::LogOdds => ScoreKind::LogOdds,
        ScoreSpec::Contrast { alternative } => {
            let ids = target_tokens(tokenizer, context, context_encoding, add_special, alternative)?.ids;
            match ids.len() {
                1 => ScoreKind::Contrast(vec![ids[0]; targets]),
                k if k == targets => ScoreKind::Contrast(ids),
                k => {
                    return Err(ExplainError::BadContrast {
                        alternative: alternative.clone(),
                        tokens: k,
                        target: targets,
                    })
                }
            }
        }
    })
}
