//! `Model.explain(chat=...)`: a conversation rendered by its chat template, through the code `whylm explain
//! --chat` uses (whylm-explain's `ChatSetup` and `conversation_input`), so that the same conversation gives the
//! same input, the same numbers and the same one-line errors.

use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use whylm_explain::{ChatInput, ChatSetup, ChatSource, TurnOptions, TurnSelection};

use crate::errors::bad_argument;

/// The chat arguments of `Model.explain`, as the Python wrapper passes them (a dict).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct ChatArguments {
    /// The conversation as JSON text: `[{"role": ..., "content": ...}]` or `{"messages": [...]}`.
    messages: String,
    /// A template file instead of the model's own (`--chat-template`).
    template: Option<PathBuf>,
    /// NAME=VALUE template variables (`--set`).
    assignments: Vec<String>,
    /// all, user, history or message indices (`--explain-turns`).
    explain_turns: String,
    keep_system: bool,
}

/// The rendered conversation to explain and the reply to attribute (a final assistant message unless `target` is
/// given; None: the model answers). `model` is the model's file or directory, None for the built-in model.
pub fn chat_input(
    arguments: &ChatArguments,
    model: Option<&Path>,
    target: Option<String>,
) -> PyResult<(ChatInput, Option<String>)> {
    let messages = whylm_chat::parse_messages(&arguments.messages).map_err(bad_argument)?;
    let source = ChatSource {
        model,
        template_file: arguments.template.as_deref(),
        assignments: &arguments.assignments,
    };
    let setup = ChatSetup::require(&source).map_err(bad_argument)?;
    let turns = TurnOptions {
        explain_turns: arguments
            .explain_turns
            .parse::<TurnSelection>()
            .map_err(bad_argument)?,
        keep_system: arguments.keep_system,
    };
    whylm_explain::conversation_input(messages, &setup, &turns, target).map_err(bad_argument)
}
