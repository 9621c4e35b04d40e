//! The explanation as the report document (whylm-report's schema): spans relative to the explained region,
//! tokens outside the maskable segments marked special, warnings as text.

use crate::chat::ChatInput;
use crate::explanation::Explanation;
use crate::level::LevelResult;
use crate::request::ExplainRequest;
use whylm_backend::TextTokenizer;
use whylm_report::{InputToken, LevelExplanation, ModelInfo, ReportDoc, TargetToken, SCHEMA_VERSION};

/// The report document of `explanation`, made for `request` with the model described by `model`.
pub fn report_document(
    explanation: &Explanation,
    request: &ExplainRequest,
    model: &ModelInfo,
    tokenizer: &dyn TextTokenizer,
    wall_seconds: f64,
) -> ReportDoc {
    let prepared = &explanation.prepared;
    let text = &prepared.input.text;
    let (start, end) = prepared.input.explained();
    ReportDoc {
        schema_version: SCHEMA_VERSION,
        whylm_version: env!("CARGO_PKG_VERSION").to_string(),
        model: model.clone(),
        prompt: text[start..end].to_string(),
        prefix: text[..start].to_string(),
        suffix: text[end..].to_string(),
        input_tokens: input_tokens(tokenizer, explanation),
        target_tokens: prepared
            .target_ids
            .iter()
            .map(|&id| TargetToken {
                id,
                text: tokenizer.piece_text(id).unwrap_or_default(),
            })
            .collect(),
        score: request.score.to_string(),
        masker: request.masker.to_string(),
        levels: explanation.levels.iter().map(level_explanation).collect(),
        wall_seconds,
        warnings: explanation.warnings.iter().map(ToString::to_string).collect(),
        attention: None,
        task: "explain".to_string(),
        conversation: request.chat.as_ref().map(ChatInput::conversation),
        summary: None,
        refinement: explanation.refinement.clone(),
    }
}

fn level_explanation(result: &LevelResult) -> LevelExplanation {
    let e = &result.explanation;
    LevelExplanation {
        level: result.level.name().to_string(),
        features: result.features.iter().map(whylm_report::Feature::from).collect(),
        phi: e.phi.clone(),
        std_err: e.std_err.clone(),
        base_value: e.base_value.clone(),
        full_value: e.full_value.clone(),
        efficiency_residual: e.efficiency_residual,
        evaluations: e.evaluations,
        method: e.method.name().to_string(),
        method_reason: result.method_reason.clone(),
        seed: e.seed,
        interactions: result.interactions.as_ref().map(|i| {
            let mut matrix = interaction_matrix(&i.found);
            matrix.pair_values = i.pair_values.clone();
            matrix
        }),
        faithfulness: None,
        refinement: result.refinement.clone(),
    }
}

/// The report's K x K view of the interactions (summed over the target tokens).
fn interaction_matrix(found: &whylm_shapley::Interactions) -> whylm_report::InteractionMatrix {
    let k = found.players.len();
    let mut matrix = vec![vec![0.0; k]; k];
    let mut std_err = (!found.exact).then(|| vec![vec![0.0; k]; k]);
    let position = |p: usize| found.players.iter().position(|&q| q == p).unwrap_or(0);
    for pair in &found.pairs {
        let (x, y) = (position(pair.a), position(pair.b));
        matrix[x][y] = pair.total;
        matrix[y][x] = pair.total;
        if let (Some(se), Some(e)) = (std_err.as_mut(), pair.total_std_err) {
            se[x][y] = e;
            se[y][x] = e;
        }
    }
    whylm_report::InteractionMatrix {
        features: found.players.clone(),
        matrix,
        std_err,
        exact: found.exact,
        evaluations: found.evaluations,
        seed: found.seed,
        reused: found.reused,
        pair_values: Vec::new(),
    }
}

/// Every model input token, with spans relative to the explained region. Tokens outside the maskable segments
/// (prefix, suffix, markup) are marked special (never features, always kept) and their spans are clamped to the
/// region (empty at its start or end for a prefix or suffix).
fn input_tokens(tokenizer: &dyn TextTokenizer, explanation: &Explanation) -> Vec<InputToken> {
    let prepared = &explanation.prepared;
    let layout = prepared.layout();
    let encoding = &prepared.encoding;
    let (ps, pe) = layout.prompt;
    let mut in_prompt = vec![None; encoding.len()];
    for t in &layout.prompt_tokens() {
        in_prompt[t.index] = Some(t.span);
    }
    let prompt = layout.prompt_text();
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
