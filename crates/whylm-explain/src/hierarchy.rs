//! The binary hierarchy over features that the partition (Owen) estimator walks: tokens → words → clauses
//! (split at `, ; :` and dashes, see text_units.rs) → sentences → text. Each level is a group of the next finer one; `Hierarchy::from_groups`
//! makes every group of more than two members a balanced binary tree, so the whole tree is binary.
//!
//! A feature is placed by its anchor (the anchor of its first token, see features.rs), so word- and
//! sentence-level features slot in at their own level: a word-level feature is a leaf under its clause, a
//! sentence-level feature a leaf under the text.

use crate::features::{Feature, PromptToken};
use crate::text_units::TextUnits;
use whylm_shapley::{Group, Hierarchy, ShapleyError};

/// Players keyed by word (None: a feature on whitespace, a group of its own).
type Words = Vec<(Option<usize>, Vec<usize>)>;
/// Words keyed by clause.
type Clauses = Vec<(usize, Words)>;

/// The nested groups (sentence → clause → word → feature) of `features`; one-member groups are collapsed.
pub fn feature_groups(prompt: &str, features: &[Feature], tokens: &[PromptToken]) -> Group {
    let units = TextUnits::of(prompt);
    let anchor_of = |f: &Feature| {
        f.tokens
            .first()
            .and_then(|i| tokens.iter().find(|t| t.index == *i))
            .map_or(f.start, |t| t.anchor)
    };
    // sentences -> clauses -> words -> players, each keyed by unit index, in order of first appearance
    let mut tree: Vec<(usize, Clauses)> = Vec::new();
    for (player, feature) in features.iter().enumerate() {
        let anchor = anchor_of(feature);
        let (s, c, w) = (
            units.sentence_at(anchor),
            units.clause_at(anchor),
            units.word_at(anchor),
        );
        let clauses = entry(&mut tree, s);
        let words = entry(clauses, c);
        // features on whitespace (no word) stay apart: each is its own group
        match w {
            Some(_) => entry(words, w).push(player),
            None => words.push((None, vec![player])),
        }
    }
    collapse(Group::Nested(
        tree.into_iter()
            .map(|(_, clauses)| {
                Group::Nested(
                    clauses
                        .into_iter()
                        .map(|(_, words)| {
                            Group::Nested(
                                words
                                    .into_iter()
                                    .map(|(_, players)| {
                                        Group::Nested(players.into_iter().map(Group::Player).collect())
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            })
            .collect(),
    ))
}

/// The partition estimator's hierarchy over `features` (player i = feature i).
pub fn feature_hierarchy(
    prompt: &str,
    features: &[Feature],
    tokens: &[PromptToken],
) -> Result<Hierarchy, ShapleyError> {
    Hierarchy::from_groups(features.len(), &feature_groups(prompt, features, tokens))
}

/// The children list for `key`, appended when the key differs from the last one (units come in order).
fn entry<K: PartialEq, V: Default>(list: &mut Vec<(K, V)>, key: K) -> &mut V {
    if list.last().is_none_or(|(k, _)| *k != key) {
        list.push((key, V::default()));
    }
    let last = list.len() - 1;
    &mut list[last].1
}

/// Replaces every one-member group by its member, so the groups read as the tree they make.
fn collapse(group: Group) -> Group {
    match group {
        Group::Player(p) => Group::Player(p),
        Group::Nested(children) => {
            let mut children: Vec<Group> = children.into_iter().map(collapse).collect();
            if children.len() == 1 {
                children.pop().unwrap_or(Group::Nested(Vec::new()))
            } else {
                Group::Nested(children)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::TokenLayout;
    use crate::options::Level;
    use Group::{Nested as N, Player as P};

    fn layout(text: &str, pieces: &[&str]) -> (Vec<(usize, usize)>, Vec<bool>) {
        let mut pos = 0;
        let mut spans = vec![(0, 0)];
        for p in pieces {
            spans.push((pos, pos + p.len()));
            pos += p.len();
        }
        assert_eq!(pos, text.len());
        let mut special = vec![false; spans.len()];
        special[0] = true;
        (spans, special)
    }

    const TEXT: &str = "Tom ran, he hid. Ok";
    const PIECES: [&str; 9] = ["T", "om", " ran", ",", " he", " h", "id", ".", " Ok"];

    fn groups_at(level: Level) -> (Group, usize) {
        let (spans, special) = layout(TEXT, &PIECES);
        let l = TokenLayout::new(TEXT, (0, TEXT.len()), &spans, &special);
        let features = l.features(level);
        let tokens = l.prompt_tokens();
        let n = features.len();
        assert!(feature_hierarchy(TEXT, &features, &tokens).is_ok());
        (feature_groups(TEXT, &features, &tokens), n)
    }

    #[test]
    fn token_level_nests_tokens_in_words_clauses_and_sentences() {
        let (groups, n) = groups_at(Level::Token);
        assert_eq!(n, 9);
        // sentence 1 = clause "Tom ran," + clause "he hid."; sentence 2 = "Ok"
        let clause1 = N(vec![N(vec![P(0), P(1)]), P(2), P(3)]);
        let clause2 = N(vec![P(4), N(vec![P(5), P(6)]), P(7)]);
        assert_eq!(groups, N(vec![N(vec![clause1, clause2]), P(8)]));
    }

    #[test]
    fn word_level_features_are_leaves_under_their_clause() {
        let (groups, n) = groups_at(Level::Word);
        assert_eq!(n, 7); // Tom ran , he hid . Ok
        assert_eq!(
            groups,
            N(vec![
                N(vec![N(vec![P(0), P(1), P(2)]), N(vec![P(3), P(4), P(5)])]),
                P(6)
            ])
        );
    }

    #[test]
    fn sentence_level_features_are_leaves_under_the_text() {
        let (groups, n) = groups_at(Level::Sentence);
        assert_eq!(n, 2);
        assert_eq!(groups, N(vec![P(0), P(1)]));
    }

    #[test]
    fn a_single_feature_is_a_single_leaf() {
        let (spans, special) = layout("Hi", &["Hi"]);
        let l = TokenLayout::new("Hi", (0, 2), &spans, &special);
        let features = l.features(Level::Token);
        let tokens = l.prompt_tokens();
        assert_eq!(feature_groups("Hi", &features, &tokens), P(0));
        assert_eq!(
            feature_hierarchy("Hi", &features, &tokens)
                .map(|h| h.num_players())
                .ok(),
            Some(1)
        );
    }
}
