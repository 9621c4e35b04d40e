//! Suite parts (a), (b) and (d) on stories260K: explanations timed end to end (the model
//! loaded once), and prefix sharing off against on.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use whylm_explain::{GameMasker, LanguageModelGame};
use whylm_model::{Backend, Embedded, GenerateSettings, LoadedModel, Masker, Model, Sampling, ScoreKind};
use whylm_shapley::{explain, Explanation, Hierarchy, Method, Settings, ShapleyError};
use whylm_tokenize::Tokenizer;

use crate::error::{BenchError, Result};

/// One timed explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainCase {
    pub name: String,
    pub method: Method,
    pub features: usize,
    pub prompt_tokens: usize,
    pub target_tokens: usize,
    pub evaluations: usize,
    pub seconds: f64,
    pub evaluations_per_second: f64,
    pub efficiency_residual: f64,
}

/// Part (d): the same explanation with prefix sharing off and on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharingCase {
    pub prompt_tokens: usize,
    pub fixed_prefix_tokens: usize,
    pub target_tokens: usize,
    pub method: Method,
    pub evaluations: usize,
    pub seconds_off: f64,
    pub seconds_on: f64,
    pub speedup: f64,
    /// max |Δ phi| between the two runs, over features and target tokens.
    pub max_abs_value_diff: f64,
}

pub(crate) struct Stories {
    pub loaded: LoadedModel,
}

impl Stories {
    pub fn load(path: &Path) -> Result<Self> {
        Ok(Self {
            loaded: whylm_model::load(path)?,
        })
    }

    pub fn model(&self) -> &Model {
        &self.loaded.model
    }

    /// Token ids of `text` with BOS in front.
    pub fn encode(&self, text: &str, path: &Path) -> Result<Vec<u32>> {
        let tok = &self.loaded.tokenizer;
        let mut ids = tok
            .encode(text, true)
            .map_err(|e| BenchError::Tokenizer {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?
            .ids;
        let bos = tok.bos_id().or(self.model().config().bos_token_id).unwrap_or(1);
        if ids.first() != Some(&bos) {
            ids.insert(0, bos);
        }
        Ok(ids)
    }

    /// Greedy continuation of `prompt`, stopping where the model's stop rule says (for the stories: BOS, since
    /// they have no EOS), through the same [`Backend`] the explanations score with.
    pub fn continuation(&self, prompt: &[u32], tokens: usize) -> Result<Vec<u32>> {
        let backend = self.loaded.backend();
        let settings = GenerateSettings {
            max_new_tokens: tokens,
            sampling: Sampling::Greedy,
            stop_tokens: backend.stop_tokens(),
        };
        Ok(backend.generate(prompt, &settings, &mut |_| {})?.tokens)
    }
}

/// Explains the target after `prompt` (the first `fixed` tokens always kept, the others are the
/// features, one token each) with whylm-explain's language-model game, the delete masker and log-probabilities.
pub(crate) fn timed_explanation(
    model: &Model,
    tokenizer: &Tokenizer,
    prompt: &[u32],
    fixed: usize,
    target: &[u32],
    settings: &Settings,
) -> Result<(Explanation, f64)> {
    let backend = Embedded::new(model, tokenizer);
    let fixed = fixed.min(prompt.len());
    let features: Vec<Vec<usize>> = (fixed..prompt.len()).map(|token| vec![token]).collect();
    let mut game = LanguageModelGame::new(
        &backend,
        prompt.to_vec(),
        features,
        target.to_vec(),
        ScoreKind::LogProb,
        GameMasker::Tokens(Masker::Delete),
    )
    .map_err(ShapleyError::from)?;
    let hierarchy = match settings.method {
        Method::Partition => Some(Hierarchy::balanced(prompt.len() - fixed)?),
        _ => None,
    };
    model.clear_prefix_cache();
    let start = Instant::now();
    let e = explain(&mut game, settings, hierarchy.as_ref(), &mut |_| {})?;
    Ok((e, start.elapsed().as_secs_f64()))
}

pub(crate) fn explain_case(
    name: &str,
    loaded: &LoadedModel,
    prompt: &[u32],
    target: &[u32],
    settings: &Settings,
) -> Result<ExplainCase> {
    let (e, seconds) = timed_explanation(&loaded.model, &loaded.tokenizer, prompt, 1, target, settings)?;
    Ok(ExplainCase {
        name: name.to_string(),
        method: settings.method,
        features: prompt.len() - 1,
        prompt_tokens: prompt.len(),
        target_tokens: target.len(),
        evaluations: e.evaluations,
        seconds,
        evaluations_per_second: e.evaluations as f64 / seconds,
        efficiency_residual: e.efficiency_residual,
    })
}

pub(crate) fn max_phi_diff(a: &Explanation, b: &Explanation) -> f64 {
    a.phi
        .iter()
        .flatten()
        .zip(b.phi.iter().flatten())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Part (d): `prompt`'s first `fixed` tokens are never masked; the rest are features.
pub(crate) fn sharing_case(
    loaded: &mut LoadedModel,
    prompt: &[u32],
    fixed: usize,
    target: &[u32],
    settings: &Settings,
) -> Result<SharingCase> {
    let before = loaded.model.prefix_sharing();
    loaded.model.set_prefix_sharing(false);
    let off = timed_explanation(&loaded.model, &loaded.tokenizer, prompt, fixed, target, settings);
    loaded.model.set_prefix_sharing(true);
    let on = timed_explanation(&loaded.model, &loaded.tokenizer, prompt, fixed, target, settings);
    loaded.model.set_prefix_sharing(before);
    let ((off, seconds_off), (on, seconds_on)) = (off?, on?);
    Ok(SharingCase {
        prompt_tokens: prompt.len(),
        fixed_prefix_tokens: fixed,
        target_tokens: target.len(),
        method: settings.method,
        evaluations: on.evaluations,
        seconds_off,
        seconds_on,
        speedup: seconds_off / seconds_on,
        max_abs_value_diff: max_phi_diff(&off, &on),
    })
}
