//! Whose fault each library error is. Errors caused by the user's files, text or options become `UserError`s
//! (exit 2); failures inside the computation stay internal (exit 1). The libraries' messages already say what is
//! wrong and what to do, and where a library classifies its errors (the backend seam) the CLI takes its word.

use whylm_explain::ExplainError;
use whylm_model::BackendError;
use whylm_shapley::ShapleyError;
use whylm_tokenize::TokenizeError;

use crate::failure::{ExternalFailure, UserError};

fn user(error: impl std::fmt::Display) -> anyhow::Error {
    UserError::from_message(error).into()
}

/// Loading a tokenizer or decoding ids fails only on the user's files (a missing, damaged or mismatched
/// vocabulary). Encoding text, which can also fail inside the engine, goes through the backend seam's
/// `TextTokenizer`, whose errors say themselves whose fault they are (see [`backend_error`]).
pub fn tokenizer_file_error(error: TokenizeError) -> anyhow::Error {
    user(error)
}

/// A backend says itself whether the request, something outside whylm (an engine) or whylm is at fault.
pub fn backend_error(error: BackendError) -> anyhow::Error {
    classified(&error)
}

/// The backend's message, marked as the user's fault, an outside failure or (unmarked) whylm's own.
fn classified(error: &BackendError) -> anyhow::Error {
    if error.is_user_error() {
        user(error)
    } else if error.is_external_failure() {
        ExternalFailure::from_message(error).into()
    } else {
        anyhow::anyhow!("{error}")
    }
}

/// whylm-explain says itself which of its errors (and of the Shapley engine's under it) the request caused, so
/// the CLI takes its word rather than keeping a second list that can fall behind (it had: a too-small
/// `--interaction-evals` was reported as a bug).
pub fn explain_error(error: ExplainError) -> anyhow::Error {
    if let Some(backend) = match &error {
        ExplainError::Shapley(inner) => game_backend_error(inner),
        _ => None,
    } {
        return backend;
    }
    match error {
        ExplainError::Backend(inner) => backend_error(inner),
        other if other.is_user_error() => user(other),
        other => other.into(),
    }
}

/// A backend failure met while the Shapley engine evaluated coalitions (an engine that re-tokenized a row, say):
/// the backend's own message, since every layer above only repeats it (the one line read the same message four
/// times), with the backend's word on whose fault it is (an input the engine cannot score is the user's to change,
/// not a bug in whylm).
fn game_backend_error(error: &ShapleyError) -> Option<anyhow::Error> {
    let ShapleyError::Game(game) = error else {
        return None;
    };
    let mut cause = std::error::Error::source(game);
    while let Some(current) = cause {
        if let Some(backend) = current.downcast_ref::<BackendError>() {
            return Some(classified(backend));
        }
        cause = current.source();
    }
    None
}
