//! Distractor sentences: made of the distractor words only (never a colour, object, digit, `the` or `has`), so that
//! no distractor resembles a fact and none can influence an answer.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

fn pick(rng: &mut ChaCha8Rng, from: &[&'static str]) -> &'static str {
    from[rng.random_range(0..from.len())]
}

const WEATHER: [&str; 4] = ["sunny", "cold", "warm", "rainy"];
const OWNERS: [&str; 2] = ["a", "my"];
const ANIMALS: [&str; 3] = ["dog", "cat", "bird"];
const ACTS: [&str; 3] = ["sleeps", "runs", "sings"];
const PASTIMES: [&str; 3] = ["sing", "dance", "read"];

/// Most words of a [`short`] and of a [`long`] distractor (prompt-length bounds are computed from them).
pub(crate) const SHORT_MAX_WORDS: usize = 5;
pub(crate) const LONG_MAX_WORDS: usize = 9;

/// A distractor of 4-5 words (the default language's; its draws are part of the default training stream).
pub(crate) fn short(rng: &mut ChaCha8Rng) -> Vec<&'static str> {
    match rng.random_range(0..3) {
        0 => vec!["it", "is", pick(rng, &WEATHER), "today", "."],
        1 => vec![pick(rng, &OWNERS), pick(rng, &ANIMALS), pick(rng, &ACTS), "."],
        _ => vec!["we", "like", "to", pick(rng, &PASTIMES), "."],
    }
}

/// A distractor of 8-9 words (the long prompts': about 120 of them make a thousand tokens).
pub(crate) fn long(rng: &mut ChaCha8Rng) -> Vec<&'static str> {
    match rng.random_range(0..4) {
        // we like to read to my cat today .
        0 => vec![
            "we",
            "like",
            "to",
            pick(rng, &PASTIMES),
            "to",
            pick(rng, &OWNERS),
            pick(rng, &ANIMALS),
            "today",
            ".",
        ],
        // it is cold today we like to dance .
        1 => vec![
            "it",
            "is",
            pick(rng, &WEATHER),
            "today",
            "we",
            "like",
            "to",
            pick(rng, &PASTIMES),
            ".",
        ],
        // my dog runs today it is warm .
        2 => vec![
            pick(rng, &OWNERS),
            pick(rng, &ANIMALS),
            pick(rng, &ACTS),
            "today",
            "it",
            "is",
            pick(rng, &WEATHER),
            ".",
        ],
        // a bird sings to my cat today .
        _ => vec![
            pick(rng, &OWNERS),
            pick(rng, &ANIMALS),
            pick(rng, &ACTS),
            "to",
            pick(rng, &OWNERS),
            pick(rng, &ANIMALS),
            "today",
            ".",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn distractors_stay_within_their_word_bounds_and_end_a_sentence() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for _ in 0..500 {
            let (s, l) = (short(&mut rng), long(&mut rng));
            assert!((4..=SHORT_MAX_WORDS).contains(&s.len()), "{s:?}");
            assert!((8..=LONG_MAX_WORDS).contains(&l.len()), "{l:?}");
            assert_eq!((s.last(), l.last()), (Some(&"."), Some(&".")));
            assert!(s.iter().chain(&l).all(|w| *w != "the" && *w != "has"));
        }
    }
}
