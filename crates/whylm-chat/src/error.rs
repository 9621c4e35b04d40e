//! The crate's errors. Each one is a single line that says what is wrong and what to do about it.

use thiserror::Error;

/// What went wrong reading a conversation, a template source or a template variable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChatError {
    /// The bytes of a chat file are not UTF-8 text.
    #[error("the chat is not UTF-8 text (invalid byte at offset {offset}); save the file as UTF-8")]
    NotUtf8 { offset: usize },
    /// The text is not JSON. `detail` is serde_json's message, which names the line and column too.
    #[error("the chat is not valid JSON at line {line}, column {column} ({detail}); fix the file")]
    BadJson {
        line: usize,
        column: usize,
        detail: String,
    },
    /// The JSON is valid but not shaped like a conversation.
    #[error(
        "the chat must be a JSON list of messages or an object with a \"messages\" list, but {found}; \
         write [{{\"role\": \"user\", \"content\": \"...\"}}]"
    )]
    NotAConversation { found: String },
    /// The conversation holds no message.
    #[error("the chat has no messages; give at least one {{\"role\": \"user\", \"content\": \"...\"}}")]
    Empty,
    /// A message is not a JSON object.
    #[error(
        "messages[{index}] is {found}, not an object; write {{\"role\": \"...\", \"content\": \"...\"}}"
    )]
    MessageNotObject { index: usize, found: String },
    /// A message has no role, or a role that is not a string.
    #[error("messages[{index}] has no string \"role\"; give one of: {valid}")]
    MissingRole { index: usize, valid: String },
    /// A message's role is not one that whylm knows.
    #[error("messages[{index}] has unknown role {role:?}; valid roles are: {valid}")]
    UnknownRole {
        index: usize,
        role: String,
        valid: String,
    },
    /// A message has no content (or `null`, which transformers drops the same way).
    #[error("messages[{index}] ({role}) has no \"content\"; give its text as a string")]
    MissingContent { index: usize, role: String },
    /// A message's content is not a string (e.g. a list of content parts).
    #[error(
        "messages[{index}] ({role}) has content that is {found}, not a string; give its text as one string"
    )]
    NonStringContent {
        index: usize,
        role: String,
        found: String,
    },
    /// A `NAME=VALUE` template variable without `=` or with an empty name.
    #[error("template variable {given:?} is not NAME=VALUE; write e.g. enable_thinking=false")]
    BadAssignment { given: String },
    /// A variable value given as JSON text does not parse.
    #[error("template variable {name:?} is not valid JSON ({detail}); quote strings or fix the JSON")]
    BadVariableJson { name: String, detail: String },
    /// A fixed clock that is not a date.
    #[error("{given:?} is not a date-time; write YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS")]
    BadClock { given: String },
    /// tokenizer_config.json (or chat_template.json) does not parse.
    #[error("{file} is not valid JSON ({detail}); fix or replace the file")]
    BadConfigJson { file: String, detail: String },
    /// The `chat_template` field exists but has an unusable shape.
    #[error(
        "{file}: \"chat_template\" is {found}; it must be a string or a list of {{\"name\", \"template\"}}"
    )]
    BadTemplateField { file: String, found: String },
    /// Several named templates and none of the wanted name.
    #[error("the model has no chat template named {wanted:?}; its templates are: {available}")]
    NoSuchNamedTemplate { wanted: String, available: String },
    /// A file could not be read.
    #[error("cannot read {path}: {detail}")]
    Io { path: String, detail: String },
}

/// What went wrong compiling or rendering a chat template.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    /// The template source is not valid Jinja.
    #[error(
        "the chat template does not compile: {detail}; fix the template or pass another with --chat-template"
    )]
    Syntax { detail: String },
    /// The template called `raise_exception(message)`: it refuses this conversation. Displayed as exactly the
    /// template's own message, as transformers reports it.
    #[error("{message}")]
    Raised { message: String },
    /// Rendering failed for another reason (an undefined attribute, a type error, ...).
    #[error("the chat template failed to render: {detail}")]
    Render { detail: String },
}
