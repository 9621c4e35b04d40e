//! Whose fault each library error is. Errors caused by the user's files, text or options become `UserError`s
//! (exit 2); failures inside the computation stay internal (exit 1). The libraries' messages already say what is
//! wrong and what to do, so only the classification happens here.

use whylm_explain::ExplainError;
use whylm_model::BackendError;
use whylm_model::ModelError;
use whylm_shapley::ShapleyError;
use whylm_tokenize::TokenizeError;

use crate::failure::UserError;

fn user(error: impl std::fmt::Display) -> anyhow::Error {
    UserError::from_message(error).into()
}

/// Files and text are the user's; a failure inside the tokenization engine is whylm's.
pub fn tokenize_error(error: TokenizeError) -> anyhow::Error {
    match error {
        TokenizeError::Encode { .. } => error.into(),
        _ => user(error),
    }
}

/// While running a loaded model: inputs that do not fit are the user's, tensor failures whylm's.
pub fn model_error(error: ModelError) -> anyhow::Error {
    if error.is_input_error() {
        user(error)
    } else {
        error.into()
    }
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
