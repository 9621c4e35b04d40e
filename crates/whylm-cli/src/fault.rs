//! Whose fault each library error is. Errors caused by the user's files, text or options become `UserError`s
//! (exit 2); failures inside the computation stay internal (exit 1). The libraries' messages already say what is
//! wrong and what to do, and where a library classifies its errors (the backend seam) the CLI takes its word.

use whylm_explain::ExplainError;
use whylm_model::BackendError;
use whylm_shapley::ShapleyError;
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

/// Budgets, limits and settings come from the options; broken games and hierarchies are whylm's.
pub fn shapley_error(error: ShapleyError) -> anyhow::Error {
    match error {
        ShapleyError::BudgetTooSmall { .. }
        | ShapleyError::TooManyPlayersForExact { .. }
        | ShapleyError::InvalidSettings(_) => user(error),
        _ => error.into(),
    }
}

pub fn explain_error(error: ExplainError) -> anyhow::Error {
    match error {
        ExplainError::Backend(inner) => backend_error(inner),
        ExplainError::Shapley(inner) => shapley_error(inner),
        // Every other variant describes the request: prompt, target, levels, budget, masker, score.
        _ => user(error),
    }
}
