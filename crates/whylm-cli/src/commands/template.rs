//! `whylm template`: exactly the text a chat model will read for a conversation, as its chat template renders
//! it, and with `--json` where each message's content lies in it (the spans `explain --chat` turns into
//! features). Reads only the tokenizer and the template, never the weights.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use crate::failure::UserFault;
use crate::options::chat::ChatOptions;
use crate::options::output::print_stdout;

#[derive(Args, Debug)]
pub struct TemplateArgs {
    /// A GGUF file or a Hugging Face model directory whose chat template (and special tokens) to use.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub chat: ChatOptions,
    /// Leave out the generation prompt (the assistant header a reply would follow).
    #[arg(long)]
    pub no_generation_prompt: bool,
    /// Print the rendered text with every message's role, content span and fit, and the generation prompt's span,
    /// as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: TemplateArgs) -> Result<()> {
    let messages = args.chat.messages()?;
    let setup = args.chat.setup(args.model.as_deref())?;
    let rendered = setup.render(&messages, !args.no_generation_prompt).user_fault()?;
    if !args.json {
        return print_stdout(&rendered.text);
    }
    let spans: Vec<serde_json::Value> = messages
        .iter()
        .zip(&rendered.spans)
        .map(|(message, span)| match span {
            Some(span) => json!({
                "role": message.role,
                "start": span.range.start,
                "end": span.range.end,
                "fit": span.fit,
            }),
            None => json!({ "role": message.role, "start": null, "end": null, "fit": null }),
        })
        .collect();
    let document = json!({
        "template_source": setup.source,
        "text": rendered.text,
        "messages": spans,
        "span_method": rendered.method,
        "generation_prompt": rendered.generation_prompt.map(|r| json!({"start": r.start, "end": r.end})),
    });
    print_stdout(&(serde_json::to_string_pretty(&document)? + "\n"))
}
