//! Byte spans of tokens in the original text.
//!
//! The `tokenizers` crate reports offsets through the normalizer's alignments, which are right
//! for whole characters but coarse in three cases that matter for features:
//! - a prepended `▁` (SentencePiece's dummy prefix) is aligned to the first real character, so
//!   a lone `▁` token would claim that character;
//! - byte-fallback and byte-level tokens that split one character all get the whole character;
//! - tokens that share a region overlap.
//!
//! We therefore walk the text with the bytes each token stands for and accept the walk where it
//! lies inside the library's offsets, falling back to those offsets otherwise (normalizers that
//! rewrite text, such as NFKC, make the walk fail). Finally every span is snapped to character
//! boundaries and made monotone.
//!
//! The resulting contract: spans are in order, never overlap, start and end on UTF-8 character
//! boundaries (so `&text[s..e]` never panics), and a token that covers part of a multi-byte
//! character gets the whole character while the following tokens inside that character get an
//! empty span at the character's end.

/// One token as the `tokenizers` crate produced it, with the bytes it stands for.
pub struct RawToken<'a> {
    /// Byte offsets reported by `tokenizers` (may overlap, may cover a prepended marker).
    pub offsets: (usize, usize),
    /// The text bytes the piece stands for (`▁` decoded to a space, `<0xNN>` to its byte).
    pub surface: &'a [u8],
}

/// Computes the span of every token; see the module documentation for the contract.
pub fn token_spans(text: &str, tokens: &[RawToken<'_>]) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut cursor = 0usize;
    let mut spans = Vec::with_capacity(tokens.len());
    for token in tokens {
        let start = token.offsets.0.min(len);
        let end = token.offsets.1.min(len).max(start);
        let walked = walk(bytes, cursor, token.surface).filter(|&(s, e)| start <= s && e <= end);
        let span = walked.unwrap_or_else(|| {
            let s = start.max(cursor);
            (s, end.max(s))
        });
        cursor = span.1;
        spans.push(span);
    }
    snap_to_chars(text, &mut spans);
    spans
}

/// Where `surface` sits if it continues the text at `cursor`. A surface may carry one extra
/// leading space that is not in the text: the dummy prefix a normalizer prepended.
fn walk(bytes: &[u8], cursor: usize, surface: &[u8]) -> Option<(usize, usize)> {
    let rest = bytes.get(cursor..)?;
    if rest.starts_with(surface) {
        return Some((cursor, cursor + surface.len()));
    }
    let without_prefix = surface.strip_prefix(b" ")?;
    rest.starts_with(without_prefix)
        .then(|| (cursor, cursor + without_prefix.len()))
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

fn snap_to_chars(text: &str, spans: &mut [(usize, usize)]) {
    let mut prev_end = 0usize;
    for span in spans.iter_mut() {
        let start = ceil_char_boundary(text, span.0.max(prev_end));
        let end = ceil_char_boundary(text, span.1.max(start));
        *span = (start, end);
        prev_end = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str, toks: &[((usize, usize), &[u8])]) -> Vec<(usize, usize)> {
        let raw: Vec<RawToken<'_>> = toks
            .iter()
            .map(|&(offsets, surface)| RawToken { offsets, surface })
            .collect();
        token_spans(text, &raw)
    }

    #[test]
    fn dummy_prefix_token_gets_an_empty_span() {
        // "🦙" -> "▁" + 4 byte tokens, all reported at (0, 4) by the library.
        let text = "🦙";
        let b = text.as_bytes();
        let got = spans(
            text,
            &[
                ((0, 4), b" "),
                ((0, 4), &b[0..1]),
                ((0, 4), &b[1..2]),
                ((0, 4), &b[2..3]),
                ((0, 4), &b[3..4]),
            ],
        );
        assert_eq!(got, vec![(0, 0), (0, 4), (4, 4), (4, 4), (4, 4)]);
    }

    #[test]
    fn overlapping_prefix_is_removed() {
        // " Hello" -> "▁" (0,1) + "▁Hello" (0,6)
        let got = spans(" Hello", &[((0, 1), b" "), ((0, 6), b" Hello")]);
        assert_eq!(got, vec![(0, 1), (1, 6)]);
    }

    #[test]
    fn partial_character_tokens_are_widened() {
        // byte-level " 🦙." split as [" \xF0\x9F", "\xA6", "\x99", "."]
        let text = " 🦙.";
        let b = text.as_bytes();
        let got = spans(
            text,
            &[
                ((0, 5), &b[0..3]),
                ((1, 5), &b[3..4]),
                ((1, 5), &b[4..5]),
                ((5, 6), b"."),
            ],
        );
        assert_eq!(got, vec![(0, 5), (5, 5), (5, 5), (5, 6)]);
        for &(s, e) in &got {
            assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        }
    }

    #[test]
    fn walk_outside_library_offsets_falls_back() {
        // A normalizer that lowercases: the surface "hello" does not continue "HELLO".
        let got = spans("HELLO", &[((0, 5), b"hello")]);
        assert_eq!(got, vec![(0, 5)]);
    }
}
