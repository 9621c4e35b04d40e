//! The binary hierarchy over features that the partition (Owen) estimator walks: tokens → words → clauses
//! (split at `, ; :` and dashes, see text_units.rs) → sentences → paragraphs → segments (chat turns, context
//! documents) → text. Each level is a
//! group of the next finer one; `Hierarchy::from_groups` makes every group of more than two members a balanced
//! binary tree, so the whole tree is binary.
//!
//! A feature is placed by its anchor (the anchor of its first token, see features.rs), so word- and
//! sentence-level features slot in at their own level: a word-level feature is a leaf under its clause, a
//! sentence-level feature a leaf under its segment (the text, when there is one segment).

use crate::features::{Feature, PromptToken};
use crate::text_units::TextUnits;
use whylm_shapley::{Group, Hierarchy, ShapleyError};

/// A player's place: (segment, paragraph, sentence, clause, word) unit indices, coarsest first.
type Path = [usize; 5];

/// The nested groups (segment → paragraph → sentence → clause → word → feature) of `features`, each group the consecutive
/// features that share a unit; one-member groups are collapsed.
pub fn feature_groups(prompt: &str, features: &[Feature], tokens: &[PromptToken]) -> Group {
    let units = TextUnits::of(prompt);
    let paths: Vec<(Path, usize)> = features
        .iter()
        .enumerate()
        .map(|(player, f)| {
            let token = f
                .tokens
                .first()
                .and_then(|i| tokens.iter().find(|t| t.index == *i));
            let (segment, anchor) = token.map_or((0, f.start), |t| (t.segment, t.anchor));
            // features on whitespace (no word) stay apart: each gets a word of its own
            let word = units.word_at(anchor).unwrap_or(usize::MAX - player);
            let path = [
                segment,
                units.paragraph_at(anchor),
                units.sentence_at(anchor),
                units.clause_at(anchor),
                word,
            ];
            (path, player)
        })
        .collect();
    collapse(nest(&paths, 0))
}

/// The group of `players` (consecutive, sharing their path up to `depth`): one child per run of equal units at
/// `depth`.
fn nest(players: &[(Path, usize)], depth: usize) -> Group {
    if depth == 5 {
        return Group::Nested(players.iter().map(|&(_, p)| Group::Player(p)).collect());
    }
    let mut children = Vec::new();
    let mut start = 0;
    for end in 1..=players.len() {
        if end == players.len() || players[end].0[depth] != players[start].0[depth] {
            children.push(nest(&players[start..end], depth + 1));
            start = end;
        }
    }
    Group::Nested(children)
}

/// The partition estimator's hierarchy over `features` (player i = feature i).
pub fn feature_hierarchy(
    prompt: &str,
    features: &[Feature],
    tokens: &[PromptToken],
) -> Result<Hierarchy, ShapleyError> {
    Hierarchy::from_groups(features.len(), &feature_groups(prompt, features, tokens))
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
    fn paragraphs_group_their_sentences() {
        let text = "A b. C\n\nD";
        let (spans, special) = layout(text, &["A", " b.", " C", "\n\n", "D"]);
        let l = TokenLayout::new(text, (0, text.len()), &spans, &special);
        let tokens = l.prompt_tokens();
        let sentences = l.features(Level::Sentence);
        assert_eq!(sentences.len(), 3); // "A b." "C" "D"
        assert_eq!(
            feature_groups(text, &sentences, &tokens),
            N(vec![N(vec![P(0), P(1)]), P(2)])
        );
        // paragraph features are leaves under the text
        let paragraphs = l.features(Level::Paragraph);
        assert_eq!(feature_groups(text, &paragraphs, &tokens), N(vec![P(0), P(1)]));
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

    #[test]
    fn segments_are_the_top_groups_so_no_group_crosses_a_turn() {
        // "Hi, you" and "Ok then" are maskable turns around the markup "<a>"; as one text, "you<a>Ok then"
        // would be one clause
        let text = "Hi, you<a>Ok then";
        let (spans, special) = layout(text, &["Hi", ",", " you", "<a>", "Ok", " then"]);
        let mut l = TokenLayout::new(text, (0, text.len()), &spans, &special);
        l.maskable = vec![(0, 7), (10, 17)];
        let features = l.features(Level::Word);
        assert_eq!(features.len(), 5);
        let groups = feature_groups(text, &features, &l.prompt_tokens());
        assert_eq!(
            groups,
            N(vec![N(vec![N(vec![P(0), P(1)]), P(2)]), N(vec![P(3), P(4)])])
        );
    }
}
