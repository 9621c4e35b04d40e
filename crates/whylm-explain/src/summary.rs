//! Summaries: the target is a summary of the explained document, cut into sentences (text_units.rs's rules on
//! the target's text), and each summary sentence is explained by the document's features as the sum of their
//! attributions over the sentence's target tokens. The result is the report's source × summary matrix.

use crate::text_units::TextUnits;
use whylm_report::{ReportDoc, SummaryMatrix, SummarySentence};

/// The matrix of `doc`'s level named `level` (usually "sentence"); None when the document has no such level or
/// no target.
pub fn summary_matrix(doc: &ReportDoc, level: &str) -> Option<SummaryMatrix> {
    let explained = doc.levels.iter().find(|l| l.level == level)?;
    let sentences = summary_sentences(doc.target_tokens.iter().map(|t| t.text.as_str()));
    if sentences.is_empty() {
        return None;
    }
    let matrix = explained
        .phi
        .iter()
        .map(|row| {
            sentences
                .iter()
                .map(|s| row[s.first_target..s.end_target].iter().sum())
                .collect()
        })
        .collect();
    Some(SummaryMatrix {
        level: level.to_string(),
        summary_sentences: sentences,
        matrix,
    })
}

/// The sentences of the text the target tokens spell, each with the run of tokens that starts in it (a token
/// belongs to the sentence holding its first non-space byte, so " It" opens the next sentence; a trailing
/// whitespace token joins the sentence before it).
pub fn summary_sentences<'a>(tokens: impl Iterator<Item = &'a str>) -> Vec<SummarySentence> {
    let mut text = String::new();
    let mut ranges = Vec::new();
    for token in tokens {
        let start = text.len();
        text.push_str(token);
        ranges.push((start, text.len()));
    }
    let units = TextUnits::of(&text);
    // (sentence index, first token, end token)
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for (t, &(start, end)) in ranges.iter().enumerate() {
        let token = &text[start..end];
        let anchor = start + (token.len() - token.trim_start().len());
        let sentence = if anchor < end {
            units.sentence_at(anchor)
        } else {
            runs.last().map_or(0, |run| run.0)
        };
        match runs.last_mut() {
            Some(run) if run.0 == sentence => run.2 = t + 1,
            _ => runs.push((sentence, t, t + 1)),
        }
    }
    runs.into_iter()
        .map(|(_, first, end)| SummarySentence {
            text: text[ranges[first].0..ranges[end - 1].1].trim().to_string(),
            first_target: first,
            end_target: end,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_grouped_by_the_sentence_they_start_in() {
        let tokens = ["The", " cat", " sat", ".", " It", " slept", ".", "\n"];
        let sentences = summary_sentences(tokens.into_iter());
        let runs: Vec<(usize, usize, &str)> = sentences
            .iter()
            .map(|s| (s.first_target, s.end_target, s.text.as_str()))
            .collect();
        assert_eq!(runs, [(0, 4, "The cat sat."), (4, 8, "It slept.")]);
        assert!(summary_sentences(std::iter::empty()).is_empty());
    }
}
