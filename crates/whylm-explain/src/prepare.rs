//! The first stage of an explanation: render and tokenize the input, find or generate the target, resolve the
//! score and the masker, and refuse every request that cannot work before any model evaluation.

use crate::error::ExplainError;
use crate::features::TokenLayout;
use crate::game::GameMasker;
use crate::generate::generate_target;
use crate::input::RenderedInput;
use crate::model::{ExplainModel, ExplainProgress};
use crate::request::ExplainRequest;
use crate::resolve::{game_masker, score_kind};
use crate::target_tokens::target_tokens;
use crate::warnings::Warning;
use whylm_backend::{Encoding, Masker, ScoreKind};

/// Everything the levels share.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub input: RenderedInput,
    /// The input's tokens, with the model's special tokens (BOS) added.
    pub encoding: Encoding,
    pub target_ids: Vec<u32>,
    pub score: ScoreKind,
    pub masker: GameMasker,
    /// Whether the tokenizer added the model's special tokens (BOS) to the input: not for a rendered chat, whose
    /// template writes them itself (as transformers' apply_chat_template tokenizes).
    pub add_special_tokens: bool,
    pub warnings: Vec<Warning>,
}

impl Prepared {
    /// Where the maskable segments' tokens lie.
    pub fn layout(&self) -> TokenLayout<'_> {
        TokenLayout {
            text: &self.input.text,
            prompt: self.input.explained(),
            maskable: self.input.maskable_ranges(),
            spans: &self.encoding.spans,
            special: &self.encoding.special,
        }
    }
}

/// Checks `request`, tokenizes its input and finds its target.
pub fn prepare(
    m: &ExplainModel<'_>,
    request: &ExplainRequest,
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<Prepared, ExplainError> {
    let input = RenderedInput::render(&request.input_segments()?);
    if !input.has_maskable_text() {
        return Err(ExplainError::EmptyPrompt);
    }
    if request.levels.is_empty() {
        return Err(ExplainError::NoLevels);
    }
    crate::refine_check::check_refinement(request)?;
    if request.max_evals == Some(0) {
        return Err(ExplainError::ZeroBudget);
    }
    let tokenizer = m.backend.tokenizer();
    let add_special_tokens = request.chat.is_none() && !request.special_tokens_in_text;
    let encoding = tokenizer.encode(&input.text, add_special_tokens)?;
    let mut prepared = Prepared {
        input,
        encoding,
        target_ids: Vec::new(),
        score: ScoreKind::LogProb,
        masker: GameMasker::Tokens(Masker::Delete),
        add_special_tokens,
        warnings: Vec::new(),
    };
    let layout = prepared.layout();
    let feature_tokens = layout.prompt_tokens().len();
    if feature_tokens == 0 {
        return Err(ExplainError::NoFeatures {
            tokens: prepared.encoding.len(),
        });
    }
    let masker = game_masker(tokenizer, &request.masker, &prepared.encoding, &layout)?;
    if matches!(masker, GameMasker::Tokens(Masker::Delete | Masker::Hide))
        && feature_tokens == prepared.encoding.len()
    {
        return Err(ExplainError::NothingAlwaysKept {
            masker: request.masker.to_string(),
        });
    }
    prepared.masker = masker;
    let (target_ids, warning) = target(m, request, &prepared, progress)?;
    prepared.warnings.extend(warning);
    prepared.score = score_kind(
        tokenizer,
        &request.score,
        &prepared.input.text,
        &prepared.encoding,
        add_special_tokens,
        target_ids.len(),
    )?;
    prepared.target_ids = target_ids;
    Ok(prepared)
}

/// The target's ids (given or generated), checked against the model's context.
fn target(
    m: &ExplainModel<'_>,
    request: &ExplainRequest,
    prepared: &Prepared,
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<(Vec<u32>, Option<Warning>), ExplainError> {
    let encoding = &prepared.encoding;
    let context = m.backend.context_length();
    let too_long = |target: usize| ExplainError::PromptTooLong {
        needed: encoding.len() + target,
        input: encoding.len(),
        target,
        context,
    };
    let (ids, warning) = match &request.target {
        Some(target) => {
            let tokens = target_tokens(
                m.backend.tokenizer(),
                &prepared.input.text,
                encoding,
                prepared.add_special_tokens,
                target,
            )?;
            if tokens.ids.is_empty() {
                return Err(ExplainError::EmptyTarget {
                    target: target.clone(),
                });
            }
            (tokens.ids, tokens.warning)
        }
        // generating needs room for at least one token
        None if encoding.len() >= context => return Err(too_long(1)),
        None => (
            generate_target(m, &request.generation, &encoding.ids, progress)?,
            None,
        ),
    };
    if encoding.len() + ids.len() > context {
        return Err(too_long(ids.len()));
    }
    Ok((ids, warning))
}
