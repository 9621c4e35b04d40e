//! Whose fault each library error is. Errors caused by the user's files, text or options become `UserError`s
//! (exit 2); failures inside the computation stay internal (exit 1). The libraries' messages already say what is
//! wrong and what to do, and where a library classifies its errors (the backend seam) the CLI takes its word.

use whylm_explain::ExplainError;
use whylm_model::BackendError;
use whylm_tokenize::TokenizeError;

use crate::failure::UserError;

fn user(error: impl std::fmt::Display) -> anyhow::Error {
    UserError::from_message(error).into()
}

/// Loading a tokenizer or decoding ids fails only on the user's files (a missing, damaged or mismatched
/// vocabulary). Encoding text, which can also fail inside the engine, goes through the backend seam's
/// `TextTokenizer`, whose errors say themselves whose fault they are (see [`backend_error`]).
pub fn tokenizer_file_error(error: TokenizeError) -> anyhow::Error {
    user(error)
}

/// A backend says itself whether the request or the backend is at fault.
pub fn backend_error(error: BackendError) -> anyhow::Error {
    if error.is_user_error() {
        user(error)
    } else {
        error.into()
    }
}

/// whylm-explain says itself which of its errors (and of the Shapley engine's under it) the request caused, so
/// the CLI takes its word rather than keeping a second list that can fall behind (it had: a too-small
/// `--interaction-evals` was reported as a bug).
pub fn explain_error(error: ExplainError) -> anyhow::Error {
    match error {
        ExplainError::Backend(inner) => backend_error(inner),
        other if other.is_user_error() => user(other),
        other => other.into(),
    }
}
