//! `whylm tokenize`: the ids a model's tokenizer gives a text. Reads only the vocabulary, never the weights,
//! so it also works on vocabulary-only GGUF files.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde_json::json;
use whylm_backend::TextTokenizer;
use whylm_tokenize::{Encoding, Tokenizer};

use crate::fault::backend_error;
use crate::options::output::print_stdout;
use crate::options::tokenizer::load_tokenizer;

#[derive(Args, Debug)]
pub struct TokenizeArgs {
    /// A GGUF file (weights optional) or a Hugging Face model directory (tokenizer.json).
    #[arg(long, value_name = "PATH")]
    pub model: PathBuf,
    /// The text to tokenize.
    #[arg(value_name = "TEXT", allow_hyphen_values = true)]
    pub text: String,
    /// Add the tokens the model adds itself (e.g. BOS).
    #[arg(long)]
    pub add_special: bool,
    /// Show each token's piece next to its id, one token per line.
    #[arg(long)]
    pub pieces: bool,
    /// Print ids, pieces and byte spans as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: TokenizeArgs) -> Result<()> {
    let tokenizer = load_tokenizer(&args.model)?;
    // Through the seam's tokenizer, whose errors say whether the text or the engine is at fault.
    let encoding = TextTokenizer::encode(&tokenizer, &args.text, args.add_special).map_err(backend_error)?;
    let text = if args.json {
        as_json(&tokenizer, &args.text, &encoding)?
    } else if args.pieces {
        as_piece_lines(&tokenizer, &encoding)
    } else {
        as_id_line(&encoding)
    };
    print_stdout(&text)
}

/// The ids on one line, separated by spaces (the format of llama.cpp's tokenizer test files).
fn as_id_line(encoding: &Encoding) -> String {
    let ids: Vec<String> = encoding.ids.iter().map(u32::to_string).collect();
    ids.join(" ") + "\n"
}

/// One token per line: id, then the piece quoted (pieces may be spaces or newlines).
fn as_piece_lines(tokenizer: &Tokenizer, encoding: &Encoding) -> String {
    let mut out = String::new();
    for (&id, &special) in encoding.ids.iter().zip(&encoding.special) {
        let piece = tokenizer.piece(id).unwrap_or_default();
        let marker = if special { "  (special)" } else { "" };
        let _ = writeln!(out, "{id}\t{piece:?}{marker}");
    }
    out
}

fn as_json(tokenizer: &Tokenizer, text: &str, encoding: &Encoding) -> Result<String> {
    let tokens: Vec<serde_json::Value> = encoding
        .ids
        .iter()
        .zip(&encoding.spans)
        .zip(&encoding.special)
        .map(|((&id, &(start, end)), &special)| {
            json!({
                "id": id,
                "piece": tokenizer.piece(id),
                "text": text.get(start..end),
                "start": start,
                "end": end,
                "special": special,
            })
        })
        .collect();
    let document = json!({ "ids": encoding.ids, "tokens": tokens });
    Ok(serde_json::to_string_pretty(&document)? + "\n")
}
