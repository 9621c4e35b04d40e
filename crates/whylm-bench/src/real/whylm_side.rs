//! whylm's side of the real-model section: the exact explanation timed end to end (prefix
//! sharing on, as `whylm explain` runs it), greedy generation, peak memory, the full row's
//! target log-probs.

use std::time::Instant;

use whylm_explain::{GameMasker, LanguageModelGame};
use whylm_model::{Backend, Embedded, GenerateSettings, LoadedModel, MaskedRow, Masker, Sampling, ScoreKind};
use whylm_shapley::{explain, Method, Settings, ShapleyError};

use super::files::Variant;
use super::report::WhylmTimes;
use super::{ChatCase, RealOptions};
use crate::error::Result;
use crate::memory::{peak_rss_bytes, reset_peak};

/// Seconds and evaluations of one exact explanation (a new game, so nothing is cached).
fn explanation(loaded: &LoadedModel, case: &ChatCase) -> Result<(f64, usize)> {
    let backend = Embedded::new(&loaded.model, &loaded.tokenizer);
    let features = case.features.iter().map(|&p| vec![p]).collect();
    let mut game = LanguageModelGame::new(
        &backend,
        case.prompt.clone(),
        features,
        case.target.clone(),
        ScoreKind::LogProb,
        GameMasker::Tokens(Masker::Delete),
    )
    .map_err(ShapleyError::from)?;
    loaded.model.clear_prefix_cache();
    let start = Instant::now();
    let e = explain(
        &mut game,
        &Settings::with_method(Method::Exact),
        None,
        &mut |_| {},
    )?;
    Ok((start.elapsed().as_secs_f64(), e.evaluations))
}

/// Measures one file: loads it (peak memory from here), explains, generates.
pub(super) fn measure(v: &Variant, case: &ChatCase, options: &RealOptions) -> Result<WhylmTimes> {
    reset_peak();
    let loaded = whylm_model::load(&v.path)?;
    let mut best = (f64::INFINITY, 0);
    for _ in 0..options.repeats.max(1) {
        let run = explanation(&loaded, case)?;
        if run.0 < best.0 {
            best = run;
        }
    }
    let settings = GenerateSettings {
        max_new_tokens: options.gen_tokens,
        sampling: Sampling::Greedy,
        stop_tokens: Vec::new(),
    };
    let backend = loaded.backend();
    let mut gen_seconds = f64::INFINITY;
    let mut gen_ids = Vec::new();
    for _ in 0..options.gen_repeats.max(1) {
        let start = Instant::now();
        gen_ids = backend.generate(&case.prompt, &settings, &mut |_| {})?.tokens;
        gen_seconds = gen_seconds.min(start.elapsed().as_secs_f64());
    }
    let logprobs = loaded
        .model
        .score_rows(
            &[MaskedRow::full(&case.prompt)],
            &case.target,
            &ScoreKind::LogProb,
        )?
        .swap_remove(0);
    Ok(WhylmTimes {
        weight_types: type_summary(&loaded.info.parameters_by_type),
        explanation_seconds: best.0,
        evaluations: best.1,
        s_per_eval: best.0 / best.1.max(1) as f64,
        gen_tokens_per_s: gen_ids.len() as f64 / gen_seconds,
        gen_ids,
        peak_rss_bytes: peak_rss_bytes(),
        logprobs,
    })
}

/// "Q5_0 61%, Q8_0 22%, ..." (share of parameters per storage type, largest first).
fn type_summary(by_type: &[(String, usize)]) -> String {
    let total: usize = by_type.iter().map(|(_, n)| n).sum();
    let mut sorted = by_type.to_vec();
    sorted.sort_by_key(|b| std::cmp::Reverse(b.1));
    sorted
        .iter()
        .map(|(t, n)| format!("{t} {:.0}%", 100.0 * *n as f64 / total.max(1) as f64))
        .collect::<Vec<_>>()
        .join(", ")
}
