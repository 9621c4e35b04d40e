//! Attention beside Shapley (issue 14), measured on the built-in model and stories260K:
//! (a) on held-out key-value prompts, how often the queried colour and its value word are the strongest positive
//!     interaction pair among the top features;
//! (b) over held-out recall prompts and stories260K's golden prompts, how often each attention view's top feature
//!     is the planted source / the Shapley top feature, and its mean Spearman correlation with the Shapley values.
//!
//! cargo run -p whylm-toy --example attention_agreement -- [--kv-prompts 100] [--recall-prompts 200] [--top 5]
//!     [--seed 3000024] [--stories PATH]

#[path = "common/args.rs"]
mod args;
#[path = "attention/interaction_rate.rs"]
mod interaction_rate;
#[path = "attention/tally.rs"]
mod tally;

use std::path::PathBuf;
use std::time::Instant;

use whylm_explain::{explain, ExplainModel, ExplainRequest, Level, MaskerSpec, ScoreSpec};
use whylm_model::LoadedModel;
use whylm_toy::held_out::TrainingPrompts;
use whylm_toy::{default_model, default_training_record, Example, TaskKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let loaded = default_model()?;
    let record = default_training_record()?;
    let training = TrainingPrompts::of(&record.settings);
    let seed: u64 = args::value(&args, "--seed").unwrap_or(record.settings.seed + 3_000_017);
    let kv: usize = args::value(&args, "--kv-prompts").unwrap_or(100);
    let recall: usize = args::value(&args, "--recall-prompts").unwrap_or(200);
    let top: usize = args::value(&args, "--top").unwrap_or(5);

    let started = Instant::now();
    if kv > 0 {
        let prompts = training.held_out(seed + 1, kv, Some(TaskKind::Recall))?;
        interaction_rate::measure(&loaded, &prompts, top)?.print(top);
        println!("  ({:.0} s)", started.elapsed().as_secs_f64());
    }
    if recall > 0 {
        let started = Instant::now();
        let prompts = training.held_out(seed, recall, Some(TaskKind::Recall))?;
        let tallies = recall_agreement(&loaded, &prompts)?;
        println!(
            "(b) attention views on {} held-out recall prompts (seed {seed}; word level, the query a fixed suffix):",
            tallies.prompts
        );
        tallies.print(true);
        println!("  ({:.0} s)", started.elapsed().as_secs_f64());
    }
    let stories = args::value::<PathBuf>(&args, "--stories").unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models/stories260K/stories260K.gguf")
    });
    let golden = stories.with_file_name("../../golden/shap_stories260K.json");
    if stories.exists() {
        let tallies = stories_agreement(&whylm_model::load(&stories)?, &golden)?;
        println!(
            "(b) attention views on stories260K's {} golden prompts (token level, shap masker, logodds):",
            tallies.prompts
        );
        tallies.print(false);
    }
    Ok(())
}

/// The explanation of one recall prompt with attention: the context words are the features, the query a fixed
/// suffix (as the ground-truth example does, so that the answer's sources are among the features).
fn recall_agreement(
    loaded: &LoadedModel,
    prompts: &[Example],
) -> Result<tally::Tallies, Box<dyn std::error::Error>> {
    let m = model(loaded);
    let mut tallies = tally::Tallies::default();
    for ex in prompts {
        let words = ex.words();
        let query_start = ex.cue.first().map_or(words.len(), |c| c.saturating_sub(1));
        let request = ExplainRequest {
            prompt: words[..query_start].join(" "),
            suffix: format!(" {}", words[query_start..].join(" ")),
            target: Some(ex.answer.clone()),
            attention: true,
            ..Default::default()
        };
        let doc = explain(&m, &request, &mut |_| {})?;
        let level = doc.levels.first().ok_or("no level")?;
        let attention = doc.attention.as_ref().ok_or("no attention")?;
        let spans = ex.word_spans();
        let is_source = |f: usize| {
            let start = level.features[f].start;
            spans
                .iter()
                .position(|s| s.0 == start)
                .is_some_and(|w| ex.sources.contains(&w))
        };
        tallies.add(level, attention, &is_source);
    }
    Ok(tallies)
}

/// The golden prompts of stories260K, explained as shap did (token level, shap masker, log-odds) with attention.
fn stories_agreement(
    loaded: &LoadedModel,
    golden: &std::path::Path,
) -> Result<tally::Tallies, Box<dyn std::error::Error>> {
    let text =
        std::fs::read_to_string(golden).map_err(|e| format!("cannot read {}: {e}", golden.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    let cases = json.as_array().ok_or("the golden file is not a list of cases")?;
    let m = model(loaded);
    let mut tallies = tally::Tallies::default();
    for case in cases {
        let request = ExplainRequest {
            prompt: case["prompt"].as_str().ok_or("a case has no prompt")?.to_string(),
            target: Some(case["target"].as_str().ok_or("a case has no target")?.to_string()),
            levels: vec![Level::Token],
            masker: "shap".parse::<MaskerSpec>()?,
            score: ScoreSpec::LogOdds,
            attention: true,
            ..Default::default()
        };
        let doc = explain(&m, &request, &mut |_| {})?;
        let level = doc.levels.first().ok_or("no level")?;
        tallies.add(level, doc.attention.as_ref().ok_or("no attention")?, &|_| false);
    }
    Ok(tallies)
}

fn model(loaded: &LoadedModel) -> ExplainModel<'_> {
    ExplainModel {
        backend: loaded,
        info: whylm_report::ModelInfo::default(),
    }
}
