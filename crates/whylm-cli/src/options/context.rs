//! `explain --context-file F` (repeatable) or `--context-json FILE`: documents the model reads before the prompt,
//! like retrieved passages in a RAG prompt. The documents are explained and the prompt is the query, kept fixed.
//! The model reads ContextCite's template, `Context: DOC1\n\nDOC2\n\n...DOCn\n\nQuery: PROMPT`, as one user
//! message of its chat template when it has one, else as plain text. Every document is a maskable segment of its
//! own, so `--level document` makes each one feature and no finer feature crosses from one document into the next.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use serde::Deserialize;
use whylm_chat::{Message, Role};
use whylm_explain::Segment;

use crate::failure::{user_error, UserFault};
use crate::options::chat::ChatOptions;

/// The text before the first document, between two documents, and before the query.
const CONTEXT_HEADER: &str = "Context: ";
const DOCUMENT_SEPARATOR: &str = "\n\n";
const QUERY_HEADER: &str = "\n\nQuery: ";

#[derive(Args, Debug, Clone, Default)]
pub struct ContextOptions {
    /// A document the model reads before the prompt (a retrieved passage in a RAG prompt); repeat it for each
    /// document, in order. The model reads "Context: DOC1\n\nDOC2\n\nQuery: PROMPT" (in its chat template's
    /// user message when it has one): the documents are explained, the prompt (the query) is kept.
    /// `--level document` makes each document one feature.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["chat", "user", "prefix", "suffix"])]
    pub context_file: Vec<PathBuf>,
    /// The documents as a JSON file instead: a list of strings, or of {"title": "...", "text": "..."} objects
    /// (the title becomes the document's first line).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["context_file", "chat", "user", "prefix", "suffix"])]
    pub context_json: Option<PathBuf>,
}

/// One entry of `--context-json`.
#[derive(Deserialize)]
#[serde(untagged)]
enum JsonDocument {
    Text(String),
    Titled { title: String, text: String },
}

impl ContextOptions {
    /// Whether any document was given.
    pub fn given(&self) -> bool {
        !self.context_file.is_empty() || self.context_json.is_some()
    }

    /// The documents, each trimmed of surrounding whitespace; an empty one is an error that names it.
    pub fn documents(&self) -> Result<Vec<String>> {
        let named: Vec<(String, String)> = match &self.context_json {
            Some(path) => json_documents(path)?,
            None => self
                .context_file
                .iter()
                .map(|path| Ok((format!("--context-file '{}'", path.display()), read_text(path)?)))
                .collect::<Result<_>>()?,
        };
        named
            .into_iter()
            .map(|(name, text)| {
                let text = text.trim();
                if text.is_empty() {
                    return Err(user_error(
                        format!("the document {name} is empty"),
                        "give it some text or leave it out",
                    ));
                }
                Ok(text.to_string())
            })
            .collect()
    }
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|error| {
        user_error(
            format!("could not read the document '{}': {error}", path.display()),
            "check the path passed to --context-file or --context-json",
        )
    })?;
    String::from_utf8(bytes).map_err(|error| {
        user_error(
            format!(
                "the document '{}' is not UTF-8 text (invalid byte at offset {})",
                path.display(),
                error.utf8_error().valid_up_to()
            ),
            "convert it to UTF-8 (for example with iconv) and try again",
        )
    })
}

/// The documents of a `--context-json` file, each with the name an error message gives it.
fn json_documents(path: &Path) -> Result<Vec<(String, String)>> {
    let text = read_text(path)?;
    let documents: Vec<JsonDocument> = serde_json::from_str(&text).map_err(|error| {
        user_error(
            format!("'{}' is not a JSON list of documents: {error}", path.display()),
            r#"write ["text of document 1", ...] or [{"title": "...", "text": "..."}, ...]"#,
        )
    })?;
    if documents.is_empty() {
        return Err(user_error(
            format!("'{}' holds no documents", path.display()),
            "give at least one document",
        ));
    }
    Ok(documents
        .into_iter()
        .enumerate()
        .map(|(i, document)| {
            let name = format!("{} of '{}'", i + 1, path.display());
            match document {
                JsonDocument::Text(text) => (name, text),
                // an empty text with a title is still empty: the title alone is no passage
                JsonDocument::Titled { text, .. } if text.trim().is_empty() => (name, String::new()),
                JsonDocument::Titled { title, text } => (name, format!("{}\n{}", title.trim(), text.trim())),
            }
        })
        .collect())
}

/// The query prompt's pieces: the template text (fixed) and the documents (maskable), with their byte offsets.
fn pieces(documents: &[String], query: &str) -> (String, Vec<(usize, usize, bool)>) {
    let mut text = String::from(CONTEXT_HEADER);
    let mut pieces = Vec::new();
    let mut fixed_from = 0;
    for (i, document) in documents.iter().enumerate() {
        if i > 0 {
            text.push_str(DOCUMENT_SEPARATOR);
        }
        pieces.push((fixed_from, text.len(), false));
        let start = text.len();
        text.push_str(document);
        pieces.push((start, text.len(), true));
        fixed_from = text.len();
    }
    text.push_str(QUERY_HEADER);
    text.push_str(query);
    pieces.push((fixed_from, text.len(), false));
    (text, pieces)
}

/// The input with `documents` before the `query`: the segments and whether the text writes the model's special
/// tokens itself (a chat template's rendering).
pub fn context_input(
    documents: &[String],
    query: &str,
    chat: &ChatOptions,
    model: Option<&Path>,
) -> Result<(Vec<Segment>, bool)> {
    let (content, pieces) = pieces(documents, query);
    let segment = |text: &str, maskable: bool| match maskable {
        true => Segment::maskable(text),
        false => Segment::fixed(text),
    };
    let Some(setup) = chat.setup_if_any(model)? else {
        let segments = pieces
            .iter()
            .map(|&(s, e, m)| segment(&content[s..e], m))
            .collect();
        return Ok((segments, false));
    };
    let rendered = setup
        .render(&[Message::new(Role::User, content.clone())], true)
        .user_fault()?;
    let text = &rendered.text;
    let start = rendered
        .spans
        .first()
        .and_then(Option::as_ref)
        .map(|s| s.range.start);
    let Some(start) = start.filter(|&s| text[s..].starts_with(&content)) else {
        return Err(user_error(
            "the chat template rewrote the query and its documents so that they cannot be found in the rendered prompt",
            "pass a template that prints message contents as given with --chat-template",
        ));
    };
    let mut segments = vec![Segment::fixed(&text[..start])];
    segments.extend(
        pieces
            .iter()
            .map(|&(s, e, m)| segment(&text[start + s..start + e], m)),
    );
    segments.push(Segment::fixed(&text[start + content.len()..]));
    Ok((segments, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_sit_between_the_template_pieces_as_maskable_segments() {
        let documents = ["Doc one.".to_string(), "Doc two.".to_string()];
        let (segments, in_text) = context_input(&documents, "Why?", &ChatOptions::default(), None).unwrap();
        assert!(!in_text);
        let texts: Vec<(&str, bool)> = segments.iter().map(|s| (s.text.as_str(), s.maskable)).collect();
        assert_eq!(
            texts,
            [
                ("Context: ", false),
                ("Doc one.", true),
                ("\n\n", false),
                ("Doc two.", true),
                ("\n\nQuery: Why?", false)
            ]
        );
    }
}
