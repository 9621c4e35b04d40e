//! shap's `maskers.Text(tokenizer, mask_token="...", collapse_mask_token=True)` (shap 0.51, string output), so
//! that whylm reproduces shap's numbers exactly.
//!
//! What shap does, step by step (shap/maskers/_text.py):
//! 1. Offsets: `Text.token_segments` reads `offset_mapping` from the HF fast tokenizer (a missing offset counts
//!    as `(0, 0)`). whylm has its own spans (whylm_backend::Encoding::spans), which differ from HF's offsets in
//!    three places; [`shap_offsets`] rebuilds HF's offsets from them:
//!    - an added special token (BOS, EOS) has HF offset `(0, 0)` wherever it sits;
//!    - a SentencePiece dummy-prefix `▁` that stands alone (no merged `▁X` piece, as in `▁` `E` `ve`) is aligned
//!      by HF to the first character of the text, which the next token also covers;
//!    - every byte-fallback (or byte-level) token of a character split into several tokens gets that whole
//!      character, where whylm gives the later ones an empty span.
//! 2. Segments: token i stands for `s[start_i .. max(end_i, start_{i+1})]` (the gap up to the next token belongs
//!    to the token before it; a Python slice that ends before it starts is empty); the last token stands for
//!    `s[start .. end]`. So a duplicated offset gives two segments with the same text: "Eve" has segments "",
//!    "E", "E", "ve", and a split "é" is written once per byte token. BOS (shap's `keep_prefix`) is always kept
//!    and its segment is "".
//! 3. A coalition is written out segment by segment: a kept segment as itself, a masked one as `" " + mask_token`;
//!    with collapse, a run of masked segments writes one `" " + mask_token`.
//! 4. Every run of whitespace (Python's `\s`, Unicode) becomes one space and the ends are stripped.
//! 5. shap's TeacherForcing re-tokenizes that string (adding BOS), left-pads the batch and appends the target.
//!
//! Not reproduced, all outside shap's own test cases: special tokens inside the text and prefix/suffix tokens
//! are always kept here (shap keeps only BOS/EOS-style prefix and suffix tokens, and segments equal to the
//! tokenizer's `sep_token`, which Llama-family tokenizers do not have). The `▁` to space replacement shap applies
//! only to (slow) Marian/T5/XLNet/Albert tokenizers is not done.

/// shap's Text masker over one tokenized text.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapTextMasker {
    /// The text each token stands for (step 1).
    segments: Vec<String>,
    /// Tokens that are kept whatever the coalition (special, prefix and suffix tokens).
    always_kept: Vec<bool>,
    /// `" " + mask_token`.
    mask_piece: String,
    collapse: bool,
}

impl ShapTextMasker {
    /// `spans` are whylm's byte spans of the tokens in `text` and `special` marks special tokens (both as in
    /// whylm_backend::Encoding); `always_kept[i]` marks tokens that are never masked.
    pub fn new(
        text: &str,
        spans: &[(usize, usize)],
        special: &[bool],
        always_kept: Vec<bool>,
        mask_token: &str,
        collapse: bool,
    ) -> Self {
        ShapTextMasker {
            segments: segments(text, &shap_offsets(text, spans, special)),
            always_kept,
            mask_piece: format!(" {mask_token}"),
            collapse,
        }
    }

    /// A masker over segments given directly (e.g. shap's own, from a golden file).
    pub fn from_segments(
        segments: Vec<String>,
        always_kept: Vec<bool>,
        mask_token: &str,
        collapse: bool,
    ) -> Self {
        ShapTextMasker {
            segments,
            always_kept,
            mask_piece: format!(" {mask_token}"),
            collapse,
        }
    }

    /// The segment of each token (shap's `token_segments`).
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The string shap builds when `keep[i]` says whether token i is kept (entries past `keep` are kept).
    pub fn masked_text(&self, keep: &[bool]) -> String {
        let mut out = String::new();
        let mut previous_masked = false;
        for (i, segment) in self.segments.iter().enumerate() {
            let kept =
                keep.get(i).copied().unwrap_or(true) || self.always_kept.get(i).copied().unwrap_or(false);
            if kept {
                out.push_str(segment);
                previous_masked = false;
            } else if !(self.collapse && previous_masked) {
                out.push_str(&self.mask_piece);
                previous_masked = true;
            }
        }
        squeeze_whitespace(&out)
    }
}

/// The byte offsets HF's fast tokenizer reports for each token (what shap's `offset_mapping` holds, in bytes
/// rather than chars), from whylm's spans (step 1 of the module documentation). A non-empty span is HF's offset.
/// An empty one is:
/// - `(0, 0)` for a special token (an added BOS/EOS);
/// - the character that ends where it sits when the previous token is not special and ends there too: a later
///   byte token of a character split by byte fallback, which HF aligns to the whole character;
/// - otherwise the character that starts where it sits: a lone dummy-prefix `▁`, which HF aligns to the text's
///   first character (empty at the end of the text).
pub fn shap_offsets(text: &str, spans: &[(usize, usize)], special: &[bool]) -> Vec<(usize, usize)> {
    let is_special = |i: usize| special.get(i).copied().unwrap_or(false);
    spans
        .iter()
        .enumerate()
        .map(|(i, &(start, end))| {
            let (start, end) = (start.min(text.len()), end.min(text.len()));
            if start < end {
                return (start, end);
            }
            if is_special(i) {
                return (0, 0);
            }
            let continues = start > 0 && i > 0 && !is_special(i - 1) && spans[i - 1].1 == start;
            let char_len = |c: Option<char>| c.map_or(0, char::len_utf8);
            match text.get(..start).zip(text.get(start..)) {
                Some((before, _)) if continues => (start - char_len(before.chars().next_back()), start),
                Some((_, after)) => (start, start + char_len(after.chars().next())),
                None => (start, start),
            }
        })
        .collect()
}

/// shap's segments: `text[start_i .. max(end_i, start_{i+1})]`, the last one `text[start .. end]`.
fn segments(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
    let clamp = |p: usize| p.min(text.len());
    spans
        .iter()
        .enumerate()
        .map(|(i, &(start, end))| {
            let stop = match spans.get(i + 1) {
                Some(&(next_start, _)) => end.max(next_start),
                None => end,
            };
            let (start, stop) = (clamp(start), clamp(stop));
            // a Python slice with stop < start is empty; spans are on char boundaries by whylm_tokenize's contract
            text.get(start..stop.max(start)).unwrap_or("").to_string()
        })
        .collect()
}

/// Python's `str.isspace()` (what `\s` matches in a str pattern): Unicode White_Space plus the information
/// separators U+001C..U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `re.sub(r"[\s]+", " ", s).strip()`.
fn squeeze_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if is_python_space(c) {
            pending_space = true;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masker_from_segments(segments: &[&str]) -> ShapTextMasker {
        let mut always_kept = vec![false; segments.len()];
        always_kept[0] = true;
        ShapTextMasker::from_segments(
            segments.iter().map(|s| s.to_string()).collect(),
            always_kept,
            "...",
            true,
        )
    }

    #[test]
    fn segments_extend_to_the_next_token_start() {
        let text = "Tom  had";
        // BOS, "T", "om", "had" (the double space is a gap before "had")
        let spans = [(0, 0), (0, 1), (1, 3), (5, 8)];
        assert_eq!(segments(text, &spans), ["", "T", "om  ", "had"]);
    }

    /// BOS then whylm's spans of the text's tokens (as whylm_tokenize gives them), with shap's segments.
    fn shap_segments(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
        let mut special = vec![false; spans.len()];
        special[0] = true;
        segments(text, &shap_offsets(text, spans, &special))
    }

    /// HF gives added special tokens offset (0, 0) (shap maps a missing offset to (0, 0) too), so an EOS at the
    /// end does not stretch the segment before it, and its own segment is "".
    #[test]
    fn added_special_tokens_have_offset_zero() {
        let text = "Tom ";
        let spans = [(0, 0), (0, 1), (1, 3), (3, 4), (4, 4)];
        let special = [true, false, false, false, true];
        let offsets = shap_offsets(text, &spans, &special);
        assert_eq!(offsets, [(0, 0), (0, 1), (1, 3), (3, 4), (0, 0)]);
        assert_eq!(segments(text, &offsets), ["", "T", "om", " ", ""]);
    }

    /// "Eve" is `▁` `E` `ve`: HF aligns the lone dummy prefix to "E", so shap has two "E" segments and writes
    /// "EEve" when every token is kept.
    #[test]
    fn a_lone_dummy_prefix_duplicates_the_first_character() {
        let text = "Eve had";
        let spans = [(0, 0), (0, 0), (0, 1), (1, 3), (3, 7)];
        assert_eq!(shap_segments(text, &spans), ["", "E", "E", "ve", " had"]);
        let mut always_kept = vec![false; spans.len()];
        always_kept[0] = true;
        let special = [true, false, false, false, false];
        let m = ShapTextMasker::new(text, &spans, &special, always_kept, "...", true);
        assert_eq!(m.masked_text(&[true; 5]), "EEve had");
        assert_eq!(m.masked_text(&[true, false, true, true, false]), "...Eve ...");
    }

    /// Every byte-fallback token of a split character carries the whole character, so shap writes it once per
    /// byte token; whylm's spans give the later bytes an empty span at the character's end.
    #[test]
    fn byte_fallback_pieces_each_carry_their_character() {
        // "x😀y": ▁ x <0xF0> <0x9F> <0x98> <0x80> y
        let spans = [(0, 0), (0, 0), (0, 1), (1, 5), (5, 5), (5, 5), (5, 5), (5, 6)];
        let emoji = "\u{1f600}";
        assert_eq!(
            shap_segments("x\u{1f600}y", &spans),
            ["", "x", "x", emoji, emoji, emoji, emoji, "y"]
        );
    }

    /// A lone dummy prefix before a split character takes the whole character as well: "Élan" is `▁` `<0xC3>`
    /// `<0x89>` `l` `an`, three "É" segments.
    #[test]
    fn a_lone_dummy_prefix_before_a_split_character_takes_the_character() {
        let spans = [(0, 0), (0, 0), (0, 2), (2, 2), (2, 3), (3, 5)];
        assert_eq!(shap_segments("Élan", &spans), ["", "É", "É", "É", "l", "an"]);
    }

    /// With a leading space the `▁` is that space (no dummy prefix is added), so no segment repeats; a leading
    /// newline is no `▁`, so the dummy prefix is aligned to it and the newline's byte token repeats it.
    #[test]
    fn leading_whitespace() {
        assert_eq!(
            shap_segments(" Eve", &[(0, 0), (0, 1), (1, 2), (2, 4)]),
            ["", " ", "E", "ve"]
        );
        assert_eq!(
            shap_segments("\nEve", &[(0, 0), (0, 0), (0, 1), (1, 2), (2, 4)]),
            ["", "\n", "\n", "E", "ve"]
        );
    }

    /// A second space is a `▁` token of its own and so is a trailing space; shap's whitespace squeeze and strip
    /// then removes what they add to the string.
    #[test]
    fn runs_of_spaces_and_trailing_spaces_are_segments_of_their_own() {
        let spans = [(0, 0), (0, 1), (1, 3), (3, 4), (4, 8)];
        assert_eq!(shap_segments("Tom  had", &spans), ["", "T", "om", " ", " had"]);
        let spans = [(0, 0), (0, 1), (1, 3), (3, 4), (4, 5)];
        assert_eq!(shap_segments("Tom. ", &spans), ["", "T", "om", ".", " "]);
        let m = masker_from_segments(&["", "T", "om", ".", " "]);
        assert_eq!(m.masked_text(&[true, true, true, true, true]), "Tom.");
        assert_eq!(m.masked_text(&[true, true, true, false, true]), "Tom ...");
    }

    /// A run of punctuation is one token per mark, each its own segment.
    #[test]
    fn punctuation_runs_are_one_segment_per_token() {
        let spans = [(0, 0), (0, 1), (1, 2), (2, 3), (3, 4), (4, 6)];
        assert_eq!(shap_segments("a!!! b", &spans), ["", "a", "!", "!", "!", " b"]);
        let m = masker_from_segments(&["", "a", "!", "!", "!", " b"]);
        assert_eq!(
            m.masked_text(&[true, false, false, true, false, false]),
            "...! ..."
        );
    }

    #[test]
    fn masked_runs_collapse_and_whitespace_is_squeezed() {
        let m = masker_from_segments(&["", "T", "om", " had", " a", " r", "ed", " b", "all", "."]);
        let keep = |kept: &[usize]| {
            let mut k = vec![false; 10];
            for &i in kept {
                k[i] = true;
            }
            k
        };
        assert_eq!(m.masked_text(&keep(&[])), "...");
        assert_eq!(m.masked_text(&keep(&[2])), "...om ...");
        assert_eq!(m.masked_text(&keep(&[1, 2, 9])), "Tom ....");
        assert_eq!(
            m.masked_text(&keep(&[1, 2, 3, 4, 5, 6, 7, 8, 9])),
            "Tom had a red ball."
        );
    }

    #[test]
    fn without_collapse_every_masked_segment_writes_the_mask() {
        let mut m = masker_from_segments(&["", "a", " b", " c"]);
        m.collapse = false;
        assert_eq!(m.masked_text(&[true, true, false, false]), "a ... ...");
    }

    #[test]
    fn python_whitespace_includes_unicode_spaces_and_separators() {
        assert_eq!(squeeze_whitespace(" a\u{a0}\u{2003}b\u{1f}\tc \n"), "a b c");
        assert_eq!(squeeze_whitespace("\u{200b}x"), "\u{200b}x");
    }
}
