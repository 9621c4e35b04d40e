//! A conversation made ready to explain: the reply taken off the end (or given as the target, or left to the
//! model), the rest rendered with the generation prompt, and the messages the turn selection chooses as
//! features. Shared by `whylm explain --chat` and the Python bindings' `explain(chat=...)`.

use whylm_chat::{Message, Role};

use crate::chat::{ChatInput, ChatTurn, TurnSelection};
use crate::chat_setup::{ChatSetup, ChatSetupError};

/// Which messages of a conversation are features.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TurnOptions {
    pub explain_turns: TurnSelection,
    /// Keep the system prompt fixed: never a feature, always seen.
    pub keep_system: bool,
}

/// The conversation to explain and the reply to attribute: `target` when given, else a final assistant message
/// (taken off the conversation), else None (the model answers).
pub fn conversation_input(
    mut messages: Vec<Message>,
    setup: &ChatSetup,
    turns: &TurnOptions,
    target: Option<String>,
) -> Result<(ChatInput, Option<String>), ChatSetupError> {
    let target = match target {
        Some(target) => Some(target),
        None if messages.last().is_some_and(|m| m.role == Role::Assistant) => {
            messages.pop().map(|m| m.content)
        }
        None => None,
    };
    if messages.is_empty() {
        return Err(ChatSetupError::NoMessageBeforeReply);
    }
    let rendered = setup.render(&messages, true)?;
    let roles: Vec<&str> = messages.iter().map(|m| m.role.as_str()).collect();
    let explained = turns
        .explain_turns
        .explained(&roles, turns.keep_system)
        .map_err(ChatSetupError::Turns)?;
    let turns = messages
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
        template_source: setup.source.clone(),
        messages: turns,
    };
    Ok((input, target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use whylm_chat::{ChatTemplate, Vars};

    fn setup() -> ChatSetup {
        ChatSetup {
            template: ChatTemplate::new(
                "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}",
            )
            .unwrap(),
            source: "test".into(),
            vars: Vars::new(),
        }
    }

    fn chat(parts: &[(Role, &str)]) -> Vec<Message> {
        parts
            .iter()
            .map(|&(role, text)| Message::new(role, text))
            .collect()
    }

    #[test]
    fn a_final_reply_is_the_target_and_the_rest_is_rendered_with_the_generation_prompt() {
        let messages = chat(&[
            (Role::System, "Be kind."),
            (Role::User, "Hi!"),
            (Role::Assistant, "Hello."),
        ]);
        let turns = TurnOptions {
            keep_system: true,
            ..TurnOptions::default()
        };
        let (input, target) = conversation_input(messages, &setup(), &turns, None).unwrap();
        assert_eq!(target.as_deref(), Some("Hello."));
        assert_eq!(input.rendered, "<system>Be kind.<user>Hi!<assistant>");
        let explained: Vec<bool> = input.messages.iter().map(|m| m.explained).collect();
        assert_eq!(explained, [false, true]);
        assert_eq!(input.messages[1].span, Some((22, 25)));
    }

    #[test]
    fn a_given_target_keeps_the_reply_and_a_lone_reply_is_refused() {
        let messages = chat(&[(Role::User, "Hi!"), (Role::Assistant, "Hello.")]);
        let given = Some("Bye.".to_string());
        let (input, target) = conversation_input(messages, &setup(), &TurnOptions::default(), given).unwrap();
        assert_eq!(target.as_deref(), Some("Bye."));
        assert_eq!(input.messages.len(), 2);
        let lone = chat(&[(Role::Assistant, "Hello.")]);
        let refused = conversation_input(lone, &setup(), &TurnOptions::default(), None);
        assert!(matches!(refused, Err(ChatSetupError::NoMessageBeforeReply)));
        let seven = TurnOptions {
            explain_turns: TurnSelection::Indices(vec![7]),
            keep_system: false,
        };
        let error = conversation_input(chat(&[(Role::User, "Hi!")]), &setup(), &seven, None).unwrap_err();
        assert!(error.to_string().contains("no message 7"), "{error}");
    }
}
