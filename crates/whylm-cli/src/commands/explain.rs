//! `whylm explain`: which parts of the prompt made the model produce the target?

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use whylm_explain::{
    ExplainModel, ExplainProgress, ExplainRequest, GenerationOptions, Level, MaskerSpec, MethodChoice,
    ScoreSpec,
};

use crate::fault::explain_error;
use crate::options::count::positive_count;
use crate::options::model_loading::{load_model_or_default, report_info};
use crate::options::prompt::{require_non_empty, PromptInput};
use crate::options::report_output::{emit, ReportTargets};
use crate::options::sampling::SamplingOptions;
use crate::progress::Progress;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A GGUF file or a Hugging Face model directory; without it, the built-in default model.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub prompt: PromptInput,
    /// Text before the prompt that the model sees but that is never a feature (e.g. a chat header).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub prefix: String,
    /// Text after the prompt that the model sees but that is never a feature.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub suffix: String,
    /// The text to explain; without it, the model generates one from the prompt.
    #[arg(long, value_name = "TEXT")]
    pub target: Option<String>,
    #[command(flatten)]
    pub sampling: SamplingOptions,
    /// Feature level(s): token, word, clause, sentence, turn or custom; repeat the option or give a comma list.
    #[arg(long, value_name = "LEVEL", value_delimiter = ',', default_value = "word")]
    pub level: Vec<Level>,
    /// What an absent feature means: delete, hide, replace, replace:TOKEN, replace:TOKEN:collapse, shap or
    /// shap:MASK.
    #[arg(long, value_name = "MASKER", default_value = "delete")]
    pub masker: MaskerSpec,
    /// The number explained per target token: logprob, prob, logit, logodds or contrast:TEXT.
    #[arg(long, value_name = "SCORE", default_value = "logprob")]
    pub score: ScoreSpec,
    /// The estimator: auto, exact, permutation, kernel, msr (kernel's samples plus a sparse three-player
    /// surrogate), gp (Gaussian-process regression on kernel's samples; auto's choice from 5n to 4096
    /// evaluations, its cost grows with the cube of the budget), partition or loo.
    #[arg(long, value_name = "METHOD", default_value = "auto")]
    pub method: MethodChoice,
    /// Most model evaluations (coalitions) to spend per level.
    #[arg(long, value_name = "N", value_parser = positive_count)]
    pub max_evals: Option<usize>,
    /// Coalitions scored per forward pass.
    #[arg(long, value_name = "N", value_parser = positive_count)]
    pub batch_size: Option<usize>,
    /// CPU threads for the model.
    #[arg(long, value_name = "N", value_parser = positive_count)]
    pub threads: Option<usize>,
    /// Seed of every random choice (sampling the target, the estimators); same seed, same numbers.
    #[arg(long, value_name = "S", default_value = "0")]
    pub seed: u64,
    /// Save the explanation as JSON (redraw it later with `whylm render`); `-` prints the JSON on stdout instead
    /// of the terminal report.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Save a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Save an SVG chart.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Print nothing but what was asked for: no progress bar and no notes on stderr, and no terminal report on
    /// stdout (the files given with --json, --html and --svg are still written; --json - prints the JSON).
    #[arg(long)]
    pub quiet: bool,
    /// Never colour the terminal report.
    #[arg(long)]
    pub no_color: bool,
}

pub fn run(args: ExplainArgs) -> Result<()> {
    if let Some(threads) = args.threads {
        whylm_model::set_num_threads(threads);
    }
    let prompt = args.prompt.read()?;
    require_non_empty(&prompt)?;
    let request = ExplainRequest {
        prompt,
        prefix: args.prefix,
        suffix: args.suffix,
        target: args.target,
        generation: GenerationOptions {
            max_new_tokens: args.sampling.max_new_tokens,
            seed: args.seed,
            temperature: args.sampling.temperature as f32,
            top_k: args.sampling.top_k,
            top_p: args.sampling.top_p.map(|p| p as f32),
        },
        levels: unique_levels(&args.level),
        masker: args.masker,
        score: args.score,
        method: args.method,
        max_evals: args.max_evals,
        batch_size: args.batch_size,
        seed: args.seed,
        ..ExplainRequest::default()
    };
    let loaded = load_model_or_default(args.model.as_deref(), args.quiet)?;
    let explain_model = ExplainModel {
        backend: &loaded.backend(),
        info: report_info(&loaded),
    };
    let mut progress = Progress::new(args.quiet);
    let doc = whylm_explain::explain(&explain_model, &request, &mut |event| show(&mut progress, event))
        .map_err(explain_error)?;
    progress.finish();
    let targets = ReportTargets {
        json: args.json,
        html: args.html,
        svg: args.svg,
        terminal: !args.quiet,
        no_color: args.no_color,
    };
    emit(&doc, &targets)
}

/// Each level once, in the order first asked (`--level word --level word,token` is word then token).
fn unique_levels(levels: &[Level]) -> Vec<Level> {
    let mut unique: Vec<Level> = Vec::new();
    for &level in levels {
        if !unique.contains(&level) {
            unique.push(level);
        }
    }
    unique
}

fn show(progress: &mut Progress, event: ExplainProgress) {
    match event {
        ExplainProgress::Generating { tokens, max } => {
            progress.update("generating the target", "tokens", tokens as u64, max as u64)
        }
        ExplainProgress::Evaluating {
            level,
            index,
            count,
            done,
            planned,
        } => {
            let phase = if count > 1 {
                format!("{} level ({}/{count})", level.name(), index + 1)
            } else {
                format!("{} level", level.name())
            };
            progress.update(&phase, "evaluations", done as u64, planned as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        explain: ExplainArgs,
    }

    fn parse(extra: &[&str]) -> Result<ExplainArgs, clap::Error> {
        let args = ["whylm", "--prompt", "hi"].iter().chain(extra);
        Wrapper::try_parse_from(args).map(|w| w.explain)
    }

    #[test]
    fn the_library_option_types_parse_the_command_line_syntax() {
        let args = parse(&[
            "--masker",
            "replace:<unk>",
            "--score",
            "contrast: a:b",
            "--method",
            "msr",
        ])
        .unwrap();
        assert_eq!(args.masker.to_string(), "replace:<unk>");
        assert_eq!(args.score.to_string(), "contrast: a:b");
        assert_eq!(args.method.to_string(), "msr");
        let defaults = parse(&[]).unwrap();
        assert_eq!(
            (defaults.masker, defaults.score, defaults.method, defaults.level),
            (
                MaskerSpec::Delete,
                ScoreSpec::LogProb,
                MethodChoice::Auto,
                vec![Level::Word]
            )
        );
        let levels = parse(&["--level", "word,token", "--level", "word"])
            .unwrap()
            .level;
        assert_eq!(unique_levels(&levels), [Level::Word, Level::Token]);
        for bad in [
            ["--masker", "replace:"],
            ["--masker", "drop"],
            ["--score", "contrast:"],
            ["--score", "loss"],
        ] {
            assert!(parse(&bad).is_err(), "{bad:?} is refused");
        }
    }
}
