//! Words, clauses, sentences and paragraphs of a text as byte ranges. Features (features.rs) and the hierarchy (hierarchy.rs)
//! both ask "which word / clause / sentence holds this byte", so the rules live here once.
//!
//! Rules (all boundaries fall on char boundaries):
//! - A **word** is a maximal run of word characters (alphanumeric or `_`, with an apostrophe `'`/`’` allowed
//!   between two of them, so "don't" is one word), or a maximal run of other non-whitespace characters
//!   (punctuation: ",", "...", "?!" are words of their own). Whitespace belongs to no word.
//! - A **sentence** ends after a run of `.`, `!` or `?` (plus closing quotes/brackets) that is followed by
//!   whitespace or the end of the text, and after every newline. "3.14" and "e.g.x" do not end a sentence;
//!   abbreviations such as "Mr. Smith" do (no dictionary, by design: predictable beats clever).
//! - A **clause** ends inside a sentence after a `,`, `;` or `:` followed by whitespace ("3,000" does not), after
//!   a run of em or en dashes ("yes—no", "yes — no"), and after hyphens with whitespace on both sides ("a - b";
//!   "well-known" does not).
//! - A **paragraph** ends after a blank line: a line break followed by only whitespace up to another line break
//!   ("\n\n", "\r\n\r\n", "\n  \n\n"). It keeps the blank lines that end it, so the next paragraph starts at
//!   the first byte after the last of them.
//!
//! Paragraphs, sentences and clauses partition `[0, text.len())`: every byte belongs to exactly one of each, and
//! they nest (sentences are split inside paragraphs, clauses inside sentences).

/// A byte range `[start, end)`.
pub type Span = (usize, usize);

/// The units of one text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextUnits {
    pub words: Vec<Span>,
    pub clauses: Vec<Span>,
    pub sentences: Vec<Span>,
    pub paragraphs: Vec<Span>,
}

impl TextUnits {
    pub fn of(text: &str) -> Self {
        let paragraphs = split_after(text, 0, text.len(), paragraph_end_after);
        let sentences: Vec<Span> = paragraphs
            .iter()
            .flat_map(|&(start, end)| split_after(text, start, end, sentence_end_after))
            .collect();
        let clauses = sentences
            .iter()
            .flat_map(|&(start, end)| split_after(text, start, end, clause_end_after))
            .collect();
        TextUnits {
            words: words(text),
            clauses,
            sentences,
            paragraphs,
        }
    }

    /// Index of the paragraph that contains byte `pos` (the last one for `pos` at or past the end).
    pub fn paragraph_at(&self, pos: usize) -> usize {
        containing(&self.paragraphs, pos).unwrap_or(self.paragraphs.len().saturating_sub(1))
    }

    /// Index of the word that contains byte `pos`, if any (whitespace is in no word).
    pub fn word_at(&self, pos: usize) -> Option<usize> {
        containing(&self.words, pos)
    }

    /// Index of the clause that contains byte `pos` (the last one for `pos` at or past the end).
    pub fn clause_at(&self, pos: usize) -> usize {
        containing(&self.clauses, pos).unwrap_or(self.clauses.len().saturating_sub(1))
    }

    /// Index of the sentence that contains byte `pos` (the last one for `pos` at or past the end).
    pub fn sentence_at(&self, pos: usize) -> usize {
        containing(&self.sentences, pos).unwrap_or(self.sentences.len().saturating_sub(1))
    }
}

fn containing(spans: &[Span], pos: usize) -> Option<usize> {
    // spans are sorted and disjoint: the candidate is the last span that starts at or before pos
    let idx = spans.partition_point(|&(start, _)| start <= pos);
    let candidate = idx.checked_sub(1)?;
    let (start, end) = spans[candidate];
    (start <= pos && pos < end).then_some(candidate)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ')' | ']' | '}' | '\u{201D}' | '\u{2019}' | '\u{00BB}'
    )
}

fn words(text: &str) -> Vec<Span> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let word_like = is_word_char(c);
        let mut j = i + 1;
        while j < chars.len() {
            let d = chars[j].1;
            let continues = if word_like {
                is_word_char(d)
                    || (is_apostrophe(d) && chars.get(j + 1).is_some_and(|&(_, e)| is_word_char(e)))
            } else {
                !d.is_whitespace() && !is_word_char(d)
            };
            if !continues {
                break;
            }
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |&(pos, _)| pos);
        out.push((start, end));
        i = j;
    }
    out
}

/// Splits `text[from..to]` into consecutive pieces; `end_after(text, pos)` says where a piece that has a
/// boundary candidate at `pos` ends (byte offset just after the boundary), or None when `pos` is no boundary.
fn split_after(
    text: &str,
    from: usize,
    to: usize,
    end_after: fn(&str, usize, usize) -> Option<usize>,
) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = from;
    let mut pos = from;
    while pos < to {
        match end_after(text, pos, to) {
            Some(end) if end > pos => {
                out.push((start, end));
                start = end;
                pos = end;
            }
            _ => pos += text[pos..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if start < to || out.is_empty() {
        out.push((start, to));
    }
    out
}

fn next_is_space_or_end(text: &str, pos: usize, to: usize) -> bool {
    pos >= to || text[pos..].chars().next().is_none_or(char::is_whitespace)
}

fn sentence_end_after(text: &str, pos: usize, to: usize) -> Option<usize> {
    let mut chars = text[pos..to].char_indices().peekable();
    let (_, first) = chars.next()?;
    if first == '\n' {
        return Some(pos + 1);
    }
    if !matches!(first, '.' | '!' | '?') {
        return None;
    }
    // only the first char of a terminator run may start it, so that "?!" is one boundary
    if pos > 0
        && text[..pos]
            .chars()
            .next_back()
            .is_some_and(|c| matches!(c, '.' | '!' | '?'))
    {
        return None;
    }
    let mut end = pos + first.len_utf8();
    let mut closing = false;
    for (offset, c) in chars {
        let terminal = matches!(c, '.' | '!' | '?');
        if (terminal && !closing) || is_closer(c) {
            closing |= is_closer(c);
            end = pos + offset + c.len_utf8();
        } else {
            break;
        }
    }
    next_is_space_or_end(text, end, to).then_some(end)
}

/// At a line break that starts a run of whitespace holding a second line break: the byte after the run's last
/// line break.
fn paragraph_end_after(text: &str, pos: usize, to: usize) -> Option<usize> {
    if !text[pos..to].starts_with('\n') {
        return None;
    }
    let mut last_break = pos;
    let mut breaks = 0;
    for (offset, c) in text[pos..to].char_indices() {
        if !c.is_whitespace() {
            break;
        }
        if c == '\n' {
            breaks += 1;
            last_break = pos + offset;
        }
    }
    (breaks >= 2).then_some(last_break + 1)
}

fn clause_end_after(text: &str, pos: usize, to: usize) -> Option<usize> {
    let first = text[pos..to].chars().next()?;
    let previous = text[..pos].chars().next_back();
    let end = match first {
        ',' | ';' | ':' => {
            let end = pos + first.len_utf8();
            next_is_space_or_end(text, end, to).then_some(end)?
        }
        // a run of dashes ends a clause, spaced or not ("yes—no", "yes — no"); only its first char starts it
        '\u{2014}' | '\u{2013}' if !previous.is_some_and(is_dash) => dash_run_end(text, pos, to),
        // hyphens end a clause only spaced on both sides ("a - b", "a -- b"), never inside "well-known"
        '-' if previous.is_some_and(char::is_whitespace) => {
            let end = dash_run_end(text, pos, to);
            next_is_space_or_end(text, end, to).then_some(end)?
        }
        _ => return None,
    };
    (end < to).then_some(end)
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2013}' | '\u{2014}')
}

/// The byte just after the run of dashes that starts at `pos`.
fn dash_run_end(text: &str, pos: usize, to: usize) -> usize {
    text[pos..to]
        .char_indices()
        .find(|&(_, c)| !is_dash(c))
        .map_or(to, |(offset, _)| pos + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces<'a>(text: &'a str, spans: &[Span]) -> Vec<&'a str> {
        spans.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn words_split_punctuation_and_keep_apostrophes() {
        let text = "Don't stop,  Zoë... really?! 3.14 e_x";
        let units = TextUnits::of(text);
        assert_eq!(
            pieces(text, &units.words),
            ["Don't", "stop", ",", "Zoë", "...", "really", "?!", "3", ".", "14", "e_x"]
        );
    }

    #[test]
    fn sentences_end_at_terminators_followed_by_space_and_at_newlines() {
        let text = "Pi is 3.14. Wow!? He said \"hi.\" Then\nnew line";
        let units = TextUnits::of(text);
        assert_eq!(
            pieces(text, &units.sentences),
            ["Pi is 3.14.", " Wow!?", " He said \"hi.\"", " Then\n", "new line"]
        );
    }

    #[test]
    fn clauses_split_at_comma_semicolon_colon_inside_sentences() {
        let text = "We had 3,000 cats, dogs; birds: all. Done";
        let units = TextUnits::of(text);
        assert_eq!(
            pieces(text, &units.clauses),
            ["We had 3,000 cats,", " dogs;", " birds:", " all.", " Done"]
        );
    }

    #[test]
    fn clauses_split_after_dashes_but_not_inside_hyphenated_words() {
        let text = "Go\u{2014}now \u{2013} fast - or -- not well-known. End";
        let units = TextUnits::of(text);
        assert_eq!(
            pieces(text, &units.clauses),
            [
                "Go\u{2014}",
                "now \u{2013}",
                " fast -",
                " or --",
                " not well-known.",
                " End"
            ]
        );
    }

    #[test]
    fn paragraphs_end_after_blank_lines_of_any_line_ending() {
        let text = "One. Two\n\nThree\r\n\r\nFour\nstill four\n \t\n\n\nFive";
        let units = TextUnits::of(text);
        assert_eq!(
            pieces(text, &units.paragraphs),
            [
                "One. Two\n\n",
                "Three\r\n\r\n",
                "Four\nstill four\n \t\n\n\n",
                "Five"
            ]
        );
        // a single line break is a sentence end but no paragraph end; sentences nest in paragraphs
        assert_eq!(units.paragraph_at(text.find("still").unwrap()), 2);
        for &(start, end) in &units.sentences {
            let p = units.paragraph_at(start);
            assert!(
                end <= units.paragraphs[p].1,
                "sentence {start}..{end} leaves its paragraph"
            );
        }
        assert_eq!(units.paragraph_at(999), 3);
    }

    #[test]
    fn leading_and_trailing_blank_lines_make_no_empty_paragraph() {
        let text = "\n\nA\n\n";
        assert_eq!(pieces(text, &TextUnits::of(text).paragraphs), ["\n\n", "A\n\n"]);
        assert_eq!(TextUnits::of("no break").paragraphs, vec![(0, 8)]);
        assert_eq!(TextUnits::of("").paragraphs, vec![(0, 0)]);
    }

    #[test]
    fn lookups_find_the_containing_unit() {
        let text = "A b. C";
        let units = TextUnits::of(text);
        assert_eq!(units.word_at(0), Some(0));
        assert_eq!(units.word_at(1), None);
        assert_eq!(units.sentence_at(2), 0);
        assert_eq!(units.sentence_at(5), 1);
        assert_eq!(units.sentence_at(99), 1);
    }

    #[test]
    fn empty_and_whitespace_texts_have_one_sentence_and_no_words() {
        let units = TextUnits::of("   ");
        assert!(units.words.is_empty());
        assert_eq!(units.sentences, vec![(0, 3)]);
        assert_eq!(TextUnits::of("").sentences, vec![(0, 0)]);
    }
}
