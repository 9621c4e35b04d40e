//! shap's `maskers.Text(tokenizer, mask_token="...", collapse_mask_token=True)` (shap 0.51, string output), so
//! that whylm reproduces shap's numbers exactly.
//!
//! What shap does, step by step (shap/maskers/_text.py):
//! 1. Segments: token i of `tokenizer(s)` stands for `s[start_i .. max(end_i, start_{i+1})]` (the gap up to the
//!    next token belongs to the token before it); the last token stands for `s[start .. end]`. BOS (shap's
//!    `keep_prefix`) is always kept and its segment is usually "".
//! 2. A coalition is written out segment by segment: a kept segment as itself, a masked one as `" " + mask_token`;
//!    with collapse, a run of masked segments writes one `" " + mask_token`.
//! 3. Every run of whitespace (Python's `\s`, Unicode) becomes one space and the ends are stripped.
//! 4. shap's TeacherForcing re-tokenizes that string (adding BOS), left-pads the batch and appends the target.
//!
//! Differences, all outside shap's own test cases: whylm's spans (whylm_tokenize::Encoding::spans) give the later
//! byte-fallback tokens of one character an empty span, where shap's char offsets repeat the character in every
//! such segment (so shap's "unmasked" string can differ from the prompt); special tokens inside the text and
//! prefix/suffix tokens are always kept here (shap keeps only BOS/EOS-style prefix and suffix tokens and the
//! separator token). The `▁` to space replacement shap applies only to Marian/T5/XLNet/Albert tokenizers is not
//! done.

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
    /// `spans` are the tokens' byte spans in `text`; `always_kept[i]` marks tokens that are never masked.
    pub fn new(
        text: &str,
        spans: &[(usize, usize)],
        always_kept: Vec<bool>,
        mask_token: &str,
        collapse: bool,
    ) -> Self {
        ShapTextMasker {
            segments: segments(text, spans),
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
