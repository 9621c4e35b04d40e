//! `whylm explain`: which parts of the prompt made the model produce the target?

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use whylm_backend::{Backend, CachedBackend, ScoreFile};
use whylm_explain::{
    ChatInput, ExplainModel, ExplainProgress, ExplainRequest, GenerationOptions, Level, MaskerSpec,
    MethodChoice, ScoreSpec, Segment,
};

use crate::failure::user_error;
use crate::fault::{backend_error, explain_error};
use crate::options::attention::AttentionOptions;
use crate::options::batch::BatchOptions;
use crate::options::chat::ChatOptions;
use crate::options::chat_explain::{chat_input, TurnOptions};
use crate::options::context::{context_input, ContextOptions};
use crate::options::count::positive_count;
use crate::options::engine::EngineOptions;
use crate::options::faithfulness::{measure, FaithfulnessOptions};
use crate::options::model_loading::{load_model_or_default, report_info};
use crate::options::prompt::{require_non_empty, PromptInput};
use crate::options::refine::RefineOptions;
use crate::options::report_output::{emit, ReportTargets};
use crate::options::sampling::SamplingOptions;
use crate::options::summarise::{summary_input, SummariseOptions, Task};
use crate::options::weights::WeightOptions;
use crate::progress::Progress;

#[derive(Args, Debug, Clone)]
pub struct ExplainArgs {
    /// A GGUF file or a Hugging Face model directory; without it, the built-in default model (`builtin:long`:
    /// the built-in model for long prompts, up to 2,048 tokens).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub weights: WeightOptions,
    #[command(flatten)]
    pub prompt: PromptInput,
    #[command(flatten)]
    pub chat: ChatOptions,
    #[command(flatten)]
    pub turns: TurnOptions,
    #[command(flatten)]
    pub summarise: SummariseOptions,
    #[command(flatten)]
    pub batch: BatchOptions,
    #[command(flatten)]
    pub faithfulness: FaithfulnessOptions,
    #[command(flatten)]
    pub engine: EngineOptions,
    #[command(flatten)]
    pub context: ContextOptions,
    #[command(flatten)]
    pub refine: RefineOptions,
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
    /// Feature level(s): token, word, clause, sentence, paragraph, document (one feature per --context-file),
    /// turn (one feature per message of a --chat) or custom; repeat the option or give a comma list.
    /// [default: word; sentence with --task summarise]
    #[arg(long, value_name = "LEVEL", value_delimiter = ',')]
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
    /// evaluations, its cost grows with the cube of the budget), partition, loo, banzhaf (Banzhaf values: each
    /// unit's average effect when the others are kept or dropped at random; not Shapley values) or contextcite
    /// (ContextCite's LASSO estimate of the same, as a baseline), or sparse (Shapley values for many features on
    /// budgets below n: keep-1/2 pairs and a sparse fit; auto's choice there).
    #[arg(long, value_name = "METHOD", default_value = "auto")]
    pub method: MethodChoice,
    /// Most model evaluations (coalitions) to spend per level; with --refine, for all levels together.
    #[arg(long, value_name = "N", value_parser = positive_count)]
    pub max_evals: Option<usize>,
    /// Pairwise Shapley interaction index of the top K features by |phi| (summed over the target tokens): a
    /// K x K matrix in the JSON and the strongest pairs (synergy or redundancy) in the terminal. Off by default.
    #[arg(long, value_name = "K")]
    pub interactions: Option<usize>,
    /// Most model evaluations for --interactions; without it, exact when the game is small enough (at most 14
    /// features), otherwise 200 per pair, sampled with standard errors.
    #[arg(long, value_name = "N", value_parser = positive_count)]
    pub interaction_evals: Option<usize>,
    #[command(flatten)]
    pub attention: AttentionOptions,
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
    // the input is checked (and a chat rendered) before the weights are read
    let request = explain_request(&args)?;
    let loaded = load_model_or_default(args.model.as_deref(), &args.weights, args.quiet)?;
    let backend = loaded.backend();
    let cached = match &args.batch.cache {
        Some(path) => Some(CachedBackend::new(
            &backend,
            ScoreFile::open(path).map_err(backend_error)?,
        )),
        None => None,
    };
    let backend: &dyn Backend = match &cached {
        Some(cached) => cached,
        None => &backend,
    };
    let mut progress = Progress::new(args.quiet);
    let mut doc = explain_document(backend, report_info(&loaded), &args, &request, &mut progress)?;
    progress.finish();
    if let Some(samples) = args.faithfulness.faithfulness {
        measure(backend, &mut doc, samples, args.seed, args.batch_size)?;
    }
    emit(&doc, &report_targets(args))
}

/// Where an explanation's report goes: the files asked for, the terminal unless --quiet.
pub fn report_targets(args: ExplainArgs) -> ReportTargets {
    ReportTargets {
        json: args.json,
        html: args.html,
        svg: args.svg,
        terminal: !args.quiet,
        no_color: args.no_color,
    }
}

/// The explain request that `args` describe.
pub fn explain_request(args: &ExplainArgs) -> Result<ExplainRequest> {
    let input = explained_input(args)?;
    let request = ExplainRequest {
        prompt: input.prompt,
        prefix: args.prefix.clone(),
        suffix: args.suffix.clone(),
        segments: input.segments,
        chat: input.chat,
        special_tokens_in_text: input.special_tokens_in_text,
        target: input.target,
        generation: GenerationOptions {
            max_new_tokens: args.sampling.max_new_tokens,
            seed: args.seed,
            temperature: args.sampling.temperature as f32,
            top_k: args.sampling.top_k,
            top_p: args.sampling.top_p.map(|p| p as f32),
        },
        levels: levels_for(&args.level, args.summarise.task),
        refine: args.refine.refine,
        masker: args.masker.clone(),
        score: args.score.clone(),
        method: args.method,
        max_evals: args.max_evals,
        batch_size: args.batch_size,
        seed: args.seed,
        interactions: args.interactions,
        interaction_evals: args.interaction_evals,
        attention: args.attention.attention,
        attention_full: args.attention.attention_full,
        ..ExplainRequest::default()
    };
    // a refinement that cannot work is refused before the weights are read
    whylm_explain::refine_check::check_refinement(&request).map_err(explain_error)?;
    Ok(request)
}

/// The report document of `request` on `backend`, with the task's summary matrix.
pub fn explain_document(
    backend: &dyn Backend,
    info: whylm_report::ModelInfo,
    args: &ExplainArgs,
    request: &ExplainRequest,
    progress: &mut Progress,
) -> Result<whylm_report::ReportDoc> {
    let model = ExplainModel { backend, info };
    let mut doc =
        whylm_explain::explain(&model, request, &mut |event| show(progress, event)).map_err(explain_error)?;
    if let Some(note) = args.attention.missing_note(&doc).filter(|_| !args.quiet) {
        eprintln!("note: {note}");
    }
    let task = args.summarise.task;
    doc.task = task.name().to_string();
    if task == Task::Summarise {
        // the source units are the sentences when they were explained, else the first level asked for
        let source = if request.levels.contains(&Level::Sentence) {
            Level::Sentence
        } else {
            request.levels.first().copied().unwrap_or(Level::Sentence)
        };
        doc.summary = whylm_explain::summary_matrix(&doc, source.name());
    }
    Ok(doc)
}

/// What the model reads, as the explain request takes it.
struct ExplainedInput {
    prompt: String,
    segments: Vec<Segment>,
    chat: Option<ChatInput>,
    special_tokens_in_text: bool,
    target: Option<String>,
}

/// The input of `args`: a conversation (--chat, --user), a document to summarise, or a prompt.
fn explained_input(args: &ExplainArgs) -> Result<ExplainedInput> {
    let mut input = ExplainedInput {
        prompt: String::new(),
        segments: Vec::new(),
        chat: None,
        special_tokens_in_text: false,
        target: args.target.clone(),
    };
    let around = !args.prefix.is_empty() || !args.suffix.is_empty();
    if around && (args.chat.given() || args.summarise.task == Task::Summarise) {
        return Err(user_error(
            "--prefix and --suffix do not go with --chat, --user or --task summarise",
            "the chat template (or the instruction) writes the text around the input; see it with `whylm template`",
        ));
    }
    if args.chat.given() {
        if args.summarise.task == Task::Summarise {
            return Err(user_error(
                "--task summarise takes a document (--prompt-file or --prompt), not a conversation",
                "pass the document to summarise with --prompt-file FILE",
            ));
        }
        let (chat, target) = chat_input(
            &args.chat,
            &args.turns,
            args.model.as_deref(),
            args.target.clone(),
        )?;
        input.chat = Some(chat);
        input.target = target;
        return Ok(input);
    }
    let prompt = args.prompt.read()?;
    require_non_empty(&prompt)?;
    if args.context.given() {
        if args.summarise.task == Task::Summarise {
            return Err(user_error(
                "--task summarise takes one document (--prompt-file), not --context-file documents",
                "drop --context-file/--context-json, or summarise one document at a time",
            ));
        }
        let documents = args.context.documents()?;
        let (segments, in_text) = context_input(&documents, &prompt, &args.chat, args.model.as_deref())?;
        input.segments = segments;
        input.special_tokens_in_text = in_text;
    } else if args.summarise.task == Task::Summarise {
        let (segments, in_text) = summary_input(&args.summarise, &args.chat, args.model.as_deref(), &prompt)?;
        input.segments = segments;
        input.special_tokens_in_text = in_text;
    } else {
        input.prompt = prompt;
    }
    Ok(input)
}

/// The levels asked for, or the task's default: words for an explanation, sentences for a summary.
fn levels_for(asked: &[Level], task: Task) -> Vec<Level> {
    match (asked.is_empty(), task) {
        (true, Task::Summarise) => vec![Level::Sentence],
        (true, Task::Explain) => vec![Level::Word],
        (false, _) => unique_levels(asked),
    }
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
            (
                defaults.masker,
                defaults.score,
                defaults.method,
                defaults.level.clone()
            ),
            (
                MaskerSpec::Delete,
                ScoreSpec::LogProb,
                MethodChoice::Auto,
                Vec::<Level>::new()
            )
        );
        assert_eq!(levels_for(&defaults.level, Task::Explain), [Level::Word]);
        assert_eq!(levels_for(&defaults.level, Task::Summarise), [Level::Sentence]);
        let summarise = parse(&["--task", "summarize", "--level", "token"]).unwrap();
        assert_eq!(summarise.summarise.task, Task::Summarise);
        assert_eq!(levels_for(&summarise.level, Task::Summarise), [Level::Token]);
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
