//! Everything that can stop an explanation; each message is one line that says what to do.

/// Why an explanation could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("the prompt is empty; give the text to explain")]
    EmptyPrompt,

    #[error("the prompt has no features: all of its {tokens} tokens are special tokens (e.g. BOS or control tokens), which are always kept; give some ordinary text")]
    NoFeatures { tokens: usize },

    #[error(
        "the target {target:?} tokenizes to no tokens; give a non-empty target or let the model generate one"
    )]
    EmptyTarget { target: String },

    #[error("the model generated no tokens after the prompt (it stopped at once: {reason}); give a target or change the generation settings")]
    NothingGenerated { reason: String },

    #[error("exact Shapley values over {features} {level} features need 2^{features} evaluations, above the exact limit of {limit}; use method kernel, permutation or partition (or auto), or a coarser level")]
    ExactAboveLimit {
        features: usize,
        level: String,
        limit: usize,
    },

    #[error("max_evals is 0; give a budget of at least 2 evaluations, or none for the method's default")]
    ZeroBudget,

    #[error("no levels were requested; ask for at least one of token, word or sentence")]
    NoLevels,

    #[error("the input needs {needed} positions ({input} prompt tokens + {target} target tokens) but the model's context is {context}; shorten the prompt or the target")]
    PromptTooLong {
        needed: usize,
        input: usize,
        target: usize,
        context: usize,
    },

    #[error("with masker {masker}, masking every feature leaves no token before the target, because the tokenizer adds no BOS token and there is no prefix; use the replace or shap masker, or give a prefix")]
    NothingAlwaysKept { masker: String },

    #[error("the replace masker needs a baseline token: {reason}; name one (a vocabulary piece such as <unk>, or text that is one token)")]
    NoBaseline { reason: String },

    #[error("the contrast alternative {alternative:?} is {tokens} tokens; give text that is 1 token or as many tokens as the target ({target})")]
    BadContrast {
        alternative: String,
        tokens: usize,
        target: usize,
    },

    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// The model backend refused the request or failed; the message is the backend's.
    #[error("{0}")]
    Backend(#[from] whylm_backend::BackendError),

    #[error("{0}")]
    Shapley(#[from] whylm_shapley::ShapleyError),
}
