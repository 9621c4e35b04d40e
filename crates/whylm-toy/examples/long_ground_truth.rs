//! Ground truth at length: on held-out long recall prompts of the long built-in model (1,000 tokens or more, 60-100
//! facts among distractor sentences), how often the top sentence is the planted fact (sentence level, default
//! method, `--evals` evaluations), and how often `--level sentence,word --refine 2` with `--extra` more evaluations
//! puts the fact's value word among the top 3 words.
//!
//! cargo run --release -p whylm-toy --example long_ground_truth -- --seed S --prompts N [--evals 256] [--extra 128]
//!     [--min-tokens 1000] [--no-refine] [--batch-size B] [--assets DIR] [--from K]
//! `--print-prompt` prints the first prompt's context on stdout and its query and answer on stderr, and stops (for
//! measuring one explanation with the CLI: `whylm explain --model builtin:long --suffix QUERY ...`).

#[path = "common/args.rs"]
mod args;
#[path = "common/long_request.rs"]
mod long_request;

use long_request::long_request;
use std::time::Instant;
use whylm_explain::{explain, ExplainModel, ExplainRequest, Level};
use whylm_report::{LevelExplanation, ReportDoc};
use whylm_toy::held_out::TrainingPrompts;
use whylm_toy::long::{long_held_out, prompt_tokens};
use whylm_toy::{long_model, long_training_record, Example, TrainingRecord};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    // `--assets DIR` measures a model written by the train example before it replaces the embedded one
    let assets: Option<std::path::PathBuf> = args::value(&args, "--assets");
    let record: TrainingRecord = match &assets {
        Some(dir) => serde_json::from_str(&std::fs::read_to_string(dir.join("training.json"))?)?,
        None => long_training_record()?,
    };
    let seed: u64 = args::value(&args, "--seed").unwrap_or(record.settings.seed + 5_000_011);
    let n: usize = args::value(&args, "--prompts").unwrap_or(100);
    let evals: usize = args::value(&args, "--evals").unwrap_or(256);
    let extra: usize = args::value(&args, "--extra").unwrap_or(128);
    let min_tokens: usize = args::value(&args, "--min-tokens").unwrap_or(1000);
    let batch_size: Option<usize> = args::value(&args, "--batch-size");
    let refine = !args.iter().any(|a| a == "--no-refine");

    let loaded = match &assets {
        Some(dir) => whylm_model::load(dir)?,
        None => long_model()?,
    };
    let model = ExplainModel {
        backend: &loaded,
        info: whylm_report::ModelInfo {
            name: "whylm-toy long (built-in)".into(),
            architecture: "llama".into(),
            ..Default::default()
        },
    };
    let training = TrainingPrompts::of(&record.settings);
    // `--from K` skips the first K prompts of the seed's sequence (to split one run over several processes)
    let from: usize = args::value(&args, "--from").unwrap_or(0);
    let prompts = long_held_out(&training, seed, from + n, min_tokens)?.split_off(from);
    if args.iter().any(|a| a == "--print-prompt") {
        return print_prompt(prompts.first().ok_or("--prompts is 0")?);
    }
    let mean_tokens = prompts.iter().map(prompt_tokens).sum::<usize>() as f64 / n.max(1) as f64;
    println!(
        "held-out long prompts: {n} (seed {seed}), {mean_tokens:.0} tokens on average, at least {min_tokens}"
    );

    let (mut sentence_hits, mut word_hits, mut word_hits_any) = (0, 0, 0);
    let (mut sentence_seconds, mut refine_seconds, mut refine_evals) = (0.0, 0.0, 0);
    for (i, ex) in prompts.iter().enumerate() {
        let (sentence_hit, sentences, seconds) = sentence_check(&model, ex, evals, batch_size)?;
        sentence_hits += usize::from(sentence_hit);
        sentence_seconds += seconds;
        let mut word_hit = None;
        if refine {
            let words = word_check(&model, ex, evals + extra, batch_size)?;
            word_hits += usize::from(words.hit);
            word_hits_any += usize::from(words.hit_any);
            refine_evals += words.evaluations;
            refine_seconds += words.seconds;
            word_hit = Some(words.hit);
        }
        eprintln!(
            "prompt {:3}: {} tokens, {sentences} sentences, top sentence is the fact: {sentence_hit}, value word in \
             top 3: {word_hit:?}",
            from + i + 1,
            prompt_tokens(ex),
        );
    }
    let n = n.max(1) as f64;
    println!(
        "top sentence is the planted fact (sentence level, {evals} evaluations): {:.3}  ({:.2} s per explanation)",
        sentence_hits as f64 / n,
        sentence_seconds / n
    );
    if refine {
        println!(
            "value word among the top 3 words (--level sentence,word --refine 2, {} evaluations): {:.3}  \
             (among the top 3 features of any kind: {:.3}; {:.0} evaluations and {:.2} s per explanation)",
            evals + extra,
            word_hits as f64 / n,
            word_hits_any as f64 / n,
            refine_evals as f64 / n,
            refine_seconds / n
        );
    }
    Ok(())
}

/// The prompt's context on stdout, its size, query and answer on stderr.
fn print_prompt(ex: &Example) -> Result<(), Box<dyn std::error::Error>> {
    let words = ex.words();
    let query_start = ex.cue[0] - 1;
    println!("{}", words[..query_start].join(" "));
    eprintln!(
        "{} tokens; query: \" {}\"; answer: {}",
        prompt_tokens(ex),
        words[query_start..].join(" "),
        ex.answer
    );
    Ok(())
}

/// Sentence level: whether the top sentence is the planted fact, how many sentences, the seconds it took.
fn sentence_check(
    model: &ExplainModel<'_>,
    ex: &Example,
    evals: usize,
    batch_size: Option<usize>,
) -> Result<(bool, usize, f64), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let request = request(ex, vec![Level::Sentence], None, evals, batch_size);
    let doc = explain(model, &request, &mut |_| {})?;
    let seconds = started.elapsed().as_secs_f64();
    let sentences = level(&doc, "sentence")?;
    let fact = word_span(ex, ex.sources[0]);
    let top = ranked(sentences, |_| true)
        .first()
        .map(|&f| &sentences.features[f]);
    let hit = top.is_some_and(|f| f.start <= fact.0 && fact.0 < f.end);
    Ok((hit, sentences.features.len(), seconds))
}

/// What `--level sentence,word --refine 2` found for one prompt.
struct WordCheck {
    /// The value word is among the top 3 words (parts of the two split sentences).
    hit: bool,
    /// The stricter reading: among the top 3 features of any kind (whole sentences included).
    hit_any: bool,
    evaluations: usize,
    seconds: f64,
}

fn word_check(
    model: &ExplainModel<'_>,
    ex: &Example,
    evals: usize,
    batch_size: Option<usize>,
) -> Result<WordCheck, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let request = request(ex, vec![Level::Sentence, Level::Word], Some(2), evals, batch_size);
    let doc = explain(model, &request, &mut |_| {})?;
    let seconds = started.elapsed().as_secs_f64();
    let words = level(&doc, "word")?;
    let split = words
        .refinement
        .as_ref()
        .map(|r| r.split.clone())
        .unwrap_or_default();
    let value = word_span(ex, ex.sources[2]);
    let is_value = |f: usize| words.features[f].start <= value.0 && value.0 < words.features[f].end;
    let top_words = ranked(words, |f| split.get(f).copied().unwrap_or(false));
    Ok(WordCheck {
        hit: top_words.iter().take(3).any(|&f| is_value(f)),
        hit_any: ranked(words, |_| true).iter().take(3).any(|&f| is_value(f)),
        evaluations: doc.levels.iter().map(|l| l.evaluations).sum(),
        seconds,
    })
}

/// The request for one prompt, with the example's refinement and batch size.
fn request(
    ex: &Example,
    levels: Vec<Level>,
    refine: Option<usize>,
    max_evals: usize,
    batch_size: Option<usize>,
) -> ExplainRequest {
    ExplainRequest {
        refine,
        batch_size,
        ..long_request(ex, levels, max_evals)
    }
}

fn level<'a>(doc: &'a ReportDoc, name: &str) -> Result<&'a LevelExplanation, String> {
    doc.levels
        .iter()
        .find(|l| l.level == name)
        .ok_or_else(|| format!("the explanation has no {name} level"))
}

/// Byte span of word `index` of the prompt.
fn word_span(ex: &Example, index: usize) -> (usize, usize) {
    ex.word_spans()[index]
}

/// The level's features that `keep` accepts, highest value (summed over target tokens) first.
fn ranked(level: &LevelExplanation, keep: impl Fn(usize) -> bool) -> Vec<usize> {
    let value = |f: usize| level.phi[f].iter().sum::<f64>();
    let mut order: Vec<usize> = (0..level.features.len()).filter(|&f| keep(f)).collect();
    order.sort_by(|&a, &b| value(b).total_cmp(&value(a)));
    order
}
