//! Tabulates held-out language-model games for the estimator accuracy benchmark: every coalition
//! of new prompts, scored exactly as the golden shap games are (stories260K, token features, shap's
//! Text masker "..." with collapse, log-odds of each target token).
//!
//! `cargo run --release -p whylm-explain --example lm_games -- --out lm_games.json`
//! then `cargo run --release -p whylm-shapley --example accuracy -- --games lm_games.json`.
//!
//! Why: the golden games are only three, so an estimator setting chosen on them would be judged on
//! the games it was tuned on. These prompts are not in the golden file; tune on them (and on random
//! games with `--seed-offset`), then report the golden table unchanged.

use std::path::PathBuf;
use std::time::Instant;

use serde_json::json;
use whylm_explain::{GameMasker, LanguageModelGame, Level, ShapTextMasker, TokenLayout};
use whylm_model::{load_hf_model, Device, ScoreKind};
use whylm_shapley::{Coalition, Game};
use whylm_tokenize::Tokenizer;

const MODEL_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/models/stories260K-hf"
);

/// TinyStories-style prompts and continuations, none of them in the golden file.
const CASES: [(&str, &str); 8] = [
    ("Ben found a shiny rock.", " He showed it to his mom."),
    ("The dog ran to the park to play.", " He was happy."),
    ("Mom gave Lily a big hug.", " Lily smiled."),
    ("The sun was hot, so they went", " to the beach."),
    ("Tim wanted to fly his kite.", " But there was no wind."),
    ("Sue had a little cat.", " The cat was soft."),
    ("The bird sang in the tree.", " It was a pretty song."),
    ("Max was sad, so his dad", " gave him a toy."),
];

/// 2^15 coalitions take under a minute on 2 cores; larger prompts are skipped.
const MAX_FEATURES: usize = 15;

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

fn out_path() -> PathBuf {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next(), args.next()) {
        (Some("--out"), Some(path), None) => PathBuf::from(path),
        (None, _, _) => PathBuf::from("lm_games.json"),
        _ => fail("usage: lm_games [--out FILE] (default lm_games.json)".into()),
    }
}

fn main() {
    let out = out_path();
    let dir = PathBuf::from(MODEL_DIR);
    let model = load_hf_model(&dir, &Device::Cpu)
        .unwrap_or_else(|e| fail(format!("cannot load {}: {e}", dir.display())));
    let tokenizer = Tokenizer::from_hf_dir(&dir)
        .unwrap_or_else(|e| fail(format!("cannot load the tokenizer of {}: {e}", dir.display())));
    let backend = whylm_model::Embedded::new(&model, &tokenizer);
    let mut games = Vec::new();
    for (prompt, target) in CASES {
        let start = Instant::now();
        let encoding = tokenizer
            .encode(prompt, true)
            .unwrap_or_else(|e| fail(format!("cannot tokenize {prompt:?}: {e}")));
        let layout = TokenLayout::new(prompt, (0, prompt.len()), &encoding.spans, &encoding.special);
        let features = layout.features(Level::Token);
        let n = features.len();
        if n > MAX_FEATURES {
            eprintln!("skipping {prompt:?}: {n} features (at most {MAX_FEATURES})");
            continue;
        }
        let masker = ShapTextMasker::new(
            prompt,
            &encoding.spans,
            &encoding.special,
            encoding.special.clone(),
            "...",
            true,
        );
        let target_ids = tokenizer
            .encode(target, false)
            .unwrap_or_else(|e| fail(format!("cannot tokenize {target:?}: {e}")))
            .ids;
        let mut game = LanguageModelGame::new(
            &backend,
            encoding.ids.clone(),
            features.iter().map(|f| f.tokens.clone()).collect(),
            target_ids,
            ScoreKind::LogOdds,
            GameMasker::Shap(masker),
        )
        .unwrap_or_else(|e| fail(format!("cannot build the game of {prompt:?}: {e}")));
        let t = game.num_outputs();
        let coalitions: Vec<Coalition> = (0..1u64 << n).map(|m| Coalition::from_mask(n, m)).collect();
        let mut rows: Vec<Vec<f64>> = Vec::with_capacity(coalitions.len());
        for batch in coalitions.chunks(512) {
            let values = game
                .evaluate(batch)
                .unwrap_or_else(|e| fail(format!("evaluation of {prompt:?} failed: {e}")));
            rows.extend(values.chunks(t).map(<[f64]>::to_vec));
        }
        println!(
            "{prompt:?} -> {target:?}: {n} features, {t} target tokens, {} coalitions in {:.1} s",
            rows.len(),
            start.elapsed().as_secs_f64()
        );
        games.push(json!({ "prompt": prompt, "target": target, "values_by_bitmask": rows }));
    }
    let text = serde_json::to_string(&games).unwrap_or_else(|e| fail(format!("cannot serialise: {e}")));
    std::fs::write(&out, text).unwrap_or_else(|e| fail(format!("cannot write {}: {e}", out.display())));
    println!("wrote {} games to {}", games.len(), out.display());
}
