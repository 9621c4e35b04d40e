//! A conversation made ready to explain: the reply taken off the end (or given with --target, or left to the
//! model), the rest rendered with the generation prompt, and the messages chosen by --explain-turns as features.

use std::path::Path;

use anyhow::Result;
use clap::Args;
use whylm_chat::Role;
use whylm_explain::{ChatInput, ChatTurn, TurnSelection};

use crate::failure::user_error;
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
    let mut messages = chat.messages()?;
    let target = match target {
        Some(target) => Some(target),
        None if messages.last().is_some_and(|m| m.role == Role::Assistant) => {
            messages.pop().map(|m| m.content)
        }
        None => None,
    };
    if messages.is_empty() {
        return Err(user_error(
            "the conversation has no message before the assistant's reply",
            "give at least one user message before it",
        ));
    }
    let setup = chat.setup(model)?;
    let rendered = setup.render(&messages, true)?;
    let roles: Vec<&str> = messages.iter().map(|m| m.role.as_str()).collect();
    let explained = turns
        .explain_turns
        .explained(&roles, turns.keep_system)
        .map_err(|e| user_error(e, "choose messages of the conversation with --explain-turns"))?;
    let messages = messages
        .iter()
        .zip(&rendered.spans)
        .zip(explained)
        .map(|((message, span), explained)| ChatTurn {
            role: message.role.as_str().to_string(),
            content: message.content.clone(),
            span: span.as_ref().map(|s| (s.range.start, s.range.end)),
            explained,
        })
        .collect();
    let input = ChatInput {
        rendered: rendered.text,
        template_source: setup.source,
        messages,
    };
    Ok((input, target))
}
