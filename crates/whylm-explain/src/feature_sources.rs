//! The feature sources: the features of the maskable segments at each level, built from the tokens' anchors
//! (features.rs). Token: each token; word, clause, sentence, paragraph: the unit of text_units.rs that holds the
//! anchor; turn and document: each maskable segment (a chat message, a context document); custom: the byte spans
//! the caller gives. No feature crosses a segment boundary.

use std::collections::BTreeMap;

use crate::error::ExplainError;
use crate::features::{Feature, PromptToken, TokenLayout};
use crate::options::Level;
use crate::text_pos::{ceil_char, last_non_space};
use crate::text_units::{Span, TextUnits};

impl TokenLayout<'_> {
    /// The features at `level`, in text order; empty when no maskable segment has a (non-special) token, and
    /// for [`Level::Custom`], whose spans only [`TokenLayout::custom_features`] knows.
    pub fn features(&self, level: Level) -> Vec<Feature> {
        let prompt = self.prompt_text();
        let tokens = self.prompt_tokens();
        if level == Level::Token {
            return tokens
                .iter()
                .map(|t| feature(prompt, t.span, vec![t.index], level))
                .collect();
        }
        if level == Level::Custom {
            return Vec::new();
        }
        let units = TextUnits::of(prompt);
        let mut groups: BTreeMap<(usize, usize), Vec<&PromptToken>> = BTreeMap::new();
        let mut last_word = 0;
        for token in &tokens {
            let unit = match level {
                // a whitespace-only text has no words: its tokens join the previous group
                Level::Word => units.word_at(token.anchor).unwrap_or(last_word),
                Level::Clause => units.clause_at(token.anchor),
                Level::Paragraph => units.paragraph_at(token.anchor),
                Level::Turn | Level::Document => 0,
                _ => units.sentence_at(token.anchor),
            };
            last_word = unit;
            groups.entry((token.segment, unit)).or_default().push(token);
        }
        groups
            .into_values()
            .map(|members| {
                let span = group_span(prompt, &members);
                feature(prompt, span, members.iter().map(|t| t.index).collect(), level)
            })
            .collect()
    }

    /// One feature per span of `spans` (byte ranges in the explained region, in any order, not overlapping),
    /// holding the tokens whose anchor lies in it; tokens in no span are always kept.
    pub fn custom_features(&self, spans: &[Span]) -> Result<Vec<Feature>, ExplainError> {
        let prompt = self.prompt_text();
        check_custom_spans(prompt, spans)?;
        let tokens = self.prompt_tokens();
        spans
            .iter()
            .map(|&(start, end)| {
                let members: Vec<usize> = tokens
                    .iter()
                    .filter(|t| start <= t.anchor && t.anchor < end)
                    .map(|t| t.index)
                    .collect();
                if members.is_empty() {
                    return Err(ExplainError::BadCustomSpan {
                        start,
                        end,
                        reason: "it holds no token of a maskable segment".into(),
                    });
                }
                Ok(feature(prompt, (start, end), members, Level::Custom))
            })
            .collect()
    }
}

/// Custom spans must be non-empty, inside the text, on char boundaries and disjoint.
fn check_custom_spans(prompt: &str, spans: &[Span]) -> Result<(), ExplainError> {
    if spans.is_empty() {
        return Err(ExplainError::NoCustomSpans);
    }
    let bad = |&(start, end): &Span, reason: &str| ExplainError::BadCustomSpan {
        start,
        end,
        reason: reason.into(),
    };
    for span @ &(start, end) in spans {
        if start >= end {
            return Err(bad(span, "it is empty"));
        }
        if end > prompt.len() {
            return Err(bad(span, &format!("the text is {} bytes long", prompt.len())));
        }
        if !prompt.is_char_boundary(start) || !prompt.is_char_boundary(end) {
            return Err(bad(span, "it cuts a character"));
        }
    }
    let mut sorted = spans.to_vec();
    sorted.sort_unstable();
    if let Some(pair) = sorted.windows(2).find(|w| w[1].0 < w[0].1) {
        return Err(bad(
            &pair[1],
            &format!("it overlaps {}..{}", pair[0].0, pair[0].1),
        ));
    }
    Ok(())
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

fn feature(prompt: &str, span: Span, tokens: Vec<usize>, level: Level) -> Feature {
    Feature {
        text: prompt[span.0..span.1].to_string(),
        start: span.0,
        end: span.1,
        tokens,
        level,
    }
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
            TokenLayout::new(self.text, prompt, &self.spans, &self.special)
        }

        /// The features at `level` when the whole text is the prompt (no template prefix or suffix).
        fn features(&self, level: Level) -> Vec<Feature> {
            self.layout_with_prompt((0, self.text.len())).features(level)
        }
    }

    fn texts(features: &[Feature]) -> Vec<&str> {
        features.iter().map(|f| f.text.as_str()).collect()
    }

    fn tokens_of(features: &[Feature]) -> Vec<Vec<usize>> {
        features.iter().map(|f| f.tokens.clone()).collect()
    }

    #[test]
    fn token_level_skips_special_tokens_and_keeps_order() {
        let features = Tokens::bos_then("Tom had", &["T", "om", " had"]).features(Level::Token);
        assert_eq!(texts(&features), ["T", "om", " had"]);
        assert_eq!(
            features.iter().map(|f| f.tokens.clone()).collect::<Vec<_>>(),
            [[1], [2], [3]]
        );
        assert!(features.iter().all(|f| f.level == Level::Token));
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

    #[test]
    fn clauses_split_at_commas_semicolons_colons_and_dashes() {
        let pieces = [
            "We", " ran", ",", " hid", ";", " then", " —", " rested", " -", " ok", " well", "-known",
        ];
        let clauses =
            Tokens::bos_then("We ran, hid; then — rested - ok well-known", &pieces).features(Level::Clause);
        assert_eq!(
            texts(&clauses),
            ["We ran,", "hid;", "then —", "rested -", "ok well-known"]
        );
        assert_eq!(
            tokens_of(&clauses),
            [
                vec![1, 2, 3],
                vec![4, 5],
                vec![6, 7],
                vec![8, 9],
                vec![10, 11, 12]
            ]
        );
        assert!(clauses.iter().all(|f| f.level == Level::Clause));
    }

    /// "<u>Hi there. Go<a>Fine" with maskable turns "Hi there. Go" and "Fine" around fixed markup.
    fn two_turns() -> (Tokens, Vec<Span>) {
        let pieces = ["<u>", "Hi", " there", ".", " Go", "<a>", "Fine"];
        let tokens = Tokens::bos_then("<u>Hi there. Go<a>Fine", &pieces);
        (tokens, vec![(3, 15), (18, 22)])
    }

    #[test]
    fn turns_are_one_feature_per_maskable_segment_and_markup_is_no_feature() {
        let (tokens, maskable) = two_turns();
        let mut layout = tokens.layout_with_prompt((3, 22));
        layout.maskable = maskable;
        let turns = layout.features(Level::Turn);
        assert_eq!(texts(&turns), ["Hi there. Go", "Fine"]);
        assert_eq!(tokens_of(&turns), [vec![2, 3, 4, 5], vec![7]]);
        // the markup token between the turns (index 6) is in no feature at any level
        for level in [Level::Token, Level::Word, Level::Sentence] {
            let features = layout.features(level);
            assert!(features
                .iter()
                .all(|f| !f.tokens.contains(&6) && !f.tokens.contains(&1)));
        }
        // no sentence crosses from one turn into the next
        assert_eq!(
            texts(&layout.features(Level::Sentence)),
            ["Hi there.", "Go", "Fine"]
        );
    }

    #[test]
    fn paragraphs_split_at_blank_lines_and_the_blank_line_tokens_join_the_next_paragraph() {
        let pieces = [
            "Tom", " ran.", "\n\n", "He", " hid.", "\r\n", "\r\n", "The", " end",
        ];
        let tokens = Tokens::bos_then("Tom ran.\n\nHe hid.\r\n\r\nThe end", &pieces);
        let paragraphs = tokens.features(Level::Paragraph);
        assert_eq!(texts(&paragraphs), ["Tom ran.", "He hid.", "The end"]);
        assert_eq!(
            tokens_of(&paragraphs),
            [vec![1, 2], vec![3, 4, 5], vec![6, 7, 8, 9]]
        );
        assert!(paragraphs.iter().all(|f| f.level == Level::Paragraph));
    }

    #[test]
    fn documents_are_one_feature_per_maskable_segment_and_paragraphs_stay_inside_them() {
        // "Context: " fixed, document "A b." maskable, "\n\n" fixed, document "C.\n\nD" maskable
        let pieces = ["Context:", " A", " b.", "\n\n", "C.", "\n\n", "D"];
        let tokens = Tokens::bos_then("Context: A b.\n\nC.\n\nD", &pieces);
        let mut layout = tokens.layout_with_prompt((9, 20));
        layout.maskable = vec![(9, 13), (15, 20)];
        let documents = layout.features(Level::Document);
        assert_eq!(texts(&documents), ["A b.", "C.\n\nD"]);
        assert_eq!(tokens_of(&documents), [vec![2, 3], vec![5, 6, 7]]);
        assert_eq!(texts(&layout.features(Level::Paragraph)), ["A b.", "C.", "D"]);
    }

    #[test]
    fn custom_spans_are_features_in_the_callers_order_and_other_tokens_none() {
        let tokens = Tokens::bos_then("Tom had a red ball", &["Tom", " had", " a", " red", " ball"]);
        let layout = tokens.layout_with_prompt((0, 18));
        let features = layout.custom_features(&[(10, 18), (0, 3)]).unwrap();
        assert_eq!(texts(&features), ["red ball", "Tom"]);
        assert_eq!(tokens_of(&features), [vec![4, 5], vec![1]]);
        assert!(features.iter().all(|f| f.level == Level::Custom));
        assert!(layout.features(Level::Custom).is_empty());
    }

    #[test]
    fn bad_custom_spans_are_refused_with_the_reason() {
        let tokens = Tokens::bos_then("Tom had a ball", &["Tom", " had", " a", " ball"]);
        let layout = tokens.layout_with_prompt((0, 14));
        let reason = |spans: &[Span]| match layout.custom_features(spans) {
            Err(ExplainError::BadCustomSpan { reason, .. }) => reason,
            other => panic!("{spans:?} should be refused, got {other:?}"),
        };
        assert!(reason(&[(3, 3)]).contains("empty"));
        assert!(reason(&[(0, 40)]).contains("14 bytes"));
        assert!(reason(&[(0, 5), (4, 8)]).contains("overlaps 0..5"));
        // " " between words anchors no token: the spaces belong to the next word
        assert!(reason(&[(3, 4)]).contains("no token"));
        assert!(matches!(
            layout.custom_features(&[]),
            Err(ExplainError::NoCustomSpans)
        ));
    }
}
