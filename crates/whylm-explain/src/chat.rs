//! A conversation as the explained input: the chat template's rendering (markup, control tokens and the
//! generation prompt) is fixed text the model always sees; each message's content is a segment of its own, a
//! feature source (one `turn` feature per message, words and sentences inside it) when the message is explained
//! and fixed text when it is kept. The template itself is rendered by whylm-chat; this module only needs the
//! rendered text and where every content lies in it.

use std::fmt;
use std::str::FromStr;

use crate::error::ExplainError;
use crate::input::Segment;
use crate::options::ParseOptionError;
use crate::text_units::Span;

/// A rendered conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatInput {
    /// What the template produced for the messages (with the generation prompt): everything the model reads
    /// before the reply.
    pub rendered: String,
    /// Where the template came from, for the report ("GGUF tokenizer.chat_template", a file path, ...).
    pub template_source: String,
    pub messages: Vec<ChatTurn>,
}

/// One message of a [`ChatInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatTurn {
    pub role: String,
    pub content: String,
    /// Where the content lies in `rendered`; None when it is empty or the template dropped or rewrote it.
    pub span: Option<Span>,
    /// Whether the message's content is explained (holds features) or kept.
    pub explained: bool,
}

impl ChatInput {
    /// The rendering cut into segments: markup between contents fixed, each content a segment with its role,
    /// maskable when the message is explained. An explained message whose content the template rewrote (no
    /// span) cannot be masked and is refused.
    pub fn segments(&self) -> Result<Vec<Segment>, ExplainError> {
        let mut placed: Vec<(Span, &ChatTurn)> = Vec::new();
        for (index, turn) in self.messages.iter().enumerate() {
            match turn.span {
                Some(span) if span.0 < span.1 => placed.push((span, turn)),
                None if turn.explained && !turn.content.trim().is_empty() => {
                    return Err(ExplainError::TurnNotFound {
                        index,
                        role: turn.role.clone(),
                    })
                }
                _ => {}
            }
        }
        placed.sort_by_key(|(span, _)| *span);
        let mut segments = Vec::new();
        let mut cursor = 0;
        for ((start, end), turn) in placed {
            if start < cursor || end > self.rendered.len() {
                return Err(ExplainError::TurnsOverlap {
                    role: turn.role.clone(),
                    start,
                    end,
                });
            }
            segments.push(Segment::fixed(&self.rendered[cursor..start]));
            let content = Segment {
                text: self.rendered[start..end].to_string(),
                role: Some(turn.role.clone()),
                maskable: turn.explained,
            };
            segments.push(content);
            cursor = end;
        }
        segments.push(Segment::fixed(&self.rendered[cursor..]));
        Ok(segments)
    }

    /// The conversation as the report records it: spans in the rendered text, content as the span holds it
    /// (a template may trim it), an empty span at 0 for a message without one.
    pub fn conversation(&self) -> whylm_report::Conversation {
        let messages = self
            .messages
            .iter()
            .map(|turn| {
                // a span that is not a piece of the rendered text (a caller's mistake) is recorded as none
                let placed = turn
                    .span
                    .and_then(|(start, end)| Some(((start, end), self.rendered.get(start..end)?)));
                let ((start, end), content) = placed.unwrap_or(((0, 0), ""));
                whylm_report::ChatMessage {
                    role: turn.role.clone(),
                    content: content.to_string(),
                    start,
                    end,
                    explained: turn.explained && placed.is_some(),
                }
            })
            .collect();
        whylm_report::Conversation {
            rendered: self.rendered.clone(),
            template_source: self.template_source.clone(),
            messages,
        }
    }
}

/// Which messages of a conversation are explained (the reply is the target, never a feature).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TurnSelection {
    /// Every message.
    #[default]
    All,
    /// The user's messages only.
    User,
    /// Every message before the last user message: what in the history made the model answer the question
    /// this way (the question itself is kept).
    History,
    /// The messages at these indices (0-based, in the conversation's order).
    Indices(Vec<usize>),
}

impl TurnSelection {
    /// Whether each message (given by its role) is explained; `keep_system` keeps system messages fixed.
    pub fn explained(&self, roles: &[&str], keep_system: bool) -> Result<Vec<bool>, ExplainError> {
        let last_user = roles.iter().rposition(|&role| role == "user");
        let mut chosen: Vec<bool> = match self {
            TurnSelection::All => vec![true; roles.len()],
            TurnSelection::User => roles.iter().map(|&role| role == "user").collect(),
            TurnSelection::History => (0..roles.len())
                .map(|i| last_user.is_some_and(|u| i < u))
                .collect(),
            TurnSelection::Indices(indices) => {
                let mut chosen = vec![false; roles.len()];
                for &i in indices {
                    *chosen.get_mut(i).ok_or(ExplainError::NoSuchTurn {
                        index: i,
                        messages: roles.len(),
                    })? = true;
                }
                chosen
            }
        };
        if keep_system {
            for (flag, &role) in chosen.iter_mut().zip(roles) {
                *flag &= role != "system";
            }
        }
        Ok(chosen)
    }
}

impl fmt::Display for TurnSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TurnSelection::All => f.write_str("all"),
            TurnSelection::User => f.write_str("user"),
            TurnSelection::History => f.write_str("history"),
            TurnSelection::Indices(indices) => {
                let list: Vec<String> = indices.iter().map(ToString::to_string).collect();
                f.write_str(&list.join(","))
            }
        }
    }
}

impl FromStr for TurnSelection {
    type Err = ParseOptionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "all" => Ok(TurnSelection::All),
            "user" => Ok(TurnSelection::User),
            "history" => Ok(TurnSelection::History),
            _ => text
                .split(',')
                .map(|part| part.trim().parse::<usize>())
                .collect::<Result<Vec<_>, _>>()
                .map(TurnSelection::Indices)
                .map_err(|_| {
                    ParseOptionError(format!(
                        "unknown turn selection {text:?}; use all, user, history or message indices such as 0,2"
                    ))
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: &str, content: &str, span: Option<Span>, explained: bool) -> ChatTurn {
        ChatTurn {
            role: role.into(),
            content: content.into(),
            span,
            explained,
        }
    }

    #[test]
    fn contents_are_segments_with_their_roles_and_markup_is_fixed() {
        let chat = ChatInput {
            rendered: "<s>Be kind.</s><u>Hi!</u><a>".into(),
            template_source: "test".into(),
            messages: vec![
                turn("system", "Be kind.", Some((3, 11)), false),
                turn("user", "Hi!", Some((18, 21)), true),
            ],
        };
        let segments = chat.segments().unwrap();
        let texts: Vec<&str> = segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["<s>", "Be kind.", "</s><u>", "Hi!", "</u><a>"]);
        let maskable: Vec<bool> = segments.iter().map(|s| s.maskable).collect();
        assert_eq!(maskable, [false, false, false, true, false]);
        assert_eq!(segments[3].role.as_deref(), Some("user"));
        let conversation = chat.conversation();
        assert_eq!(conversation.messages[1].content, "Hi!");
        assert!(conversation.messages[1].explained && !conversation.messages[0].explained);
    }

    #[test]
    fn an_explained_message_the_template_rewrote_is_refused() {
        let chat = ChatInput {
            rendered: "<u>HI!</u>".into(),
            template_source: "test".into(),
            messages: vec![turn("user", "Hi!", None, true)],
        };
        assert!(matches!(
            chat.segments(),
            Err(ExplainError::TurnNotFound { index: 0, .. })
        ));
        let kept = ChatInput {
            messages: vec![turn("user", "Hi!", None, false)],
            ..chat
        };
        assert_eq!(kept.segments().unwrap().len(), 1);
    }

    #[test]
    fn selections_choose_messages_by_role_and_position() {
        let roles = ["system", "user", "assistant", "user"];
        let explained =
            |s: &str, keep_system| s.parse::<TurnSelection>().unwrap().explained(&roles, keep_system);
        assert_eq!(explained("all", false).unwrap(), [true, true, true, true]);
        assert_eq!(explained("all", true).unwrap(), [false, true, true, true]);
        assert_eq!(explained("user", false).unwrap(), [false, true, false, true]);
        assert_eq!(explained("history", false).unwrap(), [true, true, true, false]);
        assert_eq!(explained("1,2", false).unwrap(), [false, true, true, false]);
        assert!(matches!(
            explained("4", false),
            Err(ExplainError::NoSuchTurn {
                index: 4,
                messages: 4
            })
        ));
        assert!("everything".parse::<TurnSelection>().is_err());
        for text in ["all", "user", "history", "0,3"] {
            assert_eq!(text.parse::<TurnSelection>().unwrap().to_string(), text);
        }
    }
}
