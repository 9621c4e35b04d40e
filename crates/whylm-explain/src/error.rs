//! Everything that can stop an explanation; each message is one line that says what to do.

/// Why an explanation could not be built. [`ExplainError::is_user_error`] says whose fault it is.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("--interactions {asked} needs between 2 and the level's {features} features (level {level}); ask for fewer")]
    InteractionCount {
        asked: usize,
        features: usize,
        level: &'static str,
    },

    #[error("the prompt is empty; give the text to explain")]
    EmptyPrompt,

    #[error("the request gives both prompt/prefix/suffix and segments; give the input one way")]
    InputTwice,

    #[error("the prompt has no features: all of its {tokens} tokens are special tokens (e.g. BOS or control tokens), which are always kept; give some ordinary text")]
    NoFeatures { tokens: usize },

    #[error("level custom needs byte spans of the prompt; give at least one custom span")]
    NoCustomSpans,

    #[error("the custom span {start}..{end} is unusable: {reason}; give byte ranges of the prompt that each cover a token and do not overlap")]
    BadCustomSpan {
        start: usize,
        end: usize,
        reason: String,
    },

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

    #[error("message {index} ({role}) is to be explained, but the chat template rewrote its content so that it cannot be found in the rendered chat; keep it fixed (--explain-turns) or use a template that prints contents as given")]
    TurnNotFound { index: usize, role: String },

    #[error("there is no message {index}: the conversation has {messages} (counted from 0, the reply not included)")]
    NoSuchTurn { index: usize, messages: usize },

    #[error("the chat template placed two message contents on top of each other ({role} message at {start}..{end}); this is a bug in whylm's span finder, please report it with the template")]
    TurnsOverlap { role: String, start: usize, end: usize },

    #[error("--refine needs a positive number of units to split; give --refine 1 or more")]
    RefineZero,

    #[error("--refine needs at least two levels, coarse to fine (e.g. --level paragraph,sentence,word), but the request has only {level}; add a finer level or drop --refine")]
    RefineOneLevel { level: String },

    #[error("--max-evals {total} is too small for --refine over {levels} levels (each level needs at least {per_level} evaluations); give --max-evals {need} or more")]
    RefineBudget {
        total: usize,
        levels: usize,
        per_level: usize,
        need: usize,
    },

    #[error("--refine needs levels from coarse to fine, but {first} is not coarser than {second}; order them like document,paragraph,sentence,clause,word,token")]
    RefineOrder { first: String, second: String },

    #[error("--refine cannot split custom spans (they nest in no other level); use token, word, clause, sentence, paragraph, document or turn")]
    RefineCustom,

    /// The model backend refused the request or failed; the message is the backend's.
    #[error("{0}")]
    Backend(#[from] whylm_backend::BackendError),

    #[error("{0}")]
    Shapley(#[from] whylm_shapley::ShapleyError),
}

impl ExplainError {
    /// True when the request (text, options, budget) is at fault and the caller should change it (exit code 2 in
    /// the CLI); false for failures inside the backend or the Shapley engine (a bug or a broken engine).
    pub fn is_user_error(&self) -> bool {
        use whylm_shapley::ShapleyError;
        match self {
            ExplainError::Backend(inner) => inner.is_user_error(),
            ExplainError::Shapley(inner) => matches!(
                inner,
                ShapleyError::BudgetTooSmall { .. }
                    | ShapleyError::TooManyPlayersForExact { .. }
                    | ShapleyError::InvalidSettings(_)
                    | ShapleyError::InteractionBudgetTooSmall { .. }
            ),
            ExplainError::EmptyPrompt
            | ExplainError::InputTwice
            | ExplainError::NoFeatures { .. }
            | ExplainError::NoCustomSpans
            | ExplainError::BadCustomSpan { .. }
            | ExplainError::EmptyTarget { .. }
            | ExplainError::NothingGenerated { .. }
            | ExplainError::ExactAboveLimit { .. }
            | ExplainError::ZeroBudget
            | ExplainError::NoLevels
            | ExplainError::PromptTooLong { .. }
            | ExplainError::NothingAlwaysKept { .. }
            | ExplainError::NoBaseline { .. }
            | ExplainError::BadContrast { .. }
            | ExplainError::TurnNotFound { .. }
            | ExplainError::NoSuchTurn { .. }
            | ExplainError::InteractionCount { .. }
            | ExplainError::RefineZero
            | ExplainError::RefineOneLevel { .. }
            | ExplainError::RefineBudget { .. }
            | ExplainError::RefineOrder { .. }
            | ExplainError::RefineCustom => true,
            ExplainError::TurnsOverlap { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whylm_backend::BackendError;
    use whylm_shapley::ShapleyError;

    #[test]
    fn request_errors_are_the_users_and_engine_failures_are_not() {
        assert!(ExplainError::EmptyPrompt.is_user_error());
        assert!(ExplainError::NoCustomSpans.is_user_error());
        assert!(ExplainError::Backend(BackendError::Input("too long".into())).is_user_error());
        assert!(!ExplainError::Backend(BackendError::Failed("matmul".into())).is_user_error());
        assert!(ExplainError::Shapley(ShapleyError::InvalidSettings("x".into())).is_user_error());
        assert!(!ExplainError::Shapley(ShapleyError::MissingHierarchy).is_user_error());
    }
}
