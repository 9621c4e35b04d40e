//! Refinement against a flat word-level explanation at the same budget, on stories260K with the ~400-token
//! stories of longctx_stories.txt split into paragraphs (a blank line after every fifth sentence): for each story
//! and budget, `--level paragraph,sentence,word --refine 2` and `--level word` (auto) both at B evaluations, and
//! a high-budget word-level reference (kernel); does each run's top word (by |value| summed over the target) match
//! the reference's and the other run's (the same word at the same byte offset), and what does each cost
//! (evaluations, wall time)?
//!
//! `cargo run --release -p whylm-explain --example refine_stories -- [--budgets 256,512] [--reference 4096]`

use std::path::Path;
use std::time::Instant;

use whylm_backend::Backend;
use whylm_explain::text_units::TextUnits;
use whylm_explain::{
    explain_levels, ExplainModel, ExplainRequest, Explanation, GenerationOptions, Level, MethodChoice,
};
use whylm_shapley::Method;

const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/models/stories260K/stories260K.gguf"
);
const STORIES: &str = include_str!("longctx_stories.txt");
const SENTENCES_PER_PARAGRAPH: usize = 5;

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

/// `--budgets A,B` and `--reference N`.
fn options() -> (Vec<usize>, usize) {
    let mut budgets = vec![256, 512];
    let mut reference = 4096;
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_default();
        let number = |text: &str| -> usize {
            text.parse()
                .unwrap_or_else(|_| fail(format!("{} needs numbers, got {value:?}", pair[0])))
        };
        match pair[0].as_str() {
            "--budgets" => budgets = value.split(',').map(number).collect(),
            "--reference" => reference = number(&value),
            other => fail(format!(
                "unknown option {other}; use --budgets A,B,... or --reference N"
            )),
        }
    }
    (budgets, reference)
}

/// The story with a blank line after every fifth sentence (the space that followed it dropped).
fn in_paragraphs(story: &str) -> String {
    let units = TextUnits::of(story);
    let mut out = String::new();
    for (i, &(start, end)) in units.sentences.iter().enumerate() {
        let sentence = &story[start..end];
        let sentence = if out.ends_with("\n\n") {
            sentence.trim_start()
        } else {
            sentence
        };
        out.push_str(sentence);
        if (i + 1) % SENTENCES_PER_PARAGRAPH == 0 && i + 1 < units.sentences.len() {
            out.push_str("\n\n");
        }
    }
    out
}

fn request(
    story: &str,
    suffix: &str,
    levels: Vec<Level>,
    method: MethodChoice,
    budget: usize,
) -> ExplainRequest {
    ExplainRequest {
        prompt: story.to_string(),
        suffix: suffix.to_string(),
        generation: GenerationOptions {
            max_new_tokens: 8,
            ..GenerationOptions::default()
        },
        levels,
        method,
        max_evals: Some(budget),
        batch_size: Some(1),
        ..ExplainRequest::default()
    }
}

/// The finest level's word with the largest |value| over the whole target: (byte span, text).
fn top_word(e: &Explanation) -> Option<((usize, usize), String)> {
    let level = e.levels.last()?;
    let value = |i: usize| -> f64 { level.explanation.phi[i].iter().sum::<f64>().abs() };
    (0..level.features.len())
        .filter(|&i| level.features[i].level == Level::Word)
        .max_by(|&a, &b| value(a).total_cmp(&value(b)))
        .map(|i| {
            let f = &level.features[i];
            ((f.start, f.end), f.text.clone())
        })
}

/// Explains and returns (top word, evaluations, seconds).
fn run(model: &ExplainModel<'_>, r: &ExplainRequest) -> (((usize, usize), String), usize, f64) {
    let started = Instant::now();
    let e = explain_levels(model, r, &mut |_| {}).unwrap_or_else(|e| fail(format!("explain failed: {e}")));
    let seconds = started.elapsed().as_secs_f64();
    let evaluations = e.levels.iter().map(|l| l.explanation.evaluations).sum();
    let top = top_word(&e).unwrap_or_else(|| fail("no word feature".into()));
    (top, evaluations, seconds)
}

fn main() {
    let (budgets, reference_budget) = options();
    let loaded = whylm_model::load(Path::new(MODEL)).unwrap_or_else(|e| fail(format!("{MODEL}: {e}")));
    let backend = loaded.backend();
    let model = ExplainModel {
        backend: &backend as &dyn Backend,
        info: Default::default(),
    };
    println!("| story | budget | run | top word | = reference | = flat | evaluations | seconds |");
    println!("|---:|---:|---|---|:-:|:-:|---:|---:|");
    let stories: Vec<(&str, &str)> = STORIES.lines().filter_map(|l| l.split_once('\t')).collect();
    for (s, (story, suffix)) in stories.into_iter().enumerate() {
        let story = in_paragraphs(story);
        let words = vec![Level::Word];
        let kernel = MethodChoice::Fixed(Method::Kernel);
        let reference = run(
            &model,
            &request(&story, suffix, words.clone(), kernel, reference_budget),
        );
        println!(
            "| {s} | {reference_budget} | reference (word, kernel) | {:?} at byte {} | | | {} | {:.1} |",
            reference.0 .1, reference.0 .0 .0, reference.1, reference.2
        );
        for &budget in &budgets {
            let flat = run(
                &model,
                &request(&story, suffix, words.clone(), MethodChoice::Auto, budget),
            );
            let levels = vec![Level::Paragraph, Level::Sentence, Level::Word];
            let mut refined_request = request(&story, suffix, levels, MethodChoice::Auto, budget);
            refined_request.refine = Some(2);
            let refined = run(&model, &refined_request);
            for (name, result) in [("flat word (auto)", &flat), ("refine 2 (auto)", &refined)] {
                let yes = |same: bool| if same { "yes" } else { "no" };
                println!(
                    "| {s} | {budget} | {name} | {:?} at byte {} | {} | {} | {} | {:.1} |",
                    result.0 .1,
                    result.0 .0 .0,
                    yes(result.0 .0 == reference.0 .0),
                    yes(result.0 .0 == flat.0 .0),
                    result.1,
                    result.2
                );
            }
        }
    }
}
