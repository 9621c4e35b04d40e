//! The options that choose which messages of a conversation are explained; whylm-explain's
//! `conversation_input` (shared with the Python bindings) makes the conversation ready to explain.

use std::path::Path;

use anyhow::Result;
use clap::Args;
use whylm_explain::{ChatInput, TurnSelection};

use crate::failure::UserFault;
use crate::options::chat::ChatOptions;

#[derive(Args, Debug, Clone)]
pub struct TurnOptions {
    /// Which messages are explained (the reply never is): all, user (the user's messages), history (every
    /// message before the last user message, which is kept) or message indices such as 0,2.
    #[arg(long, value_name = "TURNS", default_value = "all")]
    pub explain_turns: TurnSelection,
    /// Keep the system prompt fixed: never a feature, always seen.
    #[arg(long)]
    pub keep_system: bool,
}

/// The conversation to explain and the reply to attribute (None: the model answers).
pub fn chat_input(
    chat: &ChatOptions,
    turns: &TurnOptions,
    model: Option<&Path>,
    target: Option<String>,
) -> Result<(ChatInput, Option<String>)> {
    let messages = chat.messages()?;
    let setup = chat.setup(model)?;
    let turns = whylm_explain::TurnOptions {
        explain_turns: turns.explain_turns.clone(),
        keep_system: turns.keep_system,
    };
    whylm_explain::conversation_input(messages, &setup, &turns, target).user_fault()
}
