//! Held-out prompts: drawn from a seed other than the training seed, and never equal to a training prompt.

use crate::error::ToyError;
use crate::language::{Example, Generator, LanguageSettings, TaskKind};
use crate::train::TrainSettings;
use std::collections::HashSet;

/// The prompts a training run saw, for checking that evaluation prompts are new.
pub struct TrainingPrompts {
    seed: u64,
    prompts: HashSet<String>,
}

impl TrainingPrompts {
    /// Regenerates the training stream of `settings` (cheap: a few hundred thousand short strings).
    pub fn of(settings: &TrainSettings) -> Self {
        Self {
            seed: settings.seed,
            prompts: settings.training_examples().map(|ex| ex.prompt).collect(),
        }
    }

    /// A set of training prompts given directly (for tests and for runs not made by [`crate::train()`]).
    pub fn from_prompts(seed: u64, prompts: impl IntoIterator<Item = String>) -> Self {
        Self {
            seed,
            prompts: prompts.into_iter().collect(),
        }
    }

    pub fn contains(&self, prompt: &str) -> bool {
        self.prompts.contains(prompt)
    }

    pub fn len(&self) -> usize {
        self.prompts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prompts.is_empty()
    }

    /// `n` examples (of `kind`, or of both tasks when None) from `seed` with the default language settings,
    /// skipping any whose prompt was a training prompt.
    pub fn held_out(&self, seed: u64, n: usize, kind: Option<TaskKind>) -> Result<Vec<Example>, ToyError> {
        if seed == self.seed {
            return Err(ToyError::HeldOutSeedIsTrainingSeed { seed });
        }
        let mut generator = Generator::with_settings(seed, LanguageSettings::default());
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let ex = match kind {
                None => generator.next_example(),
                Some(TaskKind::Recall) => generator.recall(),
                Some(TaskKind::Copy) => generator.copy(),
            };
            if !self.contains(&ex.prompt) {
                out.push(ex);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_run() -> TrainSettings {
        TrainSettings {
            seed: 21,
            steps: 50,
            batch_size: 16,
            ..TrainSettings::default()
        }
    }

    #[test]
    fn the_training_seed_is_refused() {
        let training = TrainingPrompts::of(&small_run());
        assert!(matches!(
            training.held_out(21, 1, None),
            Err(ToyError::HeldOutSeedIsTrainingSeed { seed: 21 })
        ));
    }

    #[test]
    fn held_out_prompts_skip_training_prompts() -> Result<(), ToyError> {
        // Pretend the first 100 draws of seed 5 were training prompts: held-out draws from seed 5 must skip them
        // and continue with the stream's next prompts.
        let stream: Vec<Example> = Generator::new(5).take(130).collect();
        let training = TrainingPrompts::from_prompts(99, stream[..100].iter().map(|ex| ex.prompt.clone()));
        let held_out = training.held_out(5, 20, None)?;
        assert_eq!(held_out.len(), 20);
        for ex in &held_out {
            assert!(!training.contains(&ex.prompt), "{}", ex.prompt);
        }
        assert_eq!(held_out[0], stream[100]);
        Ok(())
    }

    #[test]
    fn regenerated_training_prompts_are_the_training_stream() {
        let settings = small_run();
        let training = TrainingPrompts::of(&settings);
        assert!(settings
            .training_examples()
            .all(|ex| training.contains(&ex.prompt)));
        assert!(!training.is_empty() && training.len() <= 50 * 16);
    }
}
