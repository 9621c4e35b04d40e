//! `explain --task summarise`: the prompt is a document, the target its summary (given, or generated after an
//! instruction), and the features are the document's sentences. A chat model reads the instruction and the
//! document as one user message rendered by its template; a model without a template reads the document, then
//! the instruction.

use std::path::Path;

use anyhow::Result;
use clap::{Args, ValueEnum};
use whylm_chat::{Message, Role};
use whylm_explain::Segment;

use crate::failure::{user_error, UserFault};
use crate::options::chat::ChatOptions;

/// What `explain` does with the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Task {
    /// Attribute the target to the prompt's features.
    #[default]
    Explain,
    /// The prompt is a document and the target its summary: every summary sentence is explained by the
    /// document's sentences (a source × summary matrix in the report).
    #[value(alias = "summarize")]
    Summarise,
}

impl Task {
    /// The name the report document records.
    pub fn name(self) -> &'static str {
        match self {
            Task::Explain => "explain",
            Task::Summarise => "summarise",
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct SummariseOptions {
    /// The task: explain (the target after the prompt) or summarise (the prompt is a document, the target its
    /// summary, explained sentence by sentence).
    #[arg(long, value_enum, default_value = "explain")]
    pub task: Task,
    /// With --task summarise: the instruction the model reads with the document.
    #[arg(
        long,
        value_name = "TEXT",
        default_value = "Summarise the text above in a few sentences."
    )]
    pub instruction: String,
}

/// The input of a summary: the document maskable, the instruction and any template markup fixed. The bool is
/// whether the text writes the model's special tokens itself (a chat template's rendering).
pub fn summary_input(
    options: &SummariseOptions,
    chat: &ChatOptions,
    model: Option<&Path>,
    document: &str,
) -> Result<(Vec<Segment>, bool)> {
    if options.instruction.trim().is_empty() {
        return Err(user_error(
            "the --instruction is empty",
            "say what the model should do with the document",
        ));
    }
    let Some(setup) = chat.setup_if_any(model)? else {
        // no template: a base model reads the document, then the instruction
        let suffix = format!("\n\n{}\n", options.instruction);
        return Ok((vec![Segment::maskable(document), Segment::fixed(suffix)], false));
    };
    let content = format!("{document}\n\n{}", options.instruction);
    let rendered = setup
        .render(&[Message::new(Role::User, content)], true)
        .user_fault()?;
    let Some(span) = rendered.spans.first().and_then(Option::as_ref) else {
        return Err(user_error(
            "the chat template rewrote the document so that it cannot be found in the rendered prompt",
            "pass a template that prints message contents as given with --chat-template",
        ));
    };
    let start = span.range.start;
    let document_end = start + document.trim_end().len();
    let text = &rendered.text;
    if !text[start..].starts_with(document.trim_end()) {
        return Err(user_error(
            "the chat template changed the start of the document",
            "pass a template that prints message contents as given with --chat-template",
        ));
    }
    let segments = vec![
        Segment::fixed(&text[..start]),
        Segment::maskable(&text[start..document_end]),
        Segment::fixed(&text[document_end..]),
    ];
    Ok((segments, true))
}
