//! The explained input: a list of segments rendered into the text the model reads, each segment's byte range
//! tracked. A segment is either text the user explains (maskable: its tokens become features) or fixed text the
//! model always sees (a prefix or suffix, chat-template markup between turns).
//!
//! The report's `prompt` is the **explained region**: from the start of the first non-empty maskable segment to
//! the end of the last one (fixed segments in between included, their tokens marked special); everything before
//! it is the report's `prefix`, everything after its `suffix`. For the usual prefix + prompt + suffix this is
//! exactly the prompt.

use crate::text_units::Span;

/// One piece of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    /// Who speaks (a chat role such as "user"), when the input is a conversation.
    pub role: Option<String>,
    /// Whether the segment's tokens are features; fixed segments are always kept.
    pub maskable: bool,
}

impl Segment {
    /// Text that is explained.
    pub fn maskable(text: impl Into<String>) -> Self {
        Segment {
            text: text.into(),
            role: None,
            maskable: true,
        }
    }

    /// Text the model always sees.
    pub fn fixed(text: impl Into<String>) -> Self {
        Segment {
            text: text.into(),
            role: None,
            maskable: false,
        }
    }

    /// The same segment spoken by `role`.
    pub fn with_role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }
}

/// The segments concatenated, with each segment's byte range in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedInput {
    /// What the model reads.
    pub text: String,
    pub segments: Vec<Segment>,
    /// Byte range of each segment in `text`.
    pub ranges: Vec<Span>,
}

impl RenderedInput {
    pub fn render(segments: &[Segment]) -> Self {
        let mut text = String::new();
        let mut ranges = Vec::with_capacity(segments.len());
        for segment in segments {
            let start = text.len();
            text.push_str(&segment.text);
            ranges.push((start, text.len()));
        }
        RenderedInput {
            text,
            segments: segments.to_vec(),
            ranges,
        }
    }

    /// Byte ranges (in `text`) of the non-empty maskable segments, in order.
    pub fn maskable_ranges(&self) -> Vec<Span> {
        self.segments
            .iter()
            .zip(&self.ranges)
            .filter(|(segment, (start, end))| segment.maskable && end > start)
            .map(|(_, &range)| range)
            .collect()
    }

    /// The explained region (see the module notes); `(0, 0)` when no maskable segment has text.
    pub fn explained(&self) -> Span {
        let maskable = self.maskable_ranges();
        match (maskable.first(), maskable.last()) {
            (Some(first), Some(last)) => (first.0, last.1),
            _ => (0, 0),
        }
    }

    /// Whether some maskable segment has text.
    pub fn has_maskable_text(&self) -> bool {
        !self.maskable_ranges().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_prompt_suffix_render_with_the_prompt_as_the_explained_region() {
        let input = RenderedInput::render(&[
            Segment::fixed("[INST]"),
            Segment::maskable(" Tom ran"),
            Segment::fixed(" [/INST]"),
        ]);
        assert_eq!(input.text, "[INST] Tom ran [/INST]");
        assert_eq!(input.ranges, [(0, 6), (6, 14), (14, 22)]);
        assert_eq!(input.explained(), (6, 14));
        assert_eq!(&input.text[6..14], " Tom ran");
    }

    #[test]
    fn turns_make_one_region_from_the_first_to_the_last_maskable_segment() {
        let input = RenderedInput::render(&[
            Segment::fixed("<u>"),
            Segment::maskable("Hi.").with_role("user"),
            Segment::fixed("<a>"),
            Segment::maskable("Hello.").with_role("assistant"),
            Segment::maskable(""),
            Segment::fixed("<u>"),
        ]);
        assert_eq!(input.maskable_ranges(), [(3, 6), (9, 15)]);
        assert_eq!(input.explained(), (3, 15));
        assert_eq!(input.segments[1].role.as_deref(), Some("user"));
    }

    #[test]
    fn no_maskable_text_is_an_empty_region() {
        let input = RenderedInput::render(&[Segment::fixed("a"), Segment::maskable("")]);
        assert!(!input.has_maskable_text());
        assert_eq!(input.explained(), (0, 0));
    }
}
