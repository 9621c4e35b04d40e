//! The target when the request gives none: the model's continuation of the input.

use crate::error::ExplainError;
use crate::model::{ExplainModel, ExplainProgress};
use crate::request::GenerationOptions;
use whylm_backend::{GenerateSettings, Sampling, StopReason};

/// Generates after `input` with `options`, reporting each token; an empty continuation is an error.
pub fn generate_target(
    m: &ExplainModel<'_>,
    options: &GenerationOptions,
    input: &[u32],
    progress: &mut dyn FnMut(ExplainProgress),
) -> Result<Vec<u32>, ExplainError> {
    let sampling = if options.temperature > 0.0 {
        Sampling::Random {
            temperature: options.temperature,
            top_k: options.top_k,
            top_p: options.top_p,
            seed: options.seed,
        }
    } else {
        Sampling::Greedy
    };
    let settings = GenerateSettings {
        max_new_tokens: options.max_new_tokens,
        sampling,
        stop_tokens: m.backend.stop_tokens(),
    };
    let mut count = 0;
    let mut on_token = |_id: u32| {
        count += 1;
        progress(ExplainProgress::Generating {
            tokens: count,
            max: options.max_new_tokens,
        });
    };
    let generation = m.backend.generate(input, &settings, &mut on_token)?;
    if generation.tokens.is_empty() {
        let reason = match generation.stop {
            StopReason::StopToken(id) => format!("it predicted stop token {id}"),
            StopReason::MaxTokens => "max_new_tokens is 0".into(),
            StopReason::ContextFull => "the context is full".into(),
        };
        return Err(ExplainError::NothingGenerated { reason });
    }
    Ok(generation.tokens)
}
