//! Where each message's content lies in the rendered text.
//!
//! The template is rendered twice: plain, and with every content wrapped in a pair of private-use code points
//! unique to its message. If removing the markers gives back the plain text exactly, the template treated the
//! marked contents as it treats the plain ones and the markers give the spans. Otherwise (a template that strips,
//! slices or measures content) each content is looked up in the plain text, in order.

use std::ops::Range;

use minijinja::value::ValueKind;
use minijinja::Value;
use serde::Serialize;

use crate::error::TemplateError;
use crate::message::Message;
use crate::template::ChatTemplate;
use crate::vars::Vars;

/// Markers come from Supplementary Private Use Area-B: message i opens with `MARK_BASE + 2i` and closes with the
/// next code point. Text from chats and templates essentially never holds these; if it does, whylm searches.
const MARK_BASE: u32 = 0x10_0000;
const MARK_LAST: u32 = 0x10_FFFD;
const MAX_MARKED: usize = ((MARK_LAST - MARK_BASE) / 2) as usize;

/// A rendered conversation and where its parts are (serializes as JSON for `--json` output; ranges as
/// `{"start", "end"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedChat {
    /// The text the template produced (what transformers' `apply_chat_template(..., tokenize=False)` gives).
    pub text: String,
    /// One entry per message: where its content lies in `text`, or None where the template dropped it, changed
    /// it beyond recognition, or it is empty.
    pub spans: Vec<Option<ContentSpan>>,
    /// How the spans were found.
    pub method: SpanMethod,
    /// The tail the generation prompt added (`text` minus the rendering without it), when asked for and when the
    /// rendering without it is a prefix of `text`.
    pub generation_prompt: Option<Range<usize>>,
}

/// A message's content inside the rendered text, as byte offsets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentSpan {
    pub range: Range<usize>,
    pub fit: SpanFit,
}

/// How much of the content the span holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanFit {
    /// `text[range] == content`.
    Whole,
    /// The template trimmed the content: `text[range] == content.trim()` (Python's whitespace).
    Trimmed,
}

/// How the spans were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanMethod {
    /// From markers around each content: exact even where contents repeat or the template reorders them.
    Markers,
    /// By looking each content up in the rendered text, in order (the template changed marked contents).
    Search,
}

impl ChatTemplate {
    /// Renders as [`ChatTemplate::render`] does and finds each message's content span and the generation prompt.
    pub fn render_with_spans(
        &self,
        messages: &[Message],
        add_generation_prompt: bool,
        vars: &Vars,
    ) -> Result<RenderedChat, TemplateError> {
        let text = self.render(messages, add_generation_prompt, vars)?;
        let marked = if markers_usable(self, messages, vars) {
            marker_spans(self, messages, &text, add_generation_prompt, vars)
        } else {
            None
        };
        let (spans, method) = match marked {
            Some(spans) => (spans, SpanMethod::Markers),
            None => (search_spans(messages, &text), SpanMethod::Search),
        };
        let generation_prompt = if add_generation_prompt {
            self.render(messages, false, vars)
                .ok()
                .filter(|without| without.len() < text.len() && text.starts_with(without.as_str()))
                .map(|without| without.len()..text.len())
        } else {
            None
        };
        Ok(RenderedChat {
            text,
            spans,
            method,
            generation_prompt,
        })
    }
}

fn is_marker(c: char) -> bool {
    (MARK_BASE..=MARK_LAST).contains(&(c as u32))
}

fn markers_usable(template: &ChatTemplate, messages: &[Message], vars: &Vars) -> bool {
    messages.len() <= MAX_MARKED
        && !template.source().contains(is_marker)
        && !messages.iter().any(|m| m.content.contains(is_marker))
        && !vars.values().iter().any(|(_, v)| holds_marker(v))
}

fn holds_marker(value: &Value) -> bool {
    let items = || value.try_iter().into_iter().flatten();
    match value.kind() {
        ValueKind::String => value.as_str().is_some_and(|s| s.contains(is_marker)),
        ValueKind::Seq | ValueKind::Iterable => items().any(|item| holds_marker(&item)),
        ValueKind::Map => {
            items().any(|key| holds_marker(&key) || value.get_item(&key).is_ok_and(|v| holds_marker(&v)))
        }
        _ => false,
    }
}

/// Spans from the marked rendering, or None when the markers changed what the template produced.
fn marker_spans(
    template: &ChatTemplate,
    messages: &[Message],
    plain: &str,
    add_generation_prompt: bool,
    vars: &Vars,
) -> Option<Vec<Option<ContentSpan>>> {
    let wrapped: Vec<String> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if m.content.is_empty() {
                String::new()
            } else {
                format!("{}{}{}", open(i), m.content, close(i))
            }
        })
        .collect();
    let contents: Vec<&str> = wrapped.iter().map(String::as_str).collect();
    let marked = template
        .render_contents(messages, &contents, add_generation_prompt, vars)
        .ok()?;
    // Where each message's first open and first close marker fall in the text without markers.
    let mut opens: Vec<Option<usize>> = vec![None; messages.len()];
    let mut closes: Vec<Option<usize>> = vec![None; messages.len()];
    let mut stripped = String::with_capacity(plain.len());
    for c in marked.chars() {
        if !is_marker(c) {
            stripped.push(c);
            continue;
        }
        let offset = (c as u32 - MARK_BASE) as usize;
        let slots = if offset.is_multiple_of(2) {
            &mut opens
        } else {
            &mut closes
        };
        if let Some(slot @ None) = slots.get_mut(offset / 2) {
            *slot = Some(stripped.len());
        }
    }
    if stripped != plain {
        return None;
    }
    let spans = messages.iter().enumerate().map(|(i, m)| {
        let range = opens[i]?..closes[i]?;
        (plain.get(range.clone()) == Some(m.content.as_str())).then_some(ContentSpan {
            range,
            fit: SpanFit::Whole,
        })
    });
    Some(spans.collect())
}

fn open(i: usize) -> char {
    char::from_u32(MARK_BASE + 2 * i as u32).unwrap_or('\u{FFFD}')
}

fn close(i: usize) -> char {
    char::from_u32(MARK_BASE + 2 * i as u32 + 1).unwrap_or('\u{FFFD}')
}

/// Each content (or, failing that, its trimmed text) looked up in `text`: first after the previous message's
/// span, then anywhere no other span claimed (templates such as Mistral's move the system message to the last
/// user turn).
fn search_spans(messages: &[Message], text: &str) -> Vec<Option<ContentSpan>> {
    let mut claimed: Vec<Range<usize>> = Vec::new();
    let mut cursor = 0;
    let mut spans = Vec::with_capacity(messages.len());
    for message in messages {
        let trimmed = message
            .content
            .trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c));
        let found = [
            (message.content.as_str(), SpanFit::Whole),
            (trimmed, SpanFit::Trimmed),
        ]
        .into_iter()
        .filter(|(needle, _)| !needle.is_empty())
        .find_map(|(needle, fit)| {
            find_free(text, needle, cursor, &claimed).map(|range| ContentSpan { range, fit })
        });
        if let Some(span) = &found {
            cursor = span.range.end;
            claimed.push(span.range.clone());
        }
        spans.push(found);
    }
    spans
}

/// The first occurrence of `needle` at or after `from` that overlaps no claimed range, else the first such
/// occurrence anywhere.
fn find_free(text: &str, needle: &str, from: usize, claimed: &[Range<usize>]) -> Option<Range<usize>> {
    let free = |range: &Range<usize>| {
        claimed
            .iter()
            .all(|c| range.end <= c.start || c.end <= range.start)
    };
    let occurrences = || text.match_indices(needle).map(|(at, _)| at..at + needle.len());
    occurrences()
        .find(|r| r.start >= from && free(r))
        .or_else(|| occurrences().find(|r| free(r)))
}
