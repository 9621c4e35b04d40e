//! Word and sentence features from the real stories260K tokenizer on tricky text: punctuation, repeated spaces,
//! non-ASCII (byte fallback), a newline; and the hierarchy over them.

mod common;

use common::load_hf;
use whylm_explain::{feature_groups, feature_hierarchy, Level, TokenLayout};
use whylm_shapley::Group;

const TEXT: &str = "Tom's  cat, Zoë, ran!  \"Why?\" she said.\nThe end";

fn count_players(g: &Group) -> usize {
    match g {
        Group::Player(_) => 1,
        Group::Nested(children) => children.iter().map(count_players).sum(),
    }
}

#[test]
fn words_and_sentences_cover_every_prompt_token_once() {
    let loaded = load_hf();
    let encoding = loaded.tokenizer.encode(TEXT, true).unwrap();
    let layout = TokenLayout::new(TEXT, (0, TEXT.len()), &encoding.spans, &encoding.special);
    let non_special: Vec<usize> = (0..encoding.len()).filter(|&i| !encoding.special[i]).collect();
    assert!(encoding.special[0], "BOS first");
    assert!(
        encoding.len() > TEXT.split_whitespace().count(),
        "sub-word tokens and byte fallback for ë"
    );

    let words = layout.features(Level::Word);
    let texts: Vec<&str> = words.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Tom's", "cat", ",", "Zoë", ",", "ran", "!", "\"", "Why", "?\"", "she", "said", ".", "The", "end"]
    );
    let sentences = layout.features(Level::Sentence);
    let texts: Vec<&str> = sentences.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Tom's  cat, Zoë, ran!", "\"Why?\"", "she said.", "The end"]
    );

    for features in [&words, &sentences, &layout.features(Level::Token)] {
        let mut covered: Vec<usize> = features.iter().flat_map(|f| f.tokens.clone()).collect();
        covered.sort_unstable();
        assert_eq!(
            covered, non_special,
            "every non-special token in exactly one feature"
        );
        for f in features.iter() {
            assert_eq!(&TEXT[f.start..f.end], f.text);
        }
    }

    let tokens = layout.prompt_tokens();
    let word_groups = feature_groups(TEXT, &words, &tokens);
    assert_eq!(count_players(&word_groups), words.len());
    // 4 sentences at the top
    match &word_groups {
        Group::Nested(top) => assert_eq!(top.len(), 4),
        Group::Player(_) => panic!("expected sentence groups"),
    }
    assert_eq!(
        feature_hierarchy(TEXT, &words, &tokens).unwrap().num_players(),
        words.len()
    );
}
