//! Issue 19's measurement: on stories260K with three ~20-sentence stories (longctx_stories.txt, one per line,
//! each well inside the model's 512 positions with its target; after a tab, the start of a last sentence, kept
//! as a fixed suffix, so that the model continues the story rather than ending it), sentence level, the greedy
//! continuation as the target (logprob): the linear datamodeling score (LDS, over fresh keep-1/2 ablations) and the top-1 / top-3
//! removal drops of every method at each budget, averaged over stories and seeds; then whylm's wall time per
//! evaluation on these rows against its own single-row forward (`--seeds 0` measures only that).
//!
//! `cargo run --release -p whylm-explain --example longctx_lds -- [--seeds 2] [--lds 200] [--budgets 32,64,128,256]`
//!
//! The ablation rows of the LDS are the same for every method at a seed, so they are scored once (a score cache
//! in a temporary file); the timing runs score without it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use whylm_backend::{Backend, CachedBackend, MaskedRow, ScoreFile, ScoreKind};
use whylm_explain::faithfulness::{level_faithfulness, FaithfulnessSettings};
use whylm_explain::{explain_levels, ExplainModel, ExplainRequest, GenerationOptions, Level, MethodChoice};
use whylm_shapley::Method;

const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/models/stories260K/stories260K.gguf"
);
const STORIES: &str = include_str!("longctx_stories.txt");

/// Every method that can run on 20 features below 2^20 evaluations (exact cannot).
const METHODS: [Method; 8] = [
    Method::Kernel,
    Method::GaussianProcess,
    Method::Permutation,
    Method::RegressionMc,
    Method::Partition,
    Method::LeaveOneOut,
    Method::Banzhaf,
    Method::ContextCite,
];

struct Options {
    seeds: u64,
    lds: usize,
    budgets: Vec<usize>,
    /// Indices into METHODS of the methods to run.
    methods: Vec<usize>,
    /// Skip the wall-time measurement.
    no_timing: bool,
}

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

fn options() -> Options {
    let mut o = Options {
        seeds: 2,
        lds: 200,
        budgets: vec![32, 64, 128, 256],
        methods: (0..METHODS.len()).collect(),
        no_timing: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_default();
        let number = |text: &str| -> usize {
            text.parse()
                .unwrap_or_else(|_| fail(format!("{} needs numbers, got {value:?}", pair[0])))
        };
        match pair[0].as_str() {
            "--seeds" => o.seeds = number(&value) as u64,
            "--lds" => o.lds = number(&value),
            "--budgets" => o.budgets = value.split(',').map(number).collect(),
            "--methods" => {
                o.methods = value
                    .split(',')
                    .map(|name| {
                        METHODS
                            .iter()
                            .position(|m| m.to_string() == name)
                            .unwrap_or_else(|| fail(format!("unknown method {name:?} for --methods")))
                    })
                    .collect()
            }
            "--timing" => o.no_timing = value == "off",
            other => fail(format!(
                "unknown option {other}; use --seeds N, --lds N, --budgets A,B,..., --methods M,..., --timing on|off"
            )),
        }
    }
    o
}

/// The stories as (prompt, suffix).
fn stories() -> Vec<(&'static str, &'static str)> {
    STORIES.lines().filter_map(|line| line.split_once('\t')).collect()
}

fn request((story, suffix): (&str, &str), method: Method, budget: usize, seed: u64) -> ExplainRequest {
    ExplainRequest {
        prompt: story.to_string(),
        suffix: suffix.to_string(),
        generation: GenerationOptions {
            max_new_tokens: 8,
            ..GenerationOptions::default()
        },
        levels: vec![Level::Sentence],
        method: MethodChoice::Fixed(method),
        max_evals: Some(budget),
        // one row per forward: faster per evaluation than the default batch on these rows (see `timing`)
        batch_size: Some(1),
        seed,
        ..ExplainRequest::default()
    }
}

/// Sums of (LDS, top-1 drop, top-3 drop) and their count, per (method, budget); refusals by message.
#[derive(Default)]
struct Table {
    sums: BTreeMap<(usize, usize), [f64; 4]>,
    refused: BTreeMap<(usize, usize), String>,
}

fn measure(backend: &dyn Backend, o: &Options, table: &mut Table) {
    let model = ExplainModel {
        backend,
        info: Default::default(),
    };
    for (s, &story) in stories().iter().enumerate() {
        for seed in 0..o.seeds {
            for &budget in &o.budgets {
                for (m, &method) in METHODS.iter().enumerate().filter(|(m, _)| o.methods.contains(m)) {
                    let key = (m, budget);
                    let r = request(story, method, budget, seed);
                    let explained = match explain_levels(&model, &r, &mut |_| {}) {
                        Ok(e) => e,
                        Err(e) => {
                            table.refused.insert(key, e.to_string());
                            continue;
                        }
                    };
                    let settings = FaithfulnessSettings {
                        lds_samples: o.lds,
                        seed: 1000 + seed,
                        batch_size: 1,
                        ..FaithfulnessSettings::default()
                    };
                    let f = level_faithfulness(&model, &explained.prepared, &explained.levels[0], &settings)
                        .unwrap_or_else(|e| fail(format!("faithfulness failed: {e}")));
                    let lds = f.lds.and_then(|l| l.spearman).unwrap_or(0.0);
                    let drop = |k: usize| f.drops.iter().find(|d| d.k == k).map_or(0.0, |d| d.total);
                    let entry = table.sums.entry(key).or_default();
                    for (slot, v) in entry.iter_mut().zip([lds, drop(1), drop(3), 1.0]) {
                        *slot += v;
                    }
                    eprintln!(
                        "story {s} seed {seed} {method} {budget}: {} features, LDS {lds:.3}",
                        explained.levels[0].features.len()
                    );
                }
            }
        }
    }
}

fn print_table(o: &Options, table: &Table) {
    println!("| method | evaluations | LDS | top-1 drop | top-3 drop |");
    println!("|---|---:|---:|---:|---:|");
    for (m, method) in METHODS.iter().enumerate() {
        for &budget in &o.budgets {
            match (table.sums.get(&(m, budget)), table.refused.get(&(m, budget))) {
                (Some([lds, d1, d3, count]), _) => println!(
                    "| {method} | {budget} | {:.3} | {:.3} | {:.3} |",
                    lds / count,
                    d1 / count,
                    d3 / count
                ),
                (None, Some(why)) => println!("| {method} | {budget} | refused: {why} | | |"),
                (None, None) => {}
            }
        }
    }
    let mean_lds = |m: usize, b: usize| table.sums.get(&(m, b)).map(|s| s[0] / s[3]);
    let (banzhaf, contextcite) = (6, 7);
    for &budget in &o.budgets {
        if let (Some(b), Some(c)) = (mean_lds(banzhaf, budget), mean_lds(contextcite, budget)) {
            let verdict = if b > c { "beats" } else { "does NOT beat" };
            println!("at {budget} evaluations banzhaf ({b:.3}) {verdict} contextcite ({c:.3}) on LDS");
        }
    }
}

/// Seconds per evaluation of a banzhaf explanation at 256 evaluations of the first story (default batch and
/// batch size 1, best of 3), against one forward of the full prompt scored alone: from an empty prefix cache
/// (block by block, as whylm scores a lone row), in one pass (prefix sharing off), and with the whole prompt
/// already cached (only the target slots run: what this example reported before; no forward of the row).
fn timing(backend: &dyn Backend, model: &whylm_model::Model) {
    let explain_model = ExplainModel {
        backend,
        info: Default::default(),
    };
    let story = stories()[0];
    let mut per_eval = Vec::new();
    let mut row = None;
    for batch in [None, Some(1)] {
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let mut r = request(story, Method::Banzhaf, 256, 0);
            r.batch_size = batch; // None: the backend's hint
            model.clear_prefix_cache();
            let start = Instant::now();
            let e = explain_levels(&explain_model, &r, &mut |_| {}).unwrap_or_else(|e| fail(e.to_string()));
            let evals = e.levels[0].explanation.evaluations;
            best = best.min(start.elapsed().as_secs_f64() / evals as f64);
            row = Some((e.prepared.encoding.ids.clone(), e.prepared.target_ids.clone()));
        }
        per_eval.push(best);
    }
    let Some((ids, target)) = row else { return };
    let full = [MaskedRow::full(&ids)];
    let single = |model: &whylm_model::Model, clear: bool| {
        let repeats = 20;
        let mut best = f64::INFINITY;
        for _ in 0..repeats {
            if clear {
                model.clear_prefix_cache();
            }
            let start = Instant::now();
            model
                .score_rows(&full, &target, &ScoreKind::LogProb)
                .unwrap_or_else(|e| fail(e.to_string()));
            best = best.min(start.elapsed().as_secs_f64());
        }
        best
    };
    let cold = single(model, true);
    let warm = single(model, false);
    let mut one_pass_model = model.clone();
    one_pass_model.set_prefix_sharing(false);
    let one_pass = single(&one_pass_model, false);
    let forward = cold.min(one_pass);
    println!(
        "story 0: {} prompt tokens + {} target tokens; single-row forward (best of 20) {:.2} ms from an empty \
         prefix cache, {:.2} ms in one pass, {:.2} ms with the prompt cached (target slots only)",
        ids.len(),
        target.len(),
        cold * 1e3,
        one_pass * 1e3,
        warm * 1e3
    );
    println!(
        "banzhaf, 256 evaluations (best of 3): {:.2} ms per evaluation with the default batch ({:.2}x the faster \
         single-row forward), {:.2} ms with --batch-size 1 ({:.2}x)",
        per_eval[0] * 1e3,
        per_eval[0] / forward,
        per_eval[1] * 1e3,
        per_eval[1] / forward
    );
}

fn main() {
    let o = options();
    let loaded = whylm_model::load(&PathBuf::from(MODEL))
        .unwrap_or_else(|e| fail(format!("cannot load {MODEL}: {e}")));
    let backend = loaded.backend();
    if !o.no_timing {
        timing(&backend, &loaded.model);
    }
    let path = std::env::temp_dir().join(format!("whylm-longctx-{}.scores", std::process::id()));
    let file =
        ScoreFile::open(&path).unwrap_or_else(|e| fail(format!("cannot open {}: {e}", path.display())));
    let cached = CachedBackend::new(&backend, file);
    let mut table = Table::default();
    let start = Instant::now();
    measure(&cached, &o, &mut table);
    let _ = std::fs::remove_file(&path);
    print_table(&o, &table);
    println!("measured in {:.0} s", start.elapsed().as_secs_f64());
}
