//! Long recall prompts: the language of the long built-in model (`--model builtin:long`).
//!
//! A long prompt states 4 to 10 facts (`the red box has 7 .`, each colour at most once) among 110 to 140 distractor
//! sentences of 8-9 words (`we like to read to my cat today .`), about a thousand tokens, and ends with a query that
//! names one fact by its colour (`the red box has`). Its answer depends on that one planted fact, so at sentence
//! level the planted fact is the ground truth an explanation should find.

use crate::error::ToyError;
use crate::held_out::TrainingPrompts;
use crate::language::{Example, Generator, LanguageSettings};

/// Context length of the long built-in model.
pub const LONG_CONTEXT_LEN: usize = 2048;

/// The language of held-out long prompts: whole sentences (no thinning), no restated facts, recall only.
pub fn long_prompt_settings() -> LanguageSettings {
    LanguageSettings {
        recall_fraction: 1.0,
        facts: 4..=10,
        recall_distractors: 110..=140,
        restated_facts: 0..=0,
        long_distractors: true,
        ..LanguageSettings::default()
    }
}

/// Tokens the toy tokenizer makes of an example's prompt: BOS and one token per word.
pub fn prompt_tokens(example: &Example) -> usize {
    1 + example.words().len()
}

/// `n` long recall prompts from `seed` with at least `min_tokens` tokens each, none of them a training prompt.
/// Up to 1,000 tokens they come from [`long_prompt_settings`]; longer ones (the 2,000-token cost measurement) have
/// proportionally more distractor sentences.
/// A length no prompt of the language reaches within the context is an error, not an endless search.
pub fn long_held_out(
    training: &TrainingPrompts,
    seed: u64,
    n: usize,
    min_tokens: usize,
) -> Result<Vec<Example>, ToyError> {
    let too_long = || {
        ToyError::Settings(format!(
            "no long prompt of at least {min_tokens} tokens fits the {LONG_CONTEXT_LEN}-token context; ask for \
             at most 2,000 tokens"
        ))
    };
    if min_tokens >= LONG_CONTEXT_LEN {
        return Err(too_long());
    }
    let mut settings = long_prompt_settings();
    if min_tokens > 1000 {
        // 8.5 words per distractor on average, about 40 words of facts; a narrow range, so that most prompts land
        // between `min_tokens` and the context
        let fewest = min_tokens.saturating_sub(40) * 2 / 17;
        settings.recall_distractors = fewest..=fewest + 8;
    }
    let mut generator = Generator::with_settings(seed, settings);
    let mut out = Vec::with_capacity(n);
    // about half the draws land in range at 2,000 tokens; a thousand times n means the range is out of reach
    let mut draws_left = 1000 * n.max(1);
    while out.len() < n {
        draws_left = draws_left.checked_sub(1).ok_or_else(too_long)?;
        let example = generator.recall();
        // the query (after the prompt's words) and the answer must fit the context too
        let fits = prompt_tokens(&example) < LONG_CONTEXT_LEN;
        if prompt_tokens(&example) >= min_tokens && fits && !training.contains(&example.prompt) {
            out.push(example);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_prompts_have_the_asked_length_and_one_fact_per_colour() {
        let training = TrainingPrompts::from_prompts(1, Vec::new());
        let prompts = long_held_out(&training, 5, 20, 1000).unwrap();
        assert_eq!(prompts.len(), 20);
        for ex in &prompts {
            let words = ex.words();
            assert!(prompt_tokens(ex) >= 1000 && prompt_tokens(ex) <= LONG_CONTEXT_LEN);
            let sentences = ex.prompt.matches(" .").count() + usize::from(ex.prompt.starts_with(". "));
            assert!((40..=151).contains(&sentences), "{sentences} sentences");
            let [colour, _, value] = [ex.sources[0], ex.sources[1], ex.sources[2]];
            assert_eq!(words[value], ex.answer);
            // The queried colour occurs in exactly one sentence of the context, the planted fact.
            let query = ex.cue[0] - 1;
            let same_colour = words[..query].iter().filter(|w| **w == words[colour]).count();
            assert_eq!(same_colour, 1, "{}", ex.prompt);
            // Distractors never use a fact's words.
            let facts = words[..query].iter().filter(|w| **w == "has").count();
            assert!((4..=10).contains(&facts));
        }
    }

    #[test]
    fn a_length_beyond_the_context_is_an_error_not_an_endless_search() {
        let training = TrainingPrompts::from_prompts(1, Vec::new());
        for tokens in [LONG_CONTEXT_LEN, 5000] {
            let error = long_held_out(&training, 5, 1, tokens).map(|p| p.len());
            assert!(
                matches!(&error, Err(ToyError::Settings(m)) if m.contains("2048-token")),
                "{error:?}"
            );
        }
        assert_eq!(
            long_held_out(&training, 5, 2, 2000).map(|p| p.len()).ok(),
            Some(2)
        );
    }
}
