//! `whylm generate`: continue a prompt with the model.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde_json::json;
use whylm_model::{Backend, StopReason};
use whylm_tokenize::Tokenizer;

use crate::fault::{backend_error, tokenizer_file_error};
use crate::options::count::positive_count;
use crate::options::engine::EngineOptions;
use crate::options::model_loading::load_model_or_default;
use crate::options::output::print_stdout;
use crate::options::prompt::PromptInput;
use crate::options::sampling::SamplingOptions;
use crate::options::weights::WeightOptions;
use crate::progress::Progress;

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// A GGUF file or a Hugging Face model directory; without it, the built-in default model (`builtin:long`:
    /// the built-in model for long prompts, up to 2,048 tokens).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub weights: WeightOptions,
    #[command(flatten)]
    pub prompt: PromptInput,
    #[command(flatten)]
    pub sampling: SamplingOptions,
    #[command(flatten)]
    pub engine: EngineOptions,
    /// Seed for sampling (unused when greedy).
    #[arg(long, value_name = "S", default_value = "0")]
    pub seed: u64,
    /// CPU threads for the model.
    #[arg(long, value_name = "N", value_parser = positive_count)]
    pub threads: Option<usize>,
    /// Print the result as JSON (prompt, continuation, token ids, why generation stopped).
    #[arg(long)]
    pub json: bool,
    /// Print no progress bar and no notes on stderr; the continuation (or its JSON) is the command's result and
    /// still goes to stdout.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: GenerateArgs) -> Result<()> {
    if let Some(threads) = args.threads {
        whylm_model::set_num_threads(threads);
    }
    let prompt = args.prompt.read()?;
    let loaded = load_model_or_default(args.model.as_deref(), &args.weights, args.quiet)?;
    let backend = loaded.backend();
    let prompt_ids = backend
        .tokenizer()
        .encode(&prompt, true)
        .map_err(backend_error)?
        .ids;
    let settings = args.sampling.settings(args.seed, &backend);

    let mut progress = Progress::new(args.quiet);
    let mut generated = 0u64;
    let max = settings.max_new_tokens as u64;
    let generation = backend
        .generate(&prompt_ids, &settings, &mut |_| {
            generated += 1;
            progress.update("generating", "tokens", generated, max);
        })
        .map_err(backend_error)?;
    progress.finish();

    // The seam has no decoder: the text comes from the loaded model's own tokenizer.
    let continuation = continuation_text(&loaded.tokenizer, &prompt_ids, &generation.tokens)?;
    let text = if args.json {
        let document = json!({
            "prompt": prompt,
            "continuation": continuation,
            "prompt_ids": prompt_ids,
            "generated_ids": generation.tokens,
            "stop": stop_name(generation.stop),
        });
        serde_json::to_string_pretty(&document)? + "\n"
    } else {
        format!("{prompt}{continuation}\n")
    };
    print_stdout(&text)
}

/// The text the new tokens add after the prompt. Decoding them alone would lose context the decoder needs
/// (SentencePiece drops a leading space at the start of a text; a character may span the boundary), so the
/// whole sequence is decoded and the prompt's decoding cut off.
fn continuation_text(tokenizer: &Tokenizer, prompt_ids: &[u32], new_ids: &[u32]) -> Result<String> {
    let all: Vec<u32> = prompt_ids.iter().chain(new_ids).copied().collect();
    let full = tokenizer
        .decode_skip_special(&all)
        .map_err(tokenizer_file_error)?;
    let head = tokenizer
        .decode_skip_special(prompt_ids)
        .map_err(tokenizer_file_error)?;
    match full.strip_prefix(&head) {
        Some(rest) => Ok(rest.to_string()),
        None => tokenizer
            .decode_skip_special(new_ids)
            .map_err(tokenizer_file_error),
    }
}

fn stop_name(stop: StopReason) -> String {
    match stop {
        StopReason::StopToken(id) => format!("stop token {id}"),
        StopReason::MaxTokens => "max new tokens".into(),
        StopReason::ContextFull => "context full".into(),
    }
}
