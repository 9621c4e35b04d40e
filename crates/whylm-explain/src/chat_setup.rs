//! The chat template that renders a model's conversations, found as every front end finds it: a template file
//! the user names, else the model's own (GGUF `tokenizer.chat_template`, or a Hugging Face directory's
//! chat_template.jinja / tokenizer_config.json), with the model's special tokens (bos_token, eos_token, ...) and
//! the user's NAME=VALUE assignments as template variables. The command line (`--chat-template`, `--set`) and
//! the Python bindings (`chat_template=`, `template_vars=`) both call [`ChatSetup::find`], so that a
//! conversation renders to the same text, and fails with the same message, whichever of them is used.

use std::path::Path;

use whylm_backend::TextTokenizer;
use whylm_chat::{ChatError, ChatTemplate, Message, RenderedChat, TemplateError, Vars};
use whylm_tokenize::{GgufMetadata, TokenizeError, Tokenizer};

/// Where the template and its variables come from.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChatSource<'a> {
    /// The model's GGUF file or Hugging Face directory; None: the built-in model, which has no template.
    pub model: Option<&'a Path>,
    /// A template file (a Jinja file as Hugging Face writes them) used instead of the model's own.
    pub template_file: Option<&'a Path>,
    /// Template variables as NAME=VALUE (VALUE as JSON when it parses, else as a string).
    pub assignments: &'a [String],
}

/// The template that renders a model's conversations, where it came from, and its variables.
pub struct ChatSetup {
    pub template: ChatTemplate,
    /// Where the template came from, as reports show it (a file path, or the GGUF key).
    pub source: String,
    pub vars: Vars,
}

/// Why a conversation cannot be rendered; every one is the user's to fix (a file, a template, a conversation).
#[derive(Debug, thiserror::Error)]
pub enum ChatSetupError {
    #[error("{model} has no chat template; pass one with --chat-template FILE (a Jinja file as Hugging Face writes them)")]
    NoTemplate { model: String },

    #[error("{0}")]
    Chat(#[from] ChatError),

    #[error("{0}")]
    Template(#[from] TemplateError),

    #[error("{0}; the chat template refused this conversation or failed to render it")]
    Refused(TemplateError),

    #[error("{0}")]
    Tokenizer(#[from] TokenizeError),

    #[error("cannot read '{path}': {detail}; check the model directory")]
    TokenizerConfig { path: String, detail: String },

    #[error("the conversation has no message before the assistant's reply; give at least one user message before it")]
    NoMessageBeforeReply,

    #[error("{0}; choose messages of the conversation with --explain-turns")]
    Turns(crate::error::ExplainError),
}

impl ChatSetup {
    /// The template of `source` and its variables; Ok(None) when no template file is given and the model has none.
    pub fn find(source: &ChatSource<'_>) -> Result<Option<ChatSetup>, ChatSetupError> {
        let found = match source.template_file {
            Some(path) => Some((whylm_chat::read_template_file(path)?, path.display().to_string())),
            None => model_template(source.model)?,
        };
        let Some((text, origin)) = found else {
            return Ok(None);
        };
        let template = ChatTemplate::new(&text)?;
        let mut vars = match source.model {
            Some(path) => special_token_vars(path)?,
            None => Vars::new(),
        };
        for assignment in source.assignments {
            vars.set_assignment(assignment)?;
        }
        Ok(Some(ChatSetup {
            template,
            source: origin,
            vars,
        }))
    }

    /// As [`ChatSetup::find`], but a model without a template (and no template file) is an error that says so.
    pub fn require(source: &ChatSource<'_>) -> Result<ChatSetup, ChatSetupError> {
        ChatSetup::find(source)?.ok_or_else(|| ChatSetupError::NoTemplate {
            model: match source.model {
                None => "the built-in model".to_string(),
                Some(path) => format!("the model '{}'", path.display()),
            },
        })
    }

    /// Renders `messages` with or without the generation prompt, refusing with the template's own message.
    pub fn render(
        &self,
        messages: &[Message],
        generation_prompt: bool,
    ) -> Result<RenderedChat, ChatSetupError> {
        self.template
            .render_with_spans(messages, generation_prompt, &self.vars)
            .map_err(ChatSetupError::Refused)
    }
}

/// The model's own template and where it was found; None when it has none (or there is no model).
fn model_template(model: Option<&Path>) -> Result<Option<(String, String)>, ChatSetupError> {
    let Some(path) = model else {
        return Ok(None);
    };
    if path.is_dir() {
        let found = whylm_chat::template_from_hf_dir(path, None)?;
        return Ok(found.map(|found| (found.source, found.file)));
    }
    let metadata = GgufMetadata::from_file(path)?;
    let text = metadata
        .get(whylm_chat::GGUF_CHAT_TEMPLATE_KEY)
        .and_then(|value| value.as_str());
    Ok(text.map(|text| {
        let origin = format!("{} ({})", path.display(), whylm_chat::GGUF_CHAT_TEMPLATE_KEY);
        (text.to_string(), origin)
    }))
}

/// bos_token and eos_token from the model's vocabulary, and for a Hugging Face directory every special token of
/// its tokenizer_config.json (transformers passes them all to the template).
fn special_token_vars(model: &Path) -> Result<Vars, ChatSetupError> {
    let tokenizer = if model.is_dir() {
        Tokenizer::from_hf_dir(model)?
    } else {
        Tokenizer::from_gguf_file(model)?
    };
    let piece = |id: Option<u32>| id.and_then(|id| tokenizer.piece(id));
    let mut vars = Vars::with_special_tokens(
        piece(TextTokenizer::bos_id(&tokenizer)).as_deref(),
        piece(TextTokenizer::eos_id(&tokenizer)).as_deref(),
    );
    let config = model.join("tokenizer_config.json");
    if model.is_dir() && config.is_file() {
        let text = std::fs::read_to_string(&config).map_err(|error| ChatSetupError::TokenizerConfig {
            path: config.display().to_string(),
            detail: error.to_string(),
        })?;
        let from_config = whylm_chat::special_tokens_from_tokenizer_config(&text)?;
        for name in from_config.names().map(str::to_string).collect::<Vec<_>>() {
            if let Some(value) = from_config.get_str(&name) {
                vars.set_str(&name, value);
            }
        }
    }
    Ok(vars)
}
