//! The synthetic language: seeded prompts whose next word depends on known prompt words.
//!
//! Two tasks, both in plain words so that a person can read an explanation:
//! - recall: `the red box has 7 . the blue cup has 3 . it is sunny today . the blue cup has` -> `3`
//!   (colours are unique within a prompt, objects may repeat, values are unique digits);
//! - copying: `repeat red 4 cup hat : red 4` -> `cup`.
//!
//! Distractor sentences are mixed in and never influence an answer. Every example records its planted sources:
//! the prompt words the answer is read from, which is the ground truth that attributions are checked against.

use crate::distractors;
use crate::vocab::{COLOURS, DIGITS, OBJECTS};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// Which task an example poses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskKind {
    Recall,
    Copy,
}

/// One prompt of the language with its answer and the word positions the answer depends on.
///
/// Positions count the prompt's whitespace-separated words from 0 (BOS is not a word of the prompt).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Example {
    pub kind: TaskKind,
    /// Words separated by single spaces, without BOS.
    pub prompt: String,
    /// The single word that correctly continues the prompt.
    pub answer: String,
    /// Planted sources. Recall: the matching fact's colour, object and value (its first statement, when
    /// restated). Copy: the word to be copied.
    pub sources: Vec<usize>,
    /// The words at the end of the prompt that select the source. Recall: the query's colour and object.
    /// Copy: the last copied word (or the `:` when nothing is copied yet).
    pub cue: Vec<usize>,
}

impl Example {
    /// The prompt's words.
    pub fn words(&self) -> Vec<&str> {
        self.prompt.split(' ').collect()
    }

    /// Byte span of each word in `prompt`, in word order.
    pub fn word_spans(&self) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut start = 0;
        for word in self.prompt.split(' ') {
            spans.push((start, start + word.len()));
            start += word.len() + 1;
        }
        spans
    }
}

/// Shape of the generated prompts. The defaults keep every prompt under 48 tokens including BOS and the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageSettings {
    /// Probability that an example is a recall task (otherwise copying).
    pub recall_fraction: f64,
    /// Number of facts in a recall prompt.
    pub facts: RangeInclusive<usize>,
    /// Number of distractor sentences in a recall prompt.
    pub recall_distractors: RangeInclusive<usize>,
    /// Number of facts stated a second time (same key, same value) later in a recall prompt. Zero by default;
    /// training uses a few because a restated fact's value is a recall answer in the middle of the prompt, which
    /// gives the language-model loss several recall targets per prompt instead of one.
    pub restated_facts: RangeInclusive<usize>,
    /// Number of words to copy in a copy prompt.
    pub copy_len: RangeInclusive<usize>,
    /// Number of distractor sentences before a copy prompt.
    pub copy_distractors: RangeInclusive<usize>,
    /// Share of recall prompts whose context loses some of its non-source words (see [`WordDeletion`]).
    /// Zero by default: held-out prompts are whole.
    #[serde(default)]
    pub word_deletion: WordDeletion,
    /// Distractor sentences of 8-9 words instead of 4-5 (the long prompts of the long built-in model: a thousand
    /// tokens from about 120 sentences). Off by default, which keeps the default language's stream as it was.
    #[serde(default)]
    pub long_distractors: bool,
}

/// Random deletion of the words a recall answer does not depend on, applied to training prompts.
///
/// Why: the ground truth says that the answer is read from the planted sources (the matching fact's colour,
/// object and value). A model trained only on whole sentences is free to rely on the template words around
/// them too (its lookup keys on `has` right before the value), and then deleting the fact's `has` really does
/// change its answer, so attributions that credit `has` would be right about the model and the ground truth
/// would be wrong about it. Training on prompts where any non-source word may be missing makes the answer
/// independent of those words by construction, which is what the ground-truth check needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WordDeletion {
    /// Probability that a recall prompt is thinned at all.
    pub share: f64,
    /// A thinned prompt deletes each non-source context word with a rate drawn uniformly from `0..max_rate`.
    pub max_rate: f64,
}

impl Default for LanguageSettings {
    fn default() -> Self {
        Self {
            recall_fraction: 0.7,
            facts: 2..=4,
            recall_distractors: 0..=2,
            restated_facts: 0..=0,
            copy_len: 3..=6,
            copy_distractors: 0..=1,
            word_deletion: WordDeletion::default(),
            long_distractors: false,
        }
    }
}

impl LanguageSettings {
    /// Longest prompt in words these settings can produce (without BOS and answer).
    pub fn max_prompt_words(&self) -> usize {
        let distractor = if self.long_distractors {
            distractors::LONG_MAX_WORDS
        } else {
            distractors::SHORT_MAX_WORDS
        };
        let recall = 6 * (self.facts.end() + self.restated_facts.end())
            + distractor * self.recall_distractors.end()
            + 4;
        let copy = distractor * self.copy_distractors.end() + 2 * self.copy_len.end() + 1;
        recall.max(copy)
    }
}

/// A seeded, endless stream of examples: the same seed and settings give the same examples on every machine.
pub struct Generator {
    rng: ChaCha8Rng,
    settings: LanguageSettings,
}

impl Generator {
    /// A generator with the default language settings.
    pub fn new(seed: u64) -> Self {
        Self::with_settings(seed, LanguageSettings::default())
    }

    pub fn with_settings(seed: u64, settings: LanguageSettings) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            settings,
        }
    }

    pub fn settings(&self) -> &LanguageSettings {
        &self.settings
    }

    /// The next example, recall or copy at the configured ratio.
    pub fn next_example(&mut self) -> Example {
        if self
            .rng
            .random_bool(self.settings.recall_fraction.clamp(0.0, 1.0))
        {
            self.recall()
        } else {
            self.copy()
        }
    }

    /// A key-value recall example.
    pub fn recall(&mut self) -> Example {
        let n_facts = self
            .rng
            .random_range(self.settings.facts.clone())
            .max(1)
            .min(COLOURS.len());
        let mut colours = COLOURS.to_vec();
        colours.shuffle(&mut self.rng);
        let mut values = DIGITS.to_vec();
        values.shuffle(&mut self.rng);
        let facts: Vec<[&str; 3]> = (0..n_facts)
            .map(|i| {
                [
                    colours[i],
                    OBJECTS[self.rng.random_range(0..OBJECTS.len())],
                    values[i % values.len()],
                ]
            })
            .collect();

        // Sentences in prompt order: facts keep their order, restatements go anywhere after their fact,
        // distractors go into random gaps.
        let mut order: Vec<Option<usize>> = (0..n_facts).map(Some).collect();
        for _ in 0..self.rng.random_range(self.settings.restated_facts.clone()) {
            let fact = self.rng.random_range(0..n_facts);
            let first = order.iter().position(|s| *s == Some(fact)).unwrap_or(0);
            let gap = self.rng.random_range(first + 1..=order.len());
            order.insert(gap, Some(fact));
        }
        let n_distractors = self.rng.random_range(self.settings.recall_distractors.clone());
        for _ in 0..n_distractors {
            let gap = self.rng.random_range(0..=order.len());
            order.insert(gap, None);
        }

        let queried = self.rng.random_range(0..n_facts);
        let mut words: Vec<&str> = Vec::new();
        let mut sources = Vec::new();
        for sentence in order {
            match sentence {
                Some(i) => {
                    let [colour, object, value] = facts[i];
                    if i == queried && sources.is_empty() {
                        let at = words.len();
                        sources.extend([at + 1, at + 2, at + 4]);
                    }
                    words.extend(["the", colour, object, "has", value, "."]);
                }
                None => words.extend(self.distractor()),
            }
        }
        let (mut words, sources) = self.thin(words, sources);
        let [colour, object, value] = facts[queried];
        let at = words.len();
        words.extend(["the", colour, object, "has"]);
        Example {
            kind: TaskKind::Recall,
            prompt: words.join(" "),
            answer: value.to_string(),
            sources,
            cue: vec![at + 1, at + 2],
        }
    }

    /// Deletes non-source words of a recall context as [`LanguageSettings::word_deletion`] says, and moves the
    /// source positions with them. Draws nothing from the stream when deletion is off, so that prompts of the
    /// default settings stay the same.
    fn thin<'a>(&mut self, words: Vec<&'a str>, sources: Vec<usize>) -> (Vec<&'a str>, Vec<usize>) {
        let deletion = self.settings.word_deletion;
        if deletion.share <= 0.0 || !self.rng.random_bool(deletion.share.min(1.0)) {
            return (words, sources);
        }
        let rate = self.rng.random::<f64>() * deletion.max_rate.clamp(0.0, 1.0);
        let mut kept = Vec::with_capacity(words.len());
        let mut moved = Vec::with_capacity(sources.len());
        for (i, word) in words.into_iter().enumerate() {
            if sources.contains(&i) {
                moved.push(kept.len());
            } else if self.rng.random_bool(rate) {
                continue;
            }
            kept.push(word);
        }
        (kept, moved)
    }

    /// A copying example: `repeat w1 .. wn : w1 .. wk` -> w(k+1).
    pub fn copy(&mut self) -> Example {
        let mut pool: Vec<&str> = COLOURS.iter().chain(&OBJECTS).chain(&DIGITS).copied().collect();
        pool.shuffle(&mut self.rng);
        let len = self
            .rng
            .random_range(self.settings.copy_len.clone())
            .clamp(1, pool.len());
        let list = &pool[..len];
        let copied = self.rng.random_range(0..len);

        let mut words: Vec<&str> = Vec::new();
        for _ in 0..self.rng.random_range(self.settings.copy_distractors.clone()) {
            words.extend(self.distractor());
        }
        words.push("repeat");
        let list_start = words.len();
        words.extend(list);
        words.push(":");
        words.extend(&list[..copied]);
        Example {
            kind: TaskKind::Copy,
            prompt: words.join(" "),
            answer: list[copied].to_string(),
            sources: vec![list_start + copied],
            cue: vec![words.len() - 1],
        }
    }

    /// A sentence that has nothing to do with any answer.
    fn distractor(&mut self) -> Vec<&'static str> {
        if self.settings.long_distractors {
            distractors::long(&mut self.rng)
        } else {
            distractors::short(&mut self.rng)
        }
    }
}

impl Iterator for Generator {
    type Item = Example;

    fn next(&mut self) -> Option<Example> {
        Some(self.next_example())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::encode_words;

    #[test]
    fn same_seed_same_stream_and_different_seed_differs() {
        let a: Vec<Example> = Generator::new(3).take(50).collect();
        let b: Vec<Example> = Generator::new(3).take(50).collect();
        let c: Vec<Example> = Generator::new(4).take(50).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    /// The sources are the colour and object the query names and the answer; returns the colour's position.
    fn assert_sources_are_the_queried_fact(ex: &Example) -> usize {
        let words = ex.words();
        let [colour, object, value] = [ex.sources[0], ex.sources[1], ex.sources[2]];
        assert_eq!(words[ex.cue[0]], words[colour], "{}", ex.prompt);
        assert_eq!(words[ex.cue[1]], words[object], "{}", ex.prompt);
        assert_eq!(words[value], ex.answer, "{}", ex.prompt);
        colour
    }

    #[test]
    fn recall_sources_point_at_the_matching_fact() {
        let mut generator = Generator::new(11);
        for _ in 0..500 {
            let ex = generator.recall();
            let words = ex.words();
            let colour = assert_sources_are_the_queried_fact(&ex);
            assert_eq!(words[colour + 2], "has");
            // The colour is unique among the facts, so the answer is determined.
            let same_colour = words[..ex.cue[0] - 1]
                .iter()
                .filter(|w| **w == words[colour])
                .count();
            assert_eq!(same_colour, 1, "{}", ex.prompt);
        }
    }

    #[test]
    fn copy_source_is_the_next_word_of_the_list() {
        let mut generator = Generator::new(12);
        for _ in 0..500 {
            let ex = generator.copy();
            let words = ex.words();
            assert_eq!(words[ex.sources[0]], ex.answer);
            let colon = words.iter().position(|w| *w == ":").unwrap_or(0);
            let list_start = words.iter().position(|w| *w == "repeat").unwrap_or(0) + 1;
            let copied = words.len() - colon - 1;
            assert_eq!(ex.sources[0], list_start + copied, "{}", ex.prompt);
            assert_eq!(&words[colon + 1..], &words[list_start..list_start + copied]);
        }
    }

    #[test]
    fn prompts_use_only_vocabulary_words_and_fit_the_context() {
        let settings = LanguageSettings::default();
        let longest = Generator::new(5)
            .take(3000)
            .map(|ex| ex.words().len())
            .max()
            .unwrap_or(0);
        assert!(longest <= settings.max_prompt_words());
        // BOS + prompt + answer must fit the training context.
        assert!(settings.max_prompt_words() + 2 <= crate::shape::CONTEXT_LEN);
        for ex in Generator::new(6).take(3000) {
            assert!(encode_words(&ex.prompt).is_ok(), "{}", ex.prompt);
            assert!(encode_words(&ex.answer).is_ok(), "{}", ex.answer);
        }
    }

    #[test]
    fn word_deletion_keeps_sources_and_the_query_and_is_off_by_default() {
        let thinned = LanguageSettings {
            word_deletion: WordDeletion {
                share: 1.0,
                max_rate: 0.9,
            },
            ..LanguageSettings::default()
        };
        let mut generator = Generator::with_settings(13, thinned);
        let mut deleted = 0;
        for _ in 0..300 {
            let ex = generator.recall();
            let words = ex.words();
            let colour = assert_sources_are_the_queried_fact(&ex);
            assert_eq!(words[ex.cue[0] - 1], "the");
            assert_eq!(words.last().copied(), Some("has"));
            deleted += usize::from(words[colour + 2] != "has");
        }
        assert!(
            deleted > 50,
            "the fact's own `has` was deleted in only {deleted} of 300 prompts"
        );
        // Off by default: a default generator never thins, so every fact keeps its six-word template.
        let mut whole = Generator::new(13);
        for _ in 0..300 {
            let ex = whole.recall();
            assert_eq!(ex.words()[ex.sources[0] + 2], "has", "{}", ex.prompt);
        }
    }

    #[test]
    fn word_spans_cut_out_the_words() {
        let ex = Generator::new(8).next_example();
        for (span, word) in ex.word_spans().iter().zip(ex.words()) {
            assert_eq!(&ex.prompt[span.0..span.1], word);
        }
    }

    #[test]
    fn both_tasks_occur_at_roughly_the_configured_ratio() {
        let recall = Generator::new(9)
            .take(2000)
            .filter(|ex| ex.kind == TaskKind::Recall)
            .count();
        assert!((1200..1600).contains(&recall), "{recall} recall examples of 2000");
    }
}
