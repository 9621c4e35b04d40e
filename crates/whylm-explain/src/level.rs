//! One level of an explanation: its features, the method, the language-model game and the Shapley engine.

use crate::error::ExplainError;
use crate::features::Feature;
use crate::game::LanguageModelGame;
use crate::hierarchy::feature_hierarchy;
use crate::interactions::{level_interactions, LevelInteractions, RECORDED_COALITIONS};
use crate::method_choice::choose_method;
use crate::model::{ExplainModel, ExplainProgress};
use crate::options::Level;
use crate::prepare::Prepared;
use crate::request::ExplainRequest;
use crate::warnings::{level_warnings, LevelOutcome, Warning};
use whylm_backend::ScoreKind;
use whylm_shapley::{Method, RecordedGame, Settings};

/// The explanation at one level, before it becomes part of the report document.
#[derive(Debug, Clone)]
pub struct LevelResult {
    pub level: Level,
    pub features: Vec<Feature>,
    /// phi (features x target tokens), v(∅), v(N), std errors, evaluations, method, seed.
    pub explanation: whylm_shapley::Explanation,
    /// Why this method was chosen.
    pub method_reason: String,
    /// Pairwise interactions of the top features and each pair's coalition values, when asked for.
    pub interactions: Option<LevelInteractions>,
    /// With `--refine`: which coarser unit each feature lies in, and how the split units' parts add up.
    pub refinement: Option<whylm_report::LevelRefinement>,
}

/// Largest default batch: beyond this a batch only delays progress reports.
const MAX_DEFAULT_BATCH: usize = 512;

/// Where a level sits among the request's levels, for progress reports.
#[derive(Debug, Clone, Copy)]
pub struct LevelIndex {
    pub index: usize,
    pub count: usize,
}

/// What one Shapley run explains: a level's features (a refined level's are a mix of parts and whole units)
/// with the budget it may spend.
#[derive(Debug, Clone)]
pub struct LevelPlan {
    pub level: Level,
    pub features: Vec<Feature>,
    /// Most model evaluations; None: the method's default (auto: [`crate::DEFAULT_AUTO_BUDGET`]).
    pub max_evals: Option<usize>,
}

/// The features of level `level` of `request`.
pub fn level_features(
    request: &ExplainRequest,
    prepared: &Prepared,
    level: Level,
) -> Result<Vec<Feature>, ExplainError> {
    let layout = prepared.layout();
    match level {
        Level::Custom => layout.custom_features(&request.custom_spans),
        _ => Ok(layout.features(level)),
    }
}

/// Explains level `level` of `request` with the request's budget; with the level's warnings.
pub fn explain_level(
    m: &ExplainModel<'_>,
    request: &ExplainRequest,
    prepared: &Prepared,
    level: Level,
    at: LevelIndex,
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<(LevelResult, Vec<Warning>), ExplainError> {
    let plan = LevelPlan {
        level,
        features: level_features(request, prepared, level)?,
        max_evals: request.max_evals,
    };
    explain_plan(m, request, prepared, plan, at, progress)
}

/// Explains the features of `plan`; with the level's warnings.
pub fn explain_plan(
    m: &ExplainModel<'_>,
    request: &ExplainRequest,
    prepared: &Prepared,
    plan: LevelPlan,
    at: LevelIndex,
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<(LevelResult, Vec<Warning>), ExplainError> {
    let layout = prepared.layout();
    let LevelPlan {
        level,
        features,
        max_evals,
    } = plan;
    let chosen = choose_method(
        request.method,
        features.len(),
        level.name(),
        max_evals,
        request.exact_limit,
    )?;
    let tokens = features.iter().map(|f| f.tokens.clone()).collect();
    let game = level_game(m, prepared, tokens, prepared.score.clone())?;
    let t = prepared.target_ids.len();
    let batch_size = request.batch_size.unwrap_or_else(|| {
        m.backend
            .batch_hint(prepared.encoding.len() + t, t)
            .min(MAX_DEFAULT_BATCH)
    });
    let settings = Settings {
        method: chosen.method,
        max_evals: chosen.max_evals,
        target_std_err: request.target_std_err,
        batch_size: batch_size.max(1),
        seed: request.seed,
        exact_limit: request.exact_limit,
    };
    let hierarchy = match chosen.method {
        Method::Partition => Some(feature_hierarchy(
            layout.prompt_text(),
            &features,
            &layout.prompt_tokens(),
        )?),
        _ => None,
    };
    let mut report = |p: whylm_shapley::Progress| {
        progress(ExplainProgress::Evaluating {
            level,
            index: at.index,
            count: at.count,
            done: p.done,
            planned: p.planned,
        })
    };
    // With interactions asked for, the Shapley run's coalition values are kept for them to reuse.
    let capacity = if request.interactions.is_some() {
        RECORDED_COALITIONS
    } else {
        0
    };
    let mut game = RecordedGame::new(game, capacity);
    let explanation = whylm_shapley::explain(&mut game, &settings, hierarchy.as_ref(), &mut report)?;
    let (inner, known) = game.split();
    let interactions = level_interactions(inner, request, &explanation, level, batch_size, known)?;
    let (masked_rows, changed_rows) = game.inner().masking_effect();
    let warnings = level_warnings(&LevelOutcome {
        level,
        masker: &request.masker.to_string(),
        method: explanation.method,
        base: &explanation.base_value,
        full: &explanation.full_value,
        masked_rows,
        changed_rows,
    });
    let result = LevelResult {
        level,
        features,
        explanation,
        method_reason: chosen.reason,
        interactions,
        refinement: None,
    };
    Ok((result, warnings))
}

/// The language-model game of a level's features with score `score` (a level's own, or log-probabilities for
/// the removal drops).
pub fn level_game<'a>(
    m: &ExplainModel<'a>,
    prepared: &Prepared,
    feature_tokens: Vec<Vec<usize>>,
    score: ScoreKind,
) -> Result<LanguageModelGame<'a>, ExplainError> {
    let game = LanguageModelGame::new(
        m.backend,
        prepared.encoding.ids.clone(),
        feature_tokens,
        prepared.target_ids.clone(),
        score,
        prepared.masker.clone(),
    )
    .and_then(|game| {
        if prepared.add_special_tokens {
            Ok(game)
        } else {
            game.with_text_special_tokens()
        }
    })
    .map_err(whylm_shapley::ShapleyError::from)?;
    Ok(game)
}
