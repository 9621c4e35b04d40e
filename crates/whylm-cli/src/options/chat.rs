//! A conversation on the command line (`--chat FILE`, or `--system`/`--user` for one question) and the chat
//! template that renders it: `--chat-template FILE`, else the model's own (GGUF `tokenizer.chat_template`, or a
//! Hugging Face directory's chat_template.jinja / tokenizer_config.json), with the model's special tokens
//! (bos_token, eos_token, ...) and `--set NAME=VALUE` as template variables. Finding the template is
//! whylm-explain's (`ChatSetup`, shared with the Python bindings); this module only reads the options.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use whylm_chat::Message;
use whylm_explain::{ChatSetup, ChatSource};

use crate::failure::{user_error, UserError, UserFault};
use crate::options::model_path::check_model_path;

#[derive(Args, Debug, Default, Clone)]
pub struct ChatOptions {
    /// A conversation as a JSON list of messages: [{"role": "system"|"user"|"assistant", "content": "..."}].
    /// A final assistant message is the reply that is explained (unless --target gives another).
    #[arg(long, value_name = "FILE", group = "PromptInput")]
    pub chat: Option<PathBuf>,
    /// A system prompt before --user.
    #[arg(long, value_name = "TEXT", requires = "user")]
    pub system: Option<String>,
    /// One user message: the conversation is this question (after --system, when given).
    #[arg(long, value_name = "TEXT", group = "PromptInput")]
    pub user: Option<String>,
    /// The chat template (a Jinja file, as Hugging Face writes them) instead of the model's own.
    #[arg(long, value_name = "FILE")]
    pub chat_template: Option<PathBuf>,
    /// A template variable, NAME=VALUE (VALUE as JSON when it parses, else as a string); repeatable. The
    /// model's special tokens (bos_token, eos_token, ...) are set already.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// A conversation given as JSON text rather than a file (a row of `--batch`).
    #[arg(skip)]
    pub inline: Option<String>,
}

impl ChatOptions {
    /// Whether a conversation was given at all.
    pub fn given(&self) -> bool {
        self.chat.is_some() || self.user.is_some() || self.inline.is_some()
    }

    /// The messages of `--chat` or of `--system`/`--user`.
    pub fn messages(&self) -> Result<Vec<Message>> {
        if let Some(json) = &self.inline {
            return whylm_chat::parse_messages(json).map_err(|e| UserError::from_message(e).into());
        }
        if let Some(path) = &self.chat {
            let bytes = std::fs::read(path).map_err(|error| {
                user_error(
                    format!("could not read the chat file '{}': {error}", path.display()),
                    "check the path passed to --chat",
                )
            })?;
            return whylm_chat::parse_messages_bytes(&bytes)
                .map_err(|e| UserError::from_message(format!("{}: {e}", path.display())).into());
        }
        match &self.user {
            Some(user) if !user.trim().is_empty() => {
                Ok(whylm_chat::system_user(self.system.as_deref(), user))
            }
            Some(_) => Err(user_error(
                "the --user message is empty",
                "give the question to explain",
            )),
            None => Err(user_error(
                "no conversation was given",
                "pass --chat FILE or --user TEXT",
            )),
        }
    }

    /// The template and variables for `model` (None: the built-in model, which has no template); a model without
    /// a template and no --chat-template is an error that says so.
    pub fn setup(&self, model: Option<&Path>) -> Result<ChatSetup> {
        check_model(model)?;
        ChatSetup::require(&self.source(model)).user_fault()
    }

    /// As [`ChatOptions::setup`], but Ok(None) for a model without a template.
    pub fn setup_if_any(&self, model: Option<&Path>) -> Result<Option<ChatSetup>> {
        check_model(model)?;
        ChatSetup::find(&self.source(model)).user_fault()
    }

    /// Where whylm-explain finds the template and its variables: --chat-template, else the model's own, and --set.
    fn source<'a>(&'a self, model: Option<&'a Path>) -> ChatSource<'a> {
        ChatSource {
            model,
            template_file: self.chat_template.as_deref(),
            assignments: &self.set,
        }
    }
}

/// A model path that does not exist, or a directory without tokenizer.json, gets the command line's own message
/// before the template is looked for.
fn check_model(model: Option<&Path>) -> Result<()> {
    if let Some(path) = model {
        check_model_path(path, "tokenizer.json")?;
    }
    Ok(())
}
