//! The toy language's fixed vocabulary: every word has one id, and the ids never change once a model is trained
//! on them (the embedded model's embedding rows are indexed by these ids).

use crate::error::ToyError;

/// Unknown word; id 0 as in Llama vocabularies.
pub const UNK: &str = "<unk>";
/// Beginning of sequence, added before every prompt; id 1 as in Llama vocabularies.
pub const BOS: &str = "<s>";
/// End of sequence; id 2. The task prompts never contain it: it is also the padding id in training batches.
pub const EOS: &str = "</s>";

pub const UNK_ID: u32 = 0;
pub const BOS_ID: u32 = 1;
pub const EOS_ID: u32 = 2;

/// Words that give the sentences their shape.
pub const STRUCTURE: [&str; 5] = ["the", "has", ".", "repeat", ":"];
/// Colours: the keys of the recall facts.
pub const COLOURS: [&str; 10] = [
    "red", "blue", "green", "yellow", "black", "white", "pink", "brown", "grey", "orange",
];
/// Objects: the second word of a fact's key.
pub const OBJECTS: [&str; 10] = [
    "box", "cup", "bag", "hat", "car", "ball", "book", "key", "lamp", "shoe",
];
/// Digits: the values of the recall facts.
pub const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
/// Words that only occur in distractor sentences, which never influence an answer.
pub const DISTRACTOR_WORDS: [&str; 21] = [
    "it", "is", "sunny", "cold", "warm", "rainy", "today", "a", "my", "dog", "cat", "bird", "sleeps", "runs",
    "sings", "we", "like", "to", "sing", "dance", "read",
];

/// All words in id order: specials first, then the groups above.
pub fn words() -> Vec<&'static str> {
    let mut all = vec![UNK, BOS, EOS];
    all.extend(STRUCTURE);
    all.extend(COLOURS);
    all.extend(OBJECTS);
    all.extend(DIGITS);
    all.extend(DISTRACTOR_WORDS);
    all
}

/// Number of ids, including the three special tokens.
pub fn vocab_size() -> usize {
    3 + STRUCTURE.len() + COLOURS.len() + OBJECTS.len() + DIGITS.len() + DISTRACTOR_WORDS.len()
}

/// Id of one word of the language.
pub fn word_id(word: &str) -> Result<u32, ToyError> {
    // A linear scan over 59 words is cheaper than building a map for each caller, and this is not a hot path
    // anywhere that matters (training batches are a few thousand words).
    words()
        .iter()
        .position(|w| *w == word)
        .map(|i| i as u32)
        .ok_or_else(|| ToyError::UnknownWord {
            word: word.to_string(),
        })
}

/// Ids of a space-separated text of the language, without BOS.
pub fn encode_words(text: &str) -> Result<Vec<u32>, ToyError> {
    text.split_whitespace().map(word_id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn words_are_unique_and_counted() {
        let all = words();
        assert_eq!(all.len(), vocab_size());
        let unique: HashSet<_> = all.iter().collect();
        assert_eq!(unique.len(), all.len(), "a word appears twice in the vocabulary");
    }

    #[test]
    fn special_ids_match_llama_convention() {
        assert_eq!(word_id(UNK).ok(), Some(UNK_ID));
        assert_eq!(word_id(BOS).ok(), Some(BOS_ID));
        assert_eq!(word_id(EOS).ok(), Some(EOS_ID));
    }

    #[test]
    fn unknown_word_is_an_error() {
        assert!(matches!(
            encode_words("the purple box"),
            Err(ToyError::UnknownWord { .. })
        ));
    }
}
