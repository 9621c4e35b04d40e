//! Trains the toy model with whylm-model's forward pass and writes the assets that
//! `whylm_toy::default_model()` embeds.
//!
//! cargo run -p whylm-toy --example train -- --seed 7 --steps 3000 --out crates/whylm-toy/assets
//! (`--tokenizer-only DIR` writes just the tokenizer files.)

#[path = "common/args.rs"]
mod args;

use candle_core::Device;
use std::path::PathBuf;
use std::time::Instant;
use whylm_toy::train::{greedy_accuracy, LossOn};
use whylm_toy::{
    fresh_model, FreshModel, Generator, LanguageSettings, StepReport, ToyShape, TrainSettings, TrainingRecord,
};

/// Seed offset of the held-out prompts printed at the end (any seed other than the training seed works).
const HELD_OUT_SEED_OFFSET: u64 = 1_000_003;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(dir) = args::value::<PathBuf>(&args, "--tokenizer-only") {
        whylm_toy::assets::write_tokenizer_files(&dir, whylm_toy::shape::CONTEXT_LEN)?;
        return Ok(());
    }
    let settings = training_settings(&args);
    let eval_every: usize = args::value(&args, "--eval-every").unwrap_or(250);
    let shape = model_shape(&args);
    let out: Option<PathBuf> = args::value(&args, "--out");

    let device = Device::Cpu;
    let mut fresh = fresh_model(&shape, settings.seed, &device)?;
    if let Some(dir) = args::value::<PathBuf>(&args, "--init-from") {
        // Fine-tuning: start from a trained model of the same shape (the long model starts from the default one,
        // whose lookup heads already work on short prompts).
        fresh.varmap.load(dir.join("model.safetensors"))?;
        eprintln!("initial weights from {}", dir.display());
    }
    if args.iter().any(|a| a == "--probe-only") {
        // Held-out recall accuracy of the initial weights on this language (how far a model already generalises
        // to longer prompts before any training on them).
        let mut probe =
            Generator::with_settings(settings.seed + HELD_OUT_SEED_OFFSET, held_out_language(&settings));
        let examples: Vec<_> = (0..200).map(|_| probe.recall()).collect();
        let words = examples.iter().map(|e| e.words().len()).sum::<usize>() / examples.len();
        let accuracy = greedy_accuracy(&fresh.model, &examples, &device, 8)?;
        println!("held-out recall accuracy {accuracy:.3} on 200 prompts of {words} words on average");
        return Ok(());
    }
    let started = Instant::now();
    let (reports, curve) = train_with_probes(&fresh, &settings, eval_every, &device)?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let held_out_seed = settings.seed + HELD_OUT_SEED_OFFSET;
    let held_out: Vec<_> = Generator::with_settings(held_out_seed, held_out_language(&settings))
        .take(1000)
        .collect();
    let accuracy = greedy_accuracy(
        &fresh.model,
        &held_out,
        &device,
        (6400 / settings.context_len).max(4),
    )?;
    let last = &reports[reports.len().saturating_sub(100)..];
    let record = TrainingRecord {
        command: format!(
            "cargo run -p whylm-toy --example train -- {}",
            args.iter().skip(1).cloned().collect::<Vec<_>>().join(" ")
        ),
        final_loss: reports.last().map(|r| r.loss).unwrap_or(f32::NAN),
        final_loss_last_100: last.iter().map(|r| r.loss).sum::<f32>() / last.len().max(1) as f32,
        held_out_accuracy: accuracy,
        held_out_seed,
        held_out_examples: held_out.len(),
        wall_seconds,
        settings,
    };
    println!(
        "trained {} steps in {wall_seconds:.0}s; final loss {:.4} (last 100: {:.4}); held-out accuracy {accuracy:.4}",
        record.settings.steps, record.final_loss, record.final_loss_last_100
    );
    if let Some(out) = out {
        whylm_toy::assets::write_assets(&out, &fresh, &record, &curve)?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// The training settings, each default replaced by its flag when given.
fn training_settings(args: &[String]) -> TrainSettings {
    let mut settings = TrainSettings::default();
    settings.seed = args::value(args, "--seed").unwrap_or(settings.seed);
    settings.steps = args::value(args, "--steps").unwrap_or(settings.steps);
    settings.batch_size = args::value(args, "--batch").unwrap_or(settings.batch_size);
    settings.learning_rate = args::value(args, "--lr").unwrap_or(settings.learning_rate);
    settings.warmup_steps = args::value(args, "--warmup").unwrap_or(settings.warmup_steps);
    settings.weight_decay = args::value(args, "--wd").unwrap_or(settings.weight_decay);
    settings.language.recall_fraction =
        args::value(args, "--recall-fraction").unwrap_or(settings.language.recall_fraction);
    if let Some(max) = args::value::<usize>(args, "--restated") {
        settings.language.restated_facts = 0..=max;
    }
    settings.language.word_deletion.share =
        args::value(args, "--deletion-share").unwrap_or(settings.language.word_deletion.share);
    settings.language.word_deletion.max_rate =
        args::value(args, "--deletion-max-rate").unwrap_or(settings.language.word_deletion.max_rate);
    if args.iter().any(|a| a == "--answer-loss") {
        settings.loss_on = LossOn::Answer;
    }
    settings.language.long_distractors |= args.iter().any(|a| a == "--long-distractors");
    if let Some(facts) = range(args, "--facts") {
        settings.language.facts = facts;
    }
    if let Some(distractors) = range(args, "--distractors") {
        settings.language.recall_distractors = distractors;
    }
    settings.context_len = args::value(args, "--context").unwrap_or(settings.context_len);
    settings.length_buckets = args::value(args, "--length-buckets").unwrap_or(settings.length_buckets);
    settings
}

/// A `--name A-B` range flag.
fn range(args: &[String], name: &str) -> Option<std::ops::RangeInclusive<usize>> {
    let text: String = args::value(args, name)?;
    let parsed = text
        .split_once('-')
        .and_then(|(a, b)| Some(a.parse().ok()?..=b.parse().ok()?));
    if parsed.is_none() {
        eprintln!("error: {name} needs a range such as 40-100, not {text:?}");
        std::process::exit(2);
    }
    parsed
}

/// The language of the held-out prompts and probes: the default language for the default model (its held-out
/// numbers stay comparable across retrainings), the training language without thinning or restatements for the
/// long model (its prompts only exist in its own language).
fn held_out_language(settings: &TrainSettings) -> LanguageSettings {
    let language = &settings.language;
    if !language.long_distractors {
        return LanguageSettings::default();
    }
    LanguageSettings {
        restated_facts: 0..=0,
        word_deletion: Default::default(),
        ..language.clone()
    }
}

/// The model's size, each default replaced by its flag when given (as many key/value heads as heads).
fn model_shape(args: &[String]) -> ToyShape {
    let mut shape = ToyShape::default();
    shape.hidden_size = args::value(args, "--dim").unwrap_or(shape.hidden_size);
    shape.num_hidden_layers = args::value(args, "--layers").unwrap_or(shape.num_hidden_layers);
    shape.intermediate_size = args::value(args, "--ffn").unwrap_or(shape.intermediate_size);
    shape.num_attention_heads = args::value(args, "--heads").unwrap_or(shape.num_attention_heads);
    shape.num_key_value_heads = shape.num_attention_heads;
    shape.max_position_embeddings = args::value(args, "--context").unwrap_or(shape.max_position_embeddings);
    shape.rope_theta = args::value(args, "--rope-theta").unwrap_or(shape.rope_theta);
    shape
}

/// Trains `fresh`, printing the loss every 100 steps and held-out probe accuracy every `eval_every` steps on
/// stderr; returns the step reports and the loss curve as text.
fn train_with_probes(
    fresh: &FreshModel,
    settings: &TrainSettings,
    eval_every: usize,
    device: &Device,
) -> Result<(Vec<StepReport>, String), Box<dyn std::error::Error>> {
    // Fixed held-out probes per task: the training loss mixes unpredictable words with lookups, and recall
    // accuracy is what shows whether the lookup heads have formed.
    let probe_seed = settings.seed + 2 * HELD_OUT_SEED_OFFSET;
    let mut probe_gen = Generator::with_settings(probe_seed, held_out_language(settings));
    let recall_probe: Vec<_> = (0..200).map(|_| probe_gen.recall()).collect();
    let copy_probe: Vec<_> = (0..100).map(|_| probe_gen.copy()).collect();
    let model = &fresh.model;
    // 100 prompts of a thousand tokens in one batch would hold gigabytes of attention scores.
    let probe_batch = (100 * whylm_toy::shape::CONTEXT_LEN / settings.context_len).max(4);
    let started = Instant::now();
    let mut window: Vec<(f32, f32)> = Vec::new();
    let mut curve = String::new();
    let reports = whylm_toy::train(&fresh.model, &fresh.varmap, settings, device, &mut |r| {
        window.push((r.loss, r.accuracy));
        if window.len() == 100 || r.step + 1 == settings.steps {
            let n = window.len() as f32;
            let loss = window.iter().map(|w| w.0).sum::<f32>() / n;
            let acc = window.iter().map(|w| w.1).sum::<f32>() / n;
            let line = format!(
                "step {:5}  loss {loss:.4}  answer accuracy {acc:.3}\n",
                r.step + 1
            );
            eprintln!("{}  ({:.0}s)", line.trim_end(), started.elapsed().as_secs_f64());
            curve.push_str(&line);
            window.clear();
        }
        if eval_every > 0 && (r.step + 1) % eval_every == 0 {
            let recall = greedy_accuracy(model, &recall_probe, device, probe_batch).unwrap_or(f64::NAN);
            let copy = greedy_accuracy(model, &copy_probe, device, probe_batch).unwrap_or(f64::NAN);
            eprintln!(
                "step {:5}  held-out recall {recall:.3}  copy {copy:.3}  lr {:.2e}",
                r.step + 1,
                r.learning_rate
            );
        }
    })?;
    Ok((reports, curve))
}
