//! The whole explanation: tokenize, find or generate the target, build features per level, run the Shapley
//! engine on the language-model game, and write the report document.

use std::time::Instant;

use crate::error::ExplainError;
use crate::features::{Level, TokenLayout};
use crate::game::{GameMasker, LanguageModelGame};
use crate::hierarchy::feature_hierarchy;
use crate::method_choice::choose_method;
use crate::options::{MaskerSpec, ScoreSpec};
use crate::request::ExplainRequest;
use crate::shap_masker::ShapTextMasker;
use crate::target_tokens::target_tokens;
use crate::warnings::{level_warnings, LevelOutcome};
use whylm_backend::{
    Backend, Encoding, GenerateSettings, Masker, Sampling, ScoreKind, StopReason, TextTokenizer,
};
use whylm_report::{InputToken, LevelExplanation, ModelInfo, ReportDoc, TargetToken, SCHEMA_VERSION};
use whylm_shapley::{Method, Settings};

/// The model to explain (any backend: the embedded runtime, a remote engine, a test double) and what the report
/// says about it.
pub struct ExplainModel<'a> {
    pub backend: &'a dyn Backend,
    pub info: ModelInfo,
}

/// Progress reports, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ExplainProgress {
    /// `tokens` of at most `max` target tokens generated so far.
    Generating { tokens: usize, max: usize },
    /// Level `index` of `count` (`level`): `done` of `planned` coalitions evaluated.
    Evaluating {
        level: Level,
        index: usize,
        count: usize,
        done: usize,
        planned: usize,
    },
}

/// Largest default batch: beyond this a batch only delays progress reports.
const MAX_DEFAULT_BATCH: usize = 512;

/// Explains `request` with `m`; see [`ExplainRequest`].
pub fn explain(
    m: &ExplainModel<'_>,
    request: &ExplainRequest,
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<ReportDoc, ExplainError> {
    let started = Instant::now();
    if request.prompt.is_empty() {
        return Err(ExplainError::EmptyPrompt);
    }
    if request.levels.is_empty() {
        return Err(ExplainError::NoLevels);
    }
    if request.max_evals == Some(0) {
        return Err(ExplainError::ZeroBudget);
    }
    let text = format!("{}{}{}", request.prefix, request.prompt, request.suffix);
    let prompt_range = (request.prefix.len(), request.prefix.len() + request.prompt.len());
    let tokenizer = m.backend.tokenizer();
    let encoding = tokenizer.encode(&text, true)?;
    let layout = TokenLayout {
        text: &text,
        prompt: prompt_range,
        spans: &encoding.spans,
        special: &encoding.special,
    };
    let prompt_tokens = layout.prompt_tokens();
    if prompt_tokens.is_empty() {
        return Err(ExplainError::NoFeatures {
            tokens: encoding.len(),
        });
    }
    let masker = game_masker(m, request, &text, &encoding, &layout)?;
    if matches!(masker, GameMasker::Tokens(Masker::Delete | Masker::Hide))
        && prompt_tokens.len() == encoding.len()
    {
        return Err(ExplainError::NothingAlwaysKept {
            masker: masker_name(&request.masker),
        });
    }

    let context = m.backend.context_length();
    let too_long = |target: usize| ExplainError::PromptTooLong {
        needed: encoding.len() + target,
        input: encoding.len(),
        target,
        context,
    };
    let mut warnings = Vec::new();
    let target_ids = match &request.target {
        Some(target) => {
            let tokens = target_tokens(tokenizer, &text, &encoding, target)?;
            if tokens.ids.is_empty() {
                return Err(ExplainError::EmptyTarget {
                    target: target.clone(),
                });
            }
            warnings.extend(tokens.warning);
            tokens.ids
        }
        // generating needs room for at least one token
        None if encoding.len() >= context => return Err(too_long(1)),
        None => generate(m, request, &encoding.ids, progress)?,
    };
    if encoding.len() + target_ids.len() > context {
        return Err(too_long(target_ids.len()));
    }
    let score = score_kind(tokenizer, &request.score, &text, &encoding, target_ids.len())?;

    let shared = LevelInputs {
        request,
        encoding: &encoding,
        layout: &layout,
        target_ids: &target_ids,
        score,
        masker,
    };
    let mut levels = Vec::with_capacity(request.levels.len());
    for (index, &level) in request.levels.iter().enumerate() {
        let (explanation, level_warnings) = explain_level(m, &shared, level, index, progress)?;
        levels.push(explanation);
        warnings.extend(level_warnings);
    }

    Ok(ReportDoc {
        schema_version: SCHEMA_VERSION,
        whylm_version: env!("CARGO_PKG_VERSION").to_string(),
        model: m.info.clone(),
        prompt: request.prompt.clone(),
        prefix: request.prefix.clone(),
        suffix: request.suffix.clone(),
        input_tokens: input_tokens(tokenizer, &encoding, &layout),
        target_tokens: target_ids
            .iter()
            .map(|&id| TargetToken {
                id,
                text: tokenizer.piece_text(id).unwrap_or_default(),
            })
            .collect(),
        score: request.score.name(),
        masker: masker_name(&request.masker),
        levels,
        wall_seconds: started.elapsed().as_secs_f64(),
        warnings,
        attention: None,
    })
}

/// What every level shares.
struct LevelInputs<'a> {
    request: &'a ExplainRequest,
    encoding: &'a Encoding,
    layout: &'a TokenLayout<'a>,
    target_ids: &'a [u32],
    score: ScoreKind,
    masker: GameMasker,
}

/// One level: its features, the method, the game and the Shapley engine; with the level's warnings.
fn explain_level(
    m: &ExplainModel<'_>,
    inputs: &LevelInputs<'_>,
    level: Level,
    index: usize,
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<(LevelExplanation, Vec<String>), ExplainError> {
    let request = inputs.request;
    let features = inputs.layout.features(level);
    let chosen = choose_method(
        request.method,
        features.len(),
        level.name(),
        request.max_evals,
        request.exact_limit,
    )?;
    let mut game = LanguageModelGame::new(
        m.backend,
        inputs.encoding.ids.clone(),
        features.iter().map(|f| f.tokens.clone()).collect(),
        inputs.target_ids.to_vec(),
        inputs.score.clone(),
        inputs.masker.clone(),
    )
    .map_err(whylm_shapley::ShapleyError::from)?;
    let (seq, t) = (
        inputs.encoding.len() + inputs.target_ids.len(),
        inputs.target_ids.len(),
    );
    let batch_size = request
        .batch_size
        .unwrap_or_else(|| m.backend.batch_hint(seq, t).min(MAX_DEFAULT_BATCH));
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
            &request.prompt,
            &features,
            &inputs.layout.prompt_tokens(),
        )?),
        _ => None,
    };
    let count = request.levels.len();
    let mut report = |p: whylm_shapley::Progress| {
        progress(ExplainProgress::Evaluating {
            level,
            index,
            count,
            done: p.done,
            planned: p.planned,
        })
    };
    let explanation = whylm_shapley::explain(&mut game, &settings, hierarchy.as_ref(), &mut report)?;
    let (masked_rows, changed_rows) = game.masking_effect();
    let warnings = level_warnings(&LevelOutcome {
        level: level.name(),
        masker: &masker_name(&request.masker),
        method: explanation.method,
        base: &explanation.base_value,
        full: &explanation.full_value,
        masked_rows,
        changed_rows,
    });
    let level = LevelExplanation {
        level: level.name().to_string(),
        features,
        phi: explanation.phi,
        std_err: explanation.std_err,
        base_value: explanation.base_value,
        full_value: explanation.full_value,
        efficiency_residual: explanation.efficiency_residual,
        evaluations: explanation.evaluations,
        method: explanation.method.name().to_string(),
        method_reason: chosen.reason,
        seed: explanation.seed,
    };
    Ok((level, warnings))
}

/// The masker's name in the report (its `Display`).
pub fn masker_name(spec: &MaskerSpec) -> String {
    spec.to_string()
}

fn game_masker(
    m: &ExplainModel<'_>,
    request: &ExplainRequest,
    text: &str,
    encoding: &Encoding,
    layout: &TokenLayout<'_>,
) -> Result<GameMasker, ExplainError> {
    Ok(match &request.masker {
        MaskerSpec::Delete => GameMasker::Tokens(Masker::Delete),
        MaskerSpec::Hide => GameMasker::Tokens(Masker::Hide),
        MaskerSpec::Replace { baseline, collapse } => GameMasker::Tokens(Masker::Replace {
            baseline: baseline_id(m.backend.tokenizer(), baseline.as_deref())?,
            collapse: *collapse,
        }),
        MaskerSpec::Shap { mask_token, collapse } => {
            let mut always_kept = vec![true; encoding.len()];
            for t in layout.prompt_tokens() {
                always_kept[t.index] = false;
            }
            GameMasker::Shap(ShapTextMasker::new(
                text,
                &encoding.spans,
                always_kept,
                mask_token,
                *collapse,
            ))
        }
    })
}

fn baseline_id(tokenizer: &dyn TextTokenizer, baseline: Option<&str>) -> Result<u32, ExplainError> {
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
fn score_kind(
    tokenizer: &dyn TextTokenizer,
    spec: &ScoreSpec,
    context: &str,
    context_encoding: &Encoding,
    targets: usize,
) -> Result<ScoreKind, ExplainError> {
    Ok(match spec {
        ScoreSpec::LogProb => ScoreKind::LogProb,
        ScoreSpec::Prob => ScoreKind::Prob,
        ScoreSpec::Logit => ScoreKind::Logit,
        ScoreSpec::LogOdds => ScoreKind::LogOdds,
        ScoreSpec::Contrast { alternative } => {
            let ids = target_tokens(tokenizer, context, context_encoding, alternative)?.ids;
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

fn generate(
    m: &ExplainModel<'_>,
    request: &ExplainRequest,
    input: &[u32],
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<Vec<u32>, ExplainError> {
    let g = &request.generation;
    let sampling = if g.temperature > 0.0 {
        Sampling::Random {
            temperature: g.temperature,
            top_k: g.top_k,
            top_p: g.top_p,
            seed: g.seed,
        }
    } else {
        Sampling::Greedy
    };
    let settings = GenerateSettings {
        max_new_tokens: g.max_new_tokens,
        sampling,
        stop_tokens: m.backend.stop_tokens(),
    };
    let mut count = 0;
    let mut on_token = |_id: u32| {
        count += 1;
        progress(ExplainProgress::Generating {
            tokens: count,
            max: g.max_new_tokens,
        });
    };
    let generation = m.backend.generate(input, &settings, &mut on_token)?;
    if generation.tokens.is_empty() {
        let reason = match generation.stop {
            StopReason::StopToken(id) => format!("it predicted stop token {id}"),
            StopReason::MaxTokens => "max_new_tokens is 0".into(),
            StopReason::ContextFull => "the context is full".into(),
        };
        return Err(ExplainError::NothingGenerated { reason });
    }
    Ok(generation.tokens)
}

/// Every model input token, with spans relative to the prompt. Tokens outside the prompt (prefix, suffix) are
/// marked special (never features, always kept) and get an empty span at the prompt's start or end.
fn input_tokens(
    tokenizer: &dyn TextTokenizer,
    encoding: &Encoding,
    layout: &TokenLayout<'_>,
) -> Vec<InputToken> {
    let (ps, pe) = layout.prompt;
    let prompt_tokens = layout.prompt_tokens();
    let mut in_prompt = vec![None; encoding.len()];
    for t in &prompt_tokens {
        in_prompt[t.index] = Some(t.span);
    }
    let prompt = &layout.text[ps..pe];
    encoding
        .ids
        .iter()
        .zip(&encoding.spans)
        .enumerate()
        .map(|(i, (&id, &(start, end)))| {
            let (start, end) = in_prompt[i].unwrap_or_else(|| {
                let clamp = |p: usize| {
                    let mut p = p.clamp(ps, pe) - ps;
                    while !prompt.is_char_boundary(p) {
                        p -= 1;
                    }
                    p
                };
                (clamp(start), clamp(end.max(start)))
            });
            InputToken {
                id,
                text: tokenizer.piece_text(id).unwrap_or_default(),
                start,
                end,
                special: in_prompt[i].is_none(),
            }
        })
        .collect()
}
