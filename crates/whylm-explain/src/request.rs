//! What the caller asks for: the text, the target (or how to generate one), the feature levels, the masker, the
//! score and the estimator.

use crate::options::{Level, MaskerSpec, MethodChoice, ScoreSpec};

/// One explanation request. `Default` gives: no target (generate), word level, delete masker, logprob, auto.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainRequest {
    /// The text to explain (its features are the ones attributed).
    pub prompt: String,
    /// Text the model sees before the prompt that is never masked (e.g. a chat template header).
    pub prefix: String,
    /// Text the model sees after the prompt and before the target that is never masked.
    pub suffix: String,
    /// The target text (tokenized on its own, without special tokens, and appended after the prompt); None: the
    /// model generates it with `generation`.
    pub target: Option<String>,
    pub generation: GenerationOptions,
    /// One explanation per level, in this order.
    pub levels: Vec<Level>,
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
            target: None,
            generation: GenerationOptions::default(),
            levels: vec![Level::Word],
            masker: MaskerSpec::Delete,
            score: ScoreSpec::LogProb,
            method: MethodChoice::Auto,
            max_evals: None,
            batch_size: None,
            target_std_err: None,
            seed: 0,
            exact_limit: DEFAULT_EXACT_LIMIT,
        }
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
