//! Features (groups of prompt tokens kept or masked together) at token, word and sentence level, built from the
//! tokens' byte spans.
//!
//! Each token gets one **anchor** byte, and the unit (word, sentence) that holds the anchor owns the token, so a
//! token that spans a word boundary (e.g. SentencePiece "▁b" + "all." where "all." covers "all" and ".") belongs
//! to exactly one feature: the one holding its first non-whitespace byte. A whitespace-only token ("▁", "\n") is
//! anchored at the next non-whitespace byte of the prompt (SentencePiece attaches the space to the following
//! word), or at the previous one when only whitespace follows.
//!
//! Special tokens (BOS, control tokens) are never features, and neither are tokens outside the prompt (prefix,
//! suffix): the masker always keeps them.

pub use crate::options::Level;
use crate::text_units::{Span, TextUnits};
use std::collections::BTreeMap;
pub use whylm_report::Feature;

/// A token of the model input that belongs to the explained prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptToken {
    /// Index into the model input's tokens.
    pub index: usize,
    /// Byte span in the prompt (clamped to it, widened to char boundaries).
    pub span: Span,
    /// The byte (in the prompt) that decides which word and sentence the token belongs to.
    pub anchor: usize,
}

/// Where the prompt lies in the tokenized text, and the tokens' spans in that text.
#[derive(Debug, Clone, Copy)]
pub struct TokenLayout<'a> {
    /// The whole text the model sees (prefix + prompt + suffix).
    pub text: &'a str,
    /// Byte range of the prompt in `text`.
    pub prompt: Span,
    /// Byte span of each token in `text`.
    pub spans: &'a [(usize, usize)],
    /// Whether each token is special.
    pub special: &'a [bool],
}

impl TokenLayout<'_> {
    fn prompt_text(&self) -> &str {
        &self.text[self.prompt.0..self.prompt.1]
    }

    /// The non-special tokens that belong to the prompt, in input order.
    pub fn prompt_tokens(&self) -> Vec<PromptToken> {
        let (ps, pe) = self.prompt;
        let prompt = self.prompt_text();
        let mut out = Vec::new();
        // (belongs to the prompt, anchor) of the previous non-special token
        let mut previous: Option<(bool, usize)> = None;
        for (index, &(start, end)) in self.spans.iter().enumerate() {
            if self.special.get(index).copied().unwrap_or(false) {
                continue;
            }
            let (start, end) = (start.min(self.text.len()), end.min(self.text.len()).max(start));
            let own_anchor = first_non_space(self.text, start, end);
            let local = (start.clamp(ps, pe) - ps, end.clamp(ps, pe) - ps);
            let span = (floor_char(prompt, local.0), ceil_char(prompt, local.1));
            let (belongs, anchor) = match (own_anchor, previous) {
                (Some(a), _) => ((ps..pe).contains(&a), floor_char(prompt, a.clamp(ps, pe) - ps)),
                // an empty span continues the previous token (the later bytes of a character that
                // byte fallback split, see whylm_tokenize::Encoding::spans)
                (None, Some(prev)) if start == end => prev,
                // whitespace (or a lone dummy-prefix `▁`): the next word owns it, else the previous one
                (None, _) => (
                    (ps..pe).contains(&start),
                    first_non_space(prompt, span.1, prompt.len())
                        .or_else(|| last_non_space(prompt, 0, span.0))
                        .unwrap_or(span.0),
                ),
            };
            previous = Some((belongs, anchor));
            if belongs {
                out.push(PromptToken { index, span, anchor });
            }
        }
        out
    }

    /// The features of the prompt at `level`, in prompt order. Empty when the prompt has no (non-special) tokens.
    pub fn features(&self, level: Level) -> Vec<Feature> {
        let prompt = self.prompt_text();
        let tokens = self.prompt_tokens();
        if level == Level::Token {
            return tokens
                .iter()
                .map(|t| feature(prompt, t.span, vec![t.index]))
                .collect();
        }
        let units = TextUnits::of(prompt);
        let mut groups: BTreeMap<usize, Vec<&PromptToken>> = BTreeMap::new();
        let mut last_key = 0;
        for token in &tokens {
            let key = match level {
                // a whitespace-only prompt has no words: its tokens join the previous group
                Level::Word => units.word_at(token.anchor).unwrap_or(last_key),
                _ => units.sentence_at(token.anchor),
            };
            last_key = key;
            groups.entry(key).or_default().push(token);
        }
        groups
            .into_values()
            .map(|members| {
                let span = group_span(prompt, &members);
                feature(prompt, span, members.iter().map(|t| t.index).collect())
            })
            .collect()
    }
}

/// A group's span runs from its first anchor to the last non-whitespace byte of its tokens, so that it shows
/// "ball." rather than " ball. ".
fn group_span(prompt: &str, members: &[&PromptToken]) -> Span {
    let start = members.iter().map(|t| t.anchor).min().unwrap_or(0);
    let trimmed_end = members
        .iter()
        .filter_map(|t| last_non_space(prompt, t.span.0, t.span.1).map(|p| ceil_char(prompt, p + 1)))
        .max();
    let end = trimmed_end.unwrap_or_else(|| members.iter().map(|t| t.span.1).max().unwrap_or(start));
    if end >= start {
        (start, end)
    } else {
        let raw_start = members.iter().map(|t| t.span.0).min().unwrap_or(0);
        (raw_start, end.max(raw_start))
    }
}

fn feature(prompt: &str, span: Span, tokens: Vec<usize>) -> Feature {
    Feature {
        text: prompt[span.0..span.1].to_string(),
        start: span.0,
        end: span.1,
        tokens,
    }
}

fn floor_char(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

fn ceil_char(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos += 1;
    }
    pos
}

/// First byte in `text[from..to]` of a non-whitespace char (spans may cut chars: they are widened first).
fn first_non_space(text: &str, from: usize, to: usize) -> Option<usize> {
    let (from, to) = (floor_char(text, from), ceil_char(text, to));
    text[from..to.max(from)]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, _)| from + i)
}

/// Start byte of the last non-whitespace char in `text[from..to]`.
fn last_non_space(text: &str, from: usize, to: usize) -> Option<usize> {
    let (from, to) = (floor_char(text, from), ceil_char(text, to));
    text[from..to.max(from)]
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, _)| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-made tokens of a test text: each token's byte span in the text and whether it is special.
    struct Tokens {
        text: &'static str,
        spans: Vec<(usize, usize)>,
        special: Vec<bool>,
    }

    impl Tokens {
        /// A special BOS token (empty span) followed by `pieces`, which must tile `text`: the shape a real
        /// tokenizer gives, written as text rather than byte offsets so that a test reads as what it checks.
        fn bos_then(text: &'static str, pieces: &[&str]) -> Tokens {
            let mut spans = vec![(0, 0)];
            let mut special = vec![true];
            let mut pos = 0;
            for piece in pieces {
                assert_eq!(
                    &text[pos..pos + piece.len()],
                    *piece,
                    "test pieces must tile the text"
                );
                spans.push((pos, pos + piece.len()));
                special.push(false);
                pos += piece.len();
            }
            Tokens { text, spans, special }
        }

        /// Tokens given by explicit byte spans, for the cases pieces cannot express (empty or char-cutting spans).
        fn with_spans(text: &'static str, spans: &[(usize, usize)], special: &[bool]) -> Tokens {
            Tokens {
                text,
                spans: spans.to_vec(),
                special: special.to_vec(),
            }
        }

        /// The layout when the prompt is the byte range `prompt` of the text (a chat template around it).
        fn layout_with_prompt(&self, prompt: Span) -> TokenLayout<'_> {
            TokenLayout {
                text: self.text,
                prompt,
                spans: &self.spans,
                special: &self.special,
            }
        }

        /// The features at `level` when the whole text is the prompt (no template prefix or suffix).
        fn features(&self, level: Level) -> Vec<Feature> {
            self.layout_with_prompt((0, self.text.len())).features(level)
        }
    }

    fn texts(features: &[Feature]) -> Vec<&str> {
        features.iter().map(|f| f.text.as_str()).collect()
    }

    #[test]
    fn token_level_skips_special_tokens_and_keeps_order() {
        let features = Tokens::bos_then("Tom had", &["T", "om", " had"]).features(Level::Token);
        assert_eq!(texts(&features), ["T", "om", " had"]);
        assert_eq!(
            features.iter().map(|f| f.tokens.clone()).collect::<Vec<_>>(),
            [[1], [2], [3]]
        );
    }

    #[test]
    fn a_token_spanning_a_word_boundary_belongs_to_the_word_of_its_first_byte() {
        // "all." covers the end of "ball" and the ".": it belongs to "ball" only, so "." has no token and no feature
        let words = Tokens::bos_then("a ball. Next", &["a", " b", "all.", " Next"]).features(Level::Word);
        assert_eq!(texts(&words), ["a", "ball.", "Next"]);
        assert_eq!(words[1].tokens, [2, 3]);
        let every_token: Vec<usize> = words.iter().flat_map(|f| f.tokens.clone()).collect();
        assert_eq!(every_token, [1, 2, 3, 4], "each token in exactly one feature");
    }

    #[test]
    fn words_handle_multiple_spaces_punctuation_and_non_ascii() {
        let pieces = ["Zo", "ë", " ", " said", ":", " «", "hi", "»!"];
        let words = Tokens::bos_then("Zoë  said: «hi»!", &pieces).features(Level::Word);
        assert_eq!(texts(&words), ["Zoë", "said", ":", "«", "hi", "»!"]);
        // the lone space token is anchored at the next word
        assert_eq!(words[1].tokens, [3, 4]);
    }

    #[test]
    fn byte_fallback_tokens_with_empty_spans_stay_with_their_character() {
        // whylm_tokenize gives the first byte token of "é" the whole char and the second an empty span
        let spans = [(0, 0), (0, 3), (3, 5), (5, 5), (5, 8)];
        let tokens = Tokens::with_spans("café au", &spans, &[true, false, false, false, false]);
        assert_eq!(texts(&tokens.features(Level::Token)), ["caf", "é", "", " au"]);
        let words = tokens.features(Level::Word);
        assert_eq!(texts(&words), ["café", "au"]);
        assert_eq!(words[0].tokens, [1, 2, 3]);
    }

    #[test]
    fn spans_that_cut_a_character_are_widened() {
        let tokens = Tokens::with_spans("café au", &[(0, 3), (3, 4), (4, 5), (5, 8)], &[false; 4]);
        assert_eq!(texts(&tokens.features(Level::Token)), ["caf", "é", "é", " au"]);
        assert_eq!(texts(&tokens.features(Level::Word)), ["café", "au"]);
    }

    #[test]
    fn a_lone_dummy_prefix_token_joins_the_first_word() {
        let spans = [(0, 0), (0, 0), (0, 2), (2, 6)];
        let words = Tokens::with_spans("Hi you", &spans, &[true, false, false, false]).features(Level::Word);
        assert_eq!(texts(&words), ["Hi", "you"]);
        assert_eq!(words[0].tokens, [1, 2]);
    }

    #[test]
    fn sentences_group_tokens_and_newline_tokens_join_the_next_sentence() {
        let pieces = ["Hi", " there", ".", " Go", "!", "\n", "Ok"];
        let sentences = Tokens::bos_then("Hi there. Go!\nOk", &pieces).features(Level::Sentence);
        assert_eq!(texts(&sentences), ["Hi there.", "Go!", "Ok"]);
        assert_eq!(sentences[2].tokens, [6, 7]);
    }

    #[test]
    fn prefix_and_suffix_tokens_are_not_features_and_spans_are_prompt_relative() {
        let tokens = Tokens::bos_then("[INST] Tom ran [/INST]", &["[INST]", " Tom", " ran", " [/INST]"]);
        let words = tokens.layout_with_prompt((6, 14)).features(Level::Word);
        assert_eq!(texts(&words), ["Tom", "ran"]);
        assert_eq!((words[0].start, words[0].end), (1, 4));
        assert_eq!(words[1].tokens, [3]);
    }

    #[test]
    fn a_whitespace_only_prompt_is_one_word() {
        let words = Tokens::bos_then("  \n", &["  ", "\n"]).features(Level::Word);
        assert_eq!(words.len(), 1);
        assert_eq!(words[0].tokens, [1, 2]);
    }
}
