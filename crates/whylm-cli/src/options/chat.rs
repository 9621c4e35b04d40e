//! A conversation on the command line (`--chat FILE`, or `--system`/`--user` for one question) and the chat
//! template that renders it: `--chat-template FILE`, else the model's own (GGUF `tokenizer.chat_template`, or a
//! Hugging Face directory's chat_template.jinja / tokenizer_config.json), with the model's special tokens
//! (bos_token, eos_token, ...) and `--set NAME=VALUE` as template variables.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use whylm_backend::TextTokenizer;
use whylm_chat::{ChatTemplate, Message, RenderedChat, Vars};
use whylm_tokenize::GgufMetadata;

use crate::failure::{user_error, UserError, UserFault};
use crate::options::model_path::check_model_path;
use crate::options::tokenizer::load_tokenizer;

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

/// The template that renders a model's conversations, where it came from, and its variables.
pub struct ChatSetup {
    pub template: ChatTemplate,
    pub source: String,
    pub vars: Vars,
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
        self.setup_if_any(model)?.ok_or_else(|| {
            let what = match model {
                None => "the built-in model".to_string(),
                Some(path) => format!("the model '{}'", path.display()),
            };
            user_error(
                format!("{what} has no chat template"),
                "pass one with --chat-template FILE (a Jinja file as Hugging Face writes them)",
            )
        })
    }

    /// As [`ChatOptions::setup`], but Ok(None) for a model without a template.
    pub fn setup_if_any(&self, model: Option<&Path>) -> Result<Option<ChatSetup>> {
        let found = match &self.chat_template {
            Some(path) => Some((
                whylm_chat::read_template_file(path).user_fault()?,
                path.display().to_string(),
            )),
            None => model_template(model)?,
        };
        let Some((source, origin)) = found else {
            return Ok(None);
        };
        let template = ChatTemplate::new(&source).user_fault()?;
        let mut vars = match model {
            Some(path) => special_token_vars(path)?,
            None => Vars::new(),
        };
        for assignment in &self.set {
            vars.set_assignment(assignment).user_fault()?;
        }
        Ok(Some(ChatSetup {
            template,
            source: origin,
            vars,
        }))
    }
}

impl ChatSetup {
    /// Renders `messages` with or without the generation prompt, refusing with the template's own message.
    pub fn render(&self, messages: &[Message], generation_prompt: bool) -> Result<RenderedChat> {
        self.template
            .render_with_spans(messages, generation_prompt, &self.vars)
            .map_err(|e| {
                user_error(
                    e,
                    "the chat template refused this conversation or failed to render it",
                )
            })
    }
}

/// The model's own template and where it was found; None when it has none.
fn model_template(model: Option<&Path>) -> Result<Option<(String, String)>> {
    let Some(path) = model else {
        return Ok(None);
    };
    check_model_path(path, "tokenizer.json")?;
    if path.is_dir() {
        let found = whylm_chat::template_from_hf_dir(path, None).user_fault()?;
        return Ok(found.map(|found| (found.source, found.file)));
    }
    let metadata = GgufMetadata::from_file(path).user_fault()?;
    let source = metadata
        .get(whylm_chat::GGUF_CHAT_TEMPLATE_KEY)
        .and_then(|value| value.as_str());
    Ok(source.map(|source| {
        let origin = format!("{} ({})", path.display(), whylm_chat::GGUF_CHAT_TEMPLATE_KEY);
        (source.to_string(), origin)
    }))
}

/// bos_token and eos_token from the model's vocabulary, and for a Hugging Face directory every special token of
/// its tokenizer_config.json (transformers passes them all to the template).
fn special_token_vars(model: &Path) -> Result<Vars> {
    let tokenizer = load_tokenizer(model)?;
    let piece = |id: Option<u32>| id.and_then(|id| tokenizer.piece(id));
    let mut vars = Vars::with_special_tokens(
        piece(TextTokenizer::bos_id(&tokenizer)).as_deref(),
        piece(TextTokenizer::eos_id(&tokenizer)).as_deref(),
    );
    let config = model.join("tokenizer_config.json");
    if model.is_dir() && config.is_file() {
        let text = std::fs::read_to_string(&config).map_err(|error| {
            user_error(
                format!("cannot read '{}': {error}", config.display()),
                "check the model directory",
            )
        })?;
        let from_config = whylm_chat::special_tokens_from_tokenizer_config(&text).user_fault()?;
        for name in from_config.names().map(str::to_string).collect::<Vec<_>>() {
            if let Some(value) = from_config.get_str(&name) {
                vars.set_str(&name, value);
            }
        }
    }
    Ok(vars)
}
