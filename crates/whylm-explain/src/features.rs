//! Features (groups of input tokens kept or masked together) and the tokens they are made of.
//!
//! Each token gets one **anchor** byte, and the unit (word, clause, sentence, segment, custom span) that holds
//! the anchor owns the token, so a token that spans a word boundary (e.g. SentencePiece "▁b" + "all." where
//! "all." covers "all" and ".") belongs to exactly one feature: the one holding its first non-whitespace byte. A
//! whitespace-only token ("▁", "\n") is anchored at the next non-whitespace byte of its segment (SentencePiece
//! attaches the space to the following word), or at the previous one when only whitespace follows.
//!
//! Special tokens (BOS, control tokens) are never features, and neither are tokens of fixed segments (prefix,
//! suffix, template markup): the masker always keeps them. The feature sources per level are in
//! feature_sources.rs.

use crate::options::Level;
use crate::text_pos::{ceil_char, first_non_space, floor_char};
use crate::text_units::Span;

/// A group of input tokens kept or masked together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// `prompt[start..end]` of the explained region.
    pub text: String,
    /// Byte span `[start, end)` in the explained region (the report's `prompt`).
    pub start: usize,
    pub end: usize,
    /// Indices into the model input's tokens.
    pub tokens: Vec<usize>,
    /// The level (source) that made it.
    pub level: Level,
}

impl From<&Feature> for whylm_report::Feature {
    fn from(f: &Feature) -> Self {
        whylm_report::Feature {
            text: f.text.clone(),
            start: f.start,
            end: f.end,
            tokens: f.tokens.clone(),
        }
    }
}

/// A token of the model input that belongs to a maskable segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptToken {
    /// Index into the model input's tokens.
    pub index: usize,
    /// Byte span in the explained region (clamped to it, widened to char boundaries).
    pub span: Span,
    /// The byte (in the explained region) that decides which unit the token belongs to.
    pub anchor: usize,
    /// Which maskable segment (index into `TokenLayout::maskable`) holds it.
    pub segment: usize,
}

/// Where the explained text lies in the tokenized text, and the tokens' spans in that text.
#[derive(Debug, Clone)]
pub struct TokenLayout<'a> {
    /// The whole text the model sees (prefix + prompt + suffix, or every segment).
    pub text: &'a str,
    /// Byte range of the explained region in `text` (the report's `prompt`).
    pub prompt: Span,
    /// Byte ranges in `text` of the maskable segments, in order, inside `prompt`.
    pub maskable: Vec<Span>,
    /// Byte span of each token in `text`.
    pub spans: &'a [(usize, usize)],
    /// Whether each token is special.
    pub special: &'a [bool],
}

impl<'a> TokenLayout<'a> {
    /// One maskable segment, `prompt`, inside `text`.
    pub fn new(text: &'a str, prompt: Span, spans: &'a [(usize, usize)], special: &'a [bool]) -> Self {
        TokenLayout {
            text,
            prompt,
            maskable: vec![prompt],
            spans,
            special,
        }
    }

    /// The explained region's text.
    pub fn prompt_text(&self) -> &'a str {
        &self.text[self.prompt.0..self.prompt.1]
    }

    /// The maskable segment holding byte `pos` of `text`.
    fn segment_at(&self, pos: usize) -> Option<usize> {
        self.maskable.iter().position(|&(s, e)| s <= pos && pos < e)
    }

    /// Segment `segment`'s range relative to the explained region (the whole region when out of range).
    pub fn local_segment(&self, segment: usize) -> Span {
        let (ps, pe) = self.prompt;
        self.maskable.get(segment).map_or((0, pe - ps), |&(s, e)| {
            (s.clamp(ps, pe) - ps, e.clamp(ps, pe) - ps)
        })
    }

    /// The non-special tokens that belong to a maskable segment, in input order.
    pub fn prompt_tokens(&self) -> Vec<PromptToken> {
        let (ps, pe) = self.prompt;
        let prompt = self.prompt_text();
        let mut out = Vec::new();
        // (segment, anchor) of the previous non-special token
        let mut previous: Option<(Option<usize>, usize)> = None;
        for (index, &(start, end)) in self.spans.iter().enumerate() {
            if self.special.get(index).copied().unwrap_or(false) {
                continue;
            }
            let (start, end) = (start.min(self.text.len()), end.min(self.text.len()).max(start));
            let own_anchor = first_non_space(self.text, start, end);
            let local = (start.clamp(ps, pe) - ps, end.clamp(ps, pe) - ps);
            let span = (floor_char(prompt, local.0), ceil_char(prompt, local.1));
            let (segment, anchor) = match (own_anchor, previous) {
                (Some(a), _) => (self.segment_at(a), floor_char(prompt, a.clamp(ps, pe) - ps)),
                // an empty span continues the previous token (the later bytes of a character that
                // byte fallback split, see whylm_tokenize::Encoding::spans)
                (None, Some(prev)) if start == end => prev,
                // whitespace (or a lone dummy-prefix `▁`): the next word of its segment owns it, else the
                // previous one
                (None, _) => {
                    let segment = self.segment_at(start);
                    let (from, to) = segment.map_or((0, prompt.len()), |s| self.local_segment(s));
                    let anchor = first_non_space(prompt, span.1, to)
                        .or_else(|| crate::text_pos::last_non_space(prompt, from, span.0))
                        .unwrap_or(span.0);
                    (segment, anchor)
                }
            };
            previous = Some((segment, anchor));
            if let Some(segment) = segment {
                out.push(PromptToken {
                    index,
                    span,
                    anchor,
                    segment,
                });
            }
        }
        out
    }
}
