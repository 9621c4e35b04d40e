//! Chat messages and the JSON every chat API uses for them: `[{"role": "...", "content": "..."}]` or
//! `{"messages": [...]}`.

use serde::Serialize;
use serde_json::Value as Json;

use crate::error::ChatError;

/// Who speaks a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    /// A tool's answer; templates without tool support usually skip or refuse it.
    Tool,
}

impl Role {
    /// Every role, in the order error messages list them.
    pub const ALL: [Role; 4] = [Role::System, Role::User, Role::Assistant, Role::Tool];

    /// The name templates see (`message.role`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }

    /// The role of a name, exactly as chat APIs spell it (lower case).
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    fn valid_list() -> String {
        Role::ALL.map(Role::as_str).join(", ")
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One turn of a conversation (serializes as `{"role": "user", "content": "..."}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Message {
        Message {
            role,
            content: content.into(),
        }
    }
}

/// The conversation of `--system TEXT --user TEXT`: an optional system message, then the user's.
pub fn system_user(system: Option<&str>, user: &str) -> Vec<Message> {
    let system = system.map(|text| Message::new(Role::System, text));
    system
        .into_iter()
        .chain([Message::new(Role::User, user)])
        .collect()
}

/// Parses a chat file's bytes (see [`parse_messages`]); refuses bytes that are not UTF-8.
pub fn parse_messages_bytes(bytes: &[u8]) -> Result<Vec<Message>, ChatError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ChatError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    parse_messages(text)
}

/// Parses `[{"role": ..., "content": ...}, ...]` or `{"messages": [...]}`. Keys other than `role` and `content`
/// are ignored. A `null` content counts as missing, as transformers drops `None`-valued keys.
pub fn parse_messages(text: &str) -> Result<Vec<Message>, ChatError> {
    // A leading byte-order mark is not JSON, but editors on some systems write one.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let json: Json = serde_json::from_str(text).map_err(|e| ChatError::BadJson {
        line: e.line(),
        column: e.column(),
        detail: e.to_string(),
    })?;
    let list = match &json {
        Json::Array(list) => list,
        Json::Object(map) => match map.get("messages") {
            Some(Json::Array(list)) => list,
            Some(other) => {
                return Err(ChatError::NotAConversation {
                    found: format!("\"messages\" is {}", describe(other)),
                })
            }
            None => {
                return Err(ChatError::NotAConversation {
                    found: "the object has no \"messages\"".into(),
                })
            }
        },
        other => {
            return Err(ChatError::NotAConversation {
                found: format!("it is {}", describe(other)),
            })
        }
    };
    if list.is_empty() {
        return Err(ChatError::Empty);
    }
    list.iter()
        .enumerate()
        .map(|(index, item)| parse_one(index, item))
        .collect()
}

fn parse_one(index: usize, item: &Json) -> Result<Message, ChatError> {
    let Json::Object(map) = item else {
        return Err(ChatError::MessageNotObject {
            index,
            found: describe(item),
        });
    };
    let Some(Json::String(name)) = map.get("role") else {
        return Err(ChatError::MissingRole {
            index,
            valid: Role::valid_list(),
        });
    };
    let role = Role::parse(name).ok_or_else(|| ChatError::UnknownRole {
        index,
        role: name.clone(),
        valid: Role::valid_list(),
    })?;
    match map.get("content") {
        Some(Json::String(content)) => Ok(Message::new(role, content.as_str())),
        None | Some(Json::Null) => Err(ChatError::MissingContent {
            index,
            role: role.to_string(),
        }),
        Some(other) => Err(ChatError::NonStringContent {
            index,
            role: role.to_string(),
            found: describe(other),
        }),
    }
}

/// "a number", "a list", ... for error messages.
pub(crate) fn describe(json: &Json) -> String {
    match json {
        Json::Null => "null".into(),
        Json::Bool(_) => "a boolean".into(),
        Json::Number(_) => "a number".into(),
        Json::String(_) => "a string".into(),
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "an object".into(),
    }
}
