//! Faithfulness of a saved explanation on a model: each level's game is rebuilt from the report document (input
//! token ids, the features' tokens, the target ids, the score and the masker), measured by [`faithfulness`] and
//! written into the level's `faithfulness` field.

use whylm_backend::{Backend, Masker, ScoreKind};
use whylm_report::{FaithfulnessReport, RemovalDrop, ReportDoc};

use crate::faithfulness::{faithfulness, Faithfulness, FaithfulnessError, FaithfulnessSettings};
use crate::game::{GameMasker, LanguageModelGame};
use crate::options::{MaskerSpec, ScoreSpec};
use crate::resolve::baseline_id;

/// Largest batch chosen from the backend's hint (as the explanation's levels).
const MAX_DEFAULT_BATCH: usize = 512;

/// Measures every level of `doc` on `backend` and stores the result in it. `batch_size` None: the backend's
/// hint for rows of this length.
pub fn measure_document(
    backend: &dyn Backend,
    doc: &mut ReportDoc,
    top_k: &[usize],
    lds_samples: usize,
    seed: u64,
    batch_size: Option<usize>,
) -> Result<(), FaithfulnessError> {
    let input_ids: Vec<u32> = doc.input_tokens.iter().map(|t| t.id).collect();
    let target_ids: Vec<u32> = doc.target_tokens.iter().map(|t| t.id).collect();
    let score = score_kind(backend, &doc.score, target_ids.len())?;
    let masker = game_masker(backend, &doc.masker)?;
    let t = target_ids.len();
    let batch_size = batch_size.unwrap_or_else(|| {
        backend
            .batch_hint(input_ids.len() + t, t)
            .clamp(1, MAX_DEFAULT_BATCH)
    });
    let settings = FaithfulnessSettings {
        top_k: top_k.to_vec(),
        lds_samples,
        seed,
        batch_size,
    };
    for level in &mut doc.levels {
        if let Some(bad) = level
            .features
            .iter()
            .flat_map(|f| &f.tokens)
            .find(|&&i| i >= input_ids.len())
        {
            return Err(FaithfulnessError::Unusable(format!(
                "a {} feature names input token {bad}, but the document has {} input tokens",
                level.level,
                input_ids.len()
            )));
        }
        let mut game = LanguageModelGame::new(
            backend,
            input_ids.clone(),
            level.features.iter().map(|f| f.tokens.clone()).collect(),
            target_ids.clone(),
            score.clone(),
            masker.clone(),
        )?;
        let measured = faithfulness(&mut game, &level.phi, &settings)?;
        level.faithfulness = Some(report(measured, seed));
    }
    Ok(())
}

/// The document's score by name; a contrast alternative is tokenized on its own.
fn score_kind(backend: &dyn Backend, score: &str, targets: usize) -> Result<ScoreKind, FaithfulnessError> {
    let spec: ScoreSpec = score
        .parse()
        .map_err(|e| FaithfulnessError::Unusable(format!("its score {score:?} is unknown ({e})")))?;
    Ok(match spec {
        ScoreSpec::LogProb => ScoreKind::LogProb,
        ScoreSpec::Prob => ScoreKind::Prob,
        ScoreSpec::Logit => ScoreKind::Logit,
        ScoreSpec::LogOdds => ScoreKind::LogOdds,
        ScoreSpec::Contrast { alternative } => {
            let ids = backend
                .tokenizer()
                .encode(&alternative, false)
                .map_err(|e| {
                    FaithfulnessError::Unusable(format!("cannot tokenize the contrast {alternative:?}: {e}"))
                })?
                .ids;
            match ids.len() {
                1 => ScoreKind::Contrast(vec![ids[0]; targets]),
                k if k == targets => ScoreKind::Contrast(ids),
                k => {
                    return Err(FaithfulnessError::Unusable(format!(
                        "its contrast {alternative:?} is {k} tokens for {targets} target tokens"
                    )))
                }
            }
        }
    })
}

/// The document's masker by name; shap's masker (re-tokenized text) is not supported yet.
fn game_masker(backend: &dyn Backend, masker: &str) -> Result<GameMasker, FaithfulnessError> {
    let spec: MaskerSpec = masker
        .parse()
        .map_err(|e| FaithfulnessError::Unusable(format!("its masker {masker:?} is unknown ({e})")))?;
    let tokenizer = backend.tokenizer();
    Ok(GameMasker::Tokens(match spec {
        MaskerSpec::Delete => Masker::Delete,
        MaskerSpec::Hide => Masker::Hide,
        MaskerSpec::Replace { baseline, collapse } => Masker::Replace {
            baseline: baseline_id(tokenizer, baseline.as_deref())
                .map_err(|e| FaithfulnessError::Unusable(e.to_string()))?,
            collapse,
        },
        MaskerSpec::Shap { .. } => {
            return Err(FaithfulnessError::Unusable(
                "its shap masker re-tokenizes the prompt text, which faithfulness does not support yet; explain with the delete, hide or replace masker to measure it"
                    .to_string(),
            ))
        }
    }))
}

fn report(f: Faithfulness, seed: u64) -> FaithfulnessReport {
    let (lds_samples, lds, lds_per_token) = match f.lds {
        Some(l) => (l.samples, l.spearman, l.per_token),
        None => (0, None, Vec::new()),
    };
    FaithfulnessReport {
        full_score: f.full_score,
        top_k: f
            .drops
            .into_iter()
            .map(|d| RemovalDrop {
                k: d.k,
                removed: d.removed,
                per_token: d.per_token,
                total: d.total,
            })
            .collect(),
        lds_samples,
        lds,
        lds_per_token,
        seed,
    }
}
