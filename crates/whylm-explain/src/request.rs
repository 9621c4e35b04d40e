//! What the caller asks for: the input (a prompt between a prefix and a suffix, or segments), the target (or how
//! to generate one), the feature levels, the masker, the score and the estimator.

use crate::chat::ChatInput;
use crate::error::ExplainError;
use crate::input::Segment;
use crate::options::{Level, MaskerSpec, MethodChoice, ScoreSpec};
use crate::text_units::Span;

/// One explanation request. `Default` gives: no target (generate), word level, delete masker, logprob, auto.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainRequest {
    /// The text to explain (its features are the ones attributed).
    pub prompt: String,
    /// Text the model sees before the prompt that is never masked (e.g. a chat template header).
    pub prefix: String,
    /// Text the model sees after the prompt and before the target that is never masked.
    pub suffix: String,
    /// The input as segments (chat turns, documents, template markup) instead of prefix + prompt + suffix; when
    /// it is non-empty those three must be empty.
    pub segments: Vec<Segment>,
    /// The input as a conversation rendered by its chat template (its messages are the segments); when given,
    /// prompt, prefix, suffix and segments must be empty, and the tokenizer adds no BOS of its own.
    pub chat: Option<ChatInput>,
    /// The input text writes the model's special tokens itself (rendered by a chat template), so the tokenizer
    /// adds none (set for `chat` whatever this says).
    pub special_tokens_in_text: bool,
    /// The target text, scored as the tokens the model reads after the input (see target_tokens.rs); None: the
    /// model generates it with `generation`.
    pub target: Option<String>,
    pub generation: GenerationOptions,
    /// One explanation per level, in this order.
    pub levels: Vec<Level>,
    /// Multi-level refinement: with `Some(k)`, `levels` go from coarse to fine, each level after the first
    /// splits the previous level's k units of largest |value| into their parts and keeps every other unit
    /// whole, and `max_evals` is the budget of all levels together (see refine.rs). None: every level is
    /// explained on its own, in full.
    pub refine: Option<usize>,
    /// The features of [`Level::Custom`]: byte ranges of the explained text (the prompt; with segments, the
    /// text from the first maskable segment to the last), disjoint.
    pub custom_spans: Vec<Span>,
    pub masker: MaskerSpec,
    pub score: ScoreSpec,
    pub method: MethodChoice,
    /// Most model evaluations (coalitions) per level; None: `auto` uses [`DEFAULT_AUTO_BUDGET`], a fixed method
    /// its own default.
    pub max_evals: Option<usize>,
    /// Coalitions per model batch; None: from the model's memory budget.
    pub batch_size: Option<usize>,
    /// Stop once every standard error is at most this (permutation).
    pub target_std_err: Option<f64>,
    /// Seed of the estimator's random stream.
    pub seed: u64,
    /// Most features `exact` accepts.
    pub exact_limit: usize,
    /// Pairwise interactions of the top K features by |phi| summed over the target tokens; None: off.
    pub interactions: Option<usize>,
    /// Most model evaluations for the interactions; None: exact when 2^n fits the interaction exact
    /// limit, otherwise 200 per pair.
    pub interaction_evals: Option<usize>,
    /// Attention views beside the Shapley values, with their agreement (one extra forward pass plus the
    /// removal drops); a backend that cannot return attention gives a warning instead.
    pub attention: bool,
    /// With `attention`: also the whole layer x head x query x key tensor.
    pub attention_full: bool,
}

/// The budget `auto` plans with when the request gives none: exact up to 11 features.
pub const DEFAULT_AUTO_BUDGET: usize = 2048;

/// The default exact limit (2^20 coalitions).
pub const DEFAULT_EXACT_LIMIT: usize = 20;

impl Default for ExplainRequest {
    fn default() -> Self {
        ExplainRequest {
            prompt: String::new(),
            prefix: String::new(),
            suffix: String::new(),
            segments: Vec::new(),
            chat: None,
            special_tokens_in_text: false,
            target: None,
            generation: GenerationOptions::default(),
            levels: vec![Level::Word],
            refine: None,
            custom_spans: Vec::new(),
            masker: MaskerSpec::Delete,
            score: ScoreSpec::LogProb,
            method: MethodChoice::Auto,
            max_evals: None,
            batch_size: None,
            target_std_err: None,
            seed: 0,
            exact_limit: DEFAULT_EXACT_LIMIT,
            interactions: None,
            interaction_evals: None,
            attention: false,
            attention_full: false,
        }
    }
}

impl ExplainRequest {
    /// The input as segments: `segments` when given, otherwise fixed `prefix`, maskable `prompt`, fixed `suffix`.
    pub fn input_segments(&self) -> Result<Vec<Segment>, ExplainError> {
        let convenience = [&self.prefix, &self.prompt, &self.suffix];
        if let Some(chat) = &self.chat {
            if !self.segments.is_empty() || convenience.iter().any(|text| !text.is_empty()) {
                return Err(ExplainError::InputTwice);
            }
            return chat.segments();
        }
        if self.segments.is_empty() {
            return Ok(vec![
                Segment::fixed(self.prefix.clone()),
                Segment::maskable(self.prompt.clone()),
                Segment::fixed(self.suffix.clone()),
            ]);
        }
        if convenience.iter().any(|text| !text.is_empty()) {
            return Err(ExplainError::InputTwice);
        }
        Ok(self.segments.clone())
    }
}

/// How to generate the target when the request has none.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationOptions {
    pub max_new_tokens: usize,
    /// Seed of the sampler (unused when greedy).
    pub seed: u64,
    /// 0: greedy.
    pub temperature: f32,
    pub top_k: Option<usize>,
    pub top_p: Option<f32>,
}

impl Default for GenerationOptions {
    fn default() -> Self {
        GenerationOptions {
            max_new_tokens: 16,
            seed: 0,
            temperature: 0.0,
            top_k: None,
            top_p: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_prompt_and_suffix_are_three_segments_and_segments_exclude_them() {
        let request = ExplainRequest {
            prefix: "A".into(),
            prompt: "B".into(),
            ..ExplainRequest::default()
        };
        let segments = request.input_segments().unwrap();
        assert_eq!(
            segments,
            [Segment::fixed("A"), Segment::maskable("B"), Segment::fixed("")]
        );
        let both = ExplainRequest {
            segments: vec![Segment::maskable("C")],
            ..request
        };
        assert!(matches!(both.input_segments(), Err(ExplainError::InputTwice)));
    }
}
