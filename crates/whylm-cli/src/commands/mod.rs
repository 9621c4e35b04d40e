//! The command line: one file per subcommand, each with its clap arguments and its `run`.

mod batch_row;
mod bench;
mod explain;
mod explain_batch;
mod explain_remote;
mod faithfulness;
mod generate;
mod generate_remote;
mod inspect;
mod render;
mod template;
mod tokenize;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Explain language-model outputs with Shapley values.
#[derive(Parser, Debug)]
#[command(name = "whylm", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Attribute a target text (given, or generated) to the parts of the prompt.
    Explain(Box<explain::ExplainArgs>),
    /// Continue a prompt with the model.
    Generate(generate::GenerateArgs),
    /// Show a model's architecture, tokenizer, quantization, parameter count and memory estimate.
    Inspect(inspect::InspectArgs),
    /// Show the token ids (and pieces) a model's tokenizer gives a text, without loading the weights.
    Tokenize(tokenize::TokenizeArgs),
    /// Redraw a saved explanation (JSON) in the terminal, as HTML or as SVG, without the model.
    Render(render::RenderArgs),
    /// Print exactly what a chat model reads for a conversation (its chat template rendered), with --json the
    /// span of every message.
    Template(Box<template::TemplateArgs>),
    /// Measure a saved explanation's faithfulness on the model: top-k removal drops and the LDS.
    Faithfulness(faithfulness::FaithfulnessArgs),
    /// Run the fixed speed suite and print its table (see BENCHMARKS.md).
    Bench(bench::BenchArgs),
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        // --batch runs the same explanation once per row of its file
        Command::Explain(args) if args.batch.batch.is_some() && args.engine.given() => {
            Err(crate::failure::user_error(
                "--batch does not run on an --engine yet",
                "explain the rows one at a time with --engine, or drop --engine to run the model in process",
            ))
        }
        Command::Explain(args) if args.batch.batch.is_some() => explain_batch::run(*args),
        Command::Explain(args) if args.engine.given() => explain_remote::run(*args),
        Command::Explain(args) => explain::run(*args),
        Command::Generate(args) if args.engine.given() => generate_remote::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Tokenize(args) => tokenize::run(args),
        Command::Render(args) => render::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Faithfulness(args) => faithfulness::run(args),
        Command::Template(args) => template::run(*args),
    }
}
