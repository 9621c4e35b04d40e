//! The numbers behind the chat and summary views, kept apart from the renderers so that the terminal and the
//! tests read the same values (the HTML page computes the same in JS from the embedded document).
//!
//! A message's attribution is the sum of the phi of the features whose span lies inside the message's content.
//! Shapley values are additive over features, so that sum is what the message as a whole contributed, up to the
//! interactions of its features with the rest, which each feature's value already shares out.

use crate::document::{ReportDoc, SummaryMatrix};

/// For each message of the conversation, the indices of the features of level `level_index` whose span (shifted
/// by `prefix.len()` into `Conversation::rendered`) lies inside the message's content. Empty when the document
/// has no conversation or no such level. A feature that straddles two messages (or lies in template text) belongs
/// to none, rather than being counted twice.
pub fn message_features(doc: &ReportDoc, level_index: usize) -> Vec<Vec<usize>> {
    let (Some(conversation), Some(level)) = (&doc.conversation, doc.levels.get(level_index)) else {
        return Vec::new();
    };
    let offset = doc.prefix.len();
    conversation
        .messages
        .iter()
        .map(|message| {
            level
                .features
                .iter()
                .enumerate()
                .filter(|(_, f)| f.start + offset >= message.start && f.end + offset <= message.end)
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}

/// `totals[message][target]`: the attribution of each message to each target token at level `level_index`
/// (sum of the phi of the message's features, see [`message_features`]). A kept (not explained) message holds no
/// features, so its row is all zeros. Empty when the document has no conversation or no such level.
pub fn message_totals(doc: &ReportDoc, level_index: usize) -> Vec<Vec<f64>> {
    let Some(level) = doc.levels.get(level_index) else {
        return Vec::new();
    };
    let targets = doc.target_tokens.len();
    message_features(doc, level_index)
        .iter()
        .map(|features| {
            (0..targets)
                .map(|t| features.iter().map(|&i| level.phi[i][t]).sum())
                .collect()
        })
        .collect()
}

impl SummaryMatrix {
    /// The source sentence (feature index of the summary level) that supports summary sentence `sentence` most,
    /// with its value: the largest entry of that column, signed, because "supports" means it raised the score
    /// (a large negative entry argued against the sentence). Ties go to the earlier source sentence. `None` when
    /// there are no source sentences or the column does not exist.
    pub fn top_source(&self, sentence: usize) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        for (i, row) in self.matrix.iter().enumerate() {
            let value = *row.get(sentence)?;
            if best.is_none_or(|(_, b)| value > b) {
                best = Some((i, value));
            }
        }
        best
    }

    /// [`SummaryMatrix::top_source`] of every summary sentence, in order.
    pub fn top_sources(&self) -> Vec<Option<(usize, f64)>> {
        (0..self.summary_sentences.len())
            .map(|s| self.top_source(s))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::SummarySentence;

    fn matrix(rows: Vec<Vec<f64>>) -> SummaryMatrix {
        let columns = rows.first().map_or(0, Vec::len);
        SummaryMatrix {
            level: "sentence".to_string(),
            summary_sentences: (0..columns)
                .map(|s| SummarySentence {
                    text: format!("s{s}"),
                    first_target: s,
                    end_target: s + 1,
                })
                .collect(),
            matrix: rows,
        }
    }

    #[test]
    fn top_source_is_the_largest_signed_entry_and_ties_go_first() {
        let m = matrix(vec![vec![0.5, -2.0], vec![0.5, -1.0], vec![-3.0, -1.5]]);
        // Column 0: rows 0 and 1 tie at 0.5; the large negative row 2 does not "support" it.
        assert_eq!(m.top_source(0), Some((0, 0.5)));
        // Column 1: every entry is negative; the least negative is the best support there is.
        assert_eq!(m.top_source(1), Some((1, -1.0)));
        assert_eq!(m.top_source(2), None);
        assert_eq!(m.top_sources(), vec![Some((0, 0.5)), Some((1, -1.0))]);
    }

    fn chat() -> ReportDoc {
        ReportDoc::from_json_str(include_str!("../tests/data/chat_report.json")).unwrap()
    }

    #[test]
    fn a_feature_belongs_to_the_message_that_contains_it() {
        let doc = chat();
        // Word level: the system message is kept (no features), then 4, 5 and 4 words.
        let words = message_features(&doc, 0);
        assert_eq!(
            words,
            vec![vec![], vec![0, 1, 2, 3], vec![4, 5, 6, 7, 8], vec![9, 10, 11, 12]]
        );
        assert_eq!(message_features(&doc, 1), vec![vec![], vec![0], vec![1], vec![2]]);
        assert!(message_features(&doc, 2).is_empty());
    }

    #[test]
    fn a_feature_straddling_two_messages_counts_for_neither() {
        let mut doc = chat();
        let level = &mut doc.levels[1];
        // Stretch the first turn feature over the markup into the second message's content.
        level.features[0].end = level.features[1].start + 4;
        assert_eq!(message_features(&doc, 1), vec![vec![], vec![], vec![1], vec![2]]);
        let totals = message_totals(&doc, 1);
        assert_eq!(totals[1], vec![0.0; 5]);
        assert!((totals[2][3] - 1.2).abs() < 1e-12, "{totals:?}");
    }

    #[test]
    fn no_source_sentences_means_no_top_source() {
        let m = matrix(Vec::new());
        assert_eq!(m.top_source(0), None);
        assert!(m.top_sources().is_empty());
    }
}
