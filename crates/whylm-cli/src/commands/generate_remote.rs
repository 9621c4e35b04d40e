//! `whylm generate --engine URL`: the continuation comes from a serving engine; the prompt is tokenized (and the
//! answer decoded) with the served model's tokenizer (`--model`, or the engine's endpoints).

use anyhow::Result;
use serde_json::json;
use whylm_backend::{Backend, StopReason};

use crate::commands::generate::GenerateArgs;
use crate::fault::backend_error;
use crate::options::output::print_stdout;
use crate::progress::Progress;

pub fn run(args: GenerateArgs) -> Result<()> {
    let prompt = args.prompt.read()?;
    let remote = args.engine.connect(args.model.as_deref())?;
    let prompt_ids = remote
        .tokenizer()
        .encode(&prompt, true)
        .map_err(backend_error)?
        .ids;
    let settings = args.sampling.settings(args.seed, &remote);
    let mut progress = Progress::new(args.quiet);
    let generation = remote
        .generate(&prompt_ids, &settings, &mut |_| {})
        .map_err(backend_error)?;
    progress.finish();
    let all: Vec<u32> = prompt_ids.iter().chain(&generation.tokens).copied().collect();
    let full = remote.decode(&all).map_err(backend_error)?;
    let head = remote.decode(&prompt_ids).map_err(backend_error)?;
    let continuation = match full.strip_prefix(&head) {
        Some(rest) => rest.to_string(),
        None => remote.decode(&generation.tokens).map_err(backend_error)?,
    };
    let text = if args.json {
        let document = json!({
            "prompt": prompt,
            "continuation": continuation,
            "prompt_ids": prompt_ids,
            "generated_ids": generation.tokens,
            "stop": match generation.stop {
                StopReason::StopToken(id) => format!("stop token {id}"),
                StopReason::MaxTokens => "max new tokens".into(),
                StopReason::ContextFull => "context full".into(),
            },
            "engine": remote.info().runtime,
        });
        serde_json::to_string_pretty(&document)? + "\n"
    } else {
        format!("{prompt}{continuation}\n")
    };
    print_stdout(&text)
}
