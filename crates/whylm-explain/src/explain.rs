//! The whole explanation as a pipeline: prepare (tokenize, target, score, masker) -> each level (features,
//! method, game, Shapley engine) -> the report document.

use std::time::Instant;

use crate::attention::{attention_summary, AttentionOutcome};
use crate::document::report_document;
use crate::error::ExplainError;
use crate::explanation::Explanation;
use crate::level::{explain_level, LevelIndex};
use crate::model::{ExplainModel, ExplainProgress};
use crate::prepare::prepare;
use crate::refine::explain_refined;
use crate::request::ExplainRequest;
use crate::warnings::Warning;
use whylm_report::ReportDoc;

/// Explains `request` with `m` and writes the report document; see [`ExplainRequest`].
pub fn explain(
    m: &ExplainModel<'_>,
    request: &ExplainRequest,
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<ReportDoc, ExplainError> {
    let started = Instant::now();
    let mut explanation = explain_levels(m, request, progress)?;
    let mut attention = None;
    if request.attention {
        match attention_summary(m, &explanation, request.attention_full, request.batch_size)? {
            AttentionOutcome::Summary(summary) => attention = Some(*summary),
            AttentionOutcome::Unsupported(reason) => explanation
                .warnings
                .push(Warning::AttentionUnsupported { reason }),
        }
    }
    let mut doc = report_document(
        &explanation,
        request,
        &m.info,
        m.backend.tokenizer(),
        started.elapsed().as_secs_f64(),
    );
    doc.attention = attention;
    Ok(doc)
}

/// Explains `request` with `m`: the domain result that [`explain`] turns into the report document.
pub fn explain_levels(
    m: &ExplainModel<'_>,
    request: &ExplainRequest,
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<Explanation, ExplainError> {
    let prepared = prepare(m, request, progress)?;
    let mut warnings = prepared.warnings.clone();
    if let Some(top_k) = request.refine {
        let (levels, level_warnings, plan) = explain_refined(m, request, &prepared, top_k, progress)?;
        warnings.extend(level_warnings);
        return Ok(Explanation {
            prepared,
            levels,
            warnings,
            refinement: Some(plan),
        });
    }
    let count = request.levels.len();
    let mut levels = Vec::with_capacity(count);
    for (index, &level) in request.levels.iter().enumerate() {
        let at = LevelIndex { index, count };
        let (result, level_warnings) = explain_level(m, request, &prepared, level, at, progress)?;
        levels.push(result);
        warnings.extend(level_warnings);
    }
    Ok(Explanation {
        prepared,
        levels,
        warnings,
        refinement: None,
    })
}
