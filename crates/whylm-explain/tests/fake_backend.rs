//! `explain` end to end on a backend without a model: a tokenizer that splits on spaces with exact byte spans
//! and a score that adds a known weight per visible token and target position. That game is additive, so every
//! Shapley (and Owen) value is the summed weight of the feature's tokens, which the tests check for several
//! levels, methods and inputs, with a given and a generated target.

use std::collections::BTreeMap;

use whylm_backend::{
    Backend, BackendError, BackendInfo, Encoding, GenerateSettings, Generation, MaskedRow, ScoreKind,
    StopReason, TextTokenizer,
};
use whylm_explain::{
    explain, ExplainError, ExplainModel, ExplainRequest, Level, MaskerSpec, MethodChoice, Segment,
};
use whylm_report::ReportDoc;
use whylm_shapley::Method;

const BOS: u32 = 0;

/// Every word the tests use; a word's id is its index + 1 (0 is BOS).
const WORDS: [&str; 16] = [
    "Tom", "had", "a", "red", "ball.", "He", "threw", "it,", "and", "the", "dog", "ran.", "<u>", "<a>",
    "Yes", "end",
];

struct SpaceTokenizer {
    ids: BTreeMap<&'static str, u32>,
}

impl SpaceTokenizer {
    fn new() -> Self {
        let ids = WORDS
            .iter()
            .enumerate()
            .map(|(i, w)| (*w, i as u32 + 1))
            .collect();
        SpaceTokenizer { ids }
    }
}

impl TextTokenizer for SpaceTokenizer {
    fn encode(&self, text: &str, add_special: bool) -> Result<Encoding, BackendError> {
        let mut encoding = Encoding::default();
        if add_special {
            encoding.ids.push(BOS);
            encoding.spans.push((0, 0));
            encoding.special.push(true);
        }
        let mut start = None;
        for (pos, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_whitespace(), start) {
                (false, None) => start = Some(pos),
                (true, Some(s)) => {
                    let word = &text[s..pos];
                    let id = self.ids.get(word).ok_or_else(|| {
                        BackendError::Input(format!("{word:?} is not in the test vocabulary"))
                    })?;
                    encoding.ids.push(*id);
                    encoding.spans.push((s, pos));
                    encoding.special.push(false);
                    start = None;
                }
                _ => {}
            }
        }
        Ok(encoding)
    }

    fn piece_text(&self, id: u32) -> Option<String> {
        match id {
            BOS => Some("<s>".into()),
            _ => WORDS.get(id as usize - 1).map(|w| format!(" {w}")),
        }
    }

    fn token_id(&self, piece: &str) -> Option<u32> {
        self.ids.get(piece).copied()
    }

    fn bos_id(&self) -> Option<u32> {
        Some(BOS)
    }

    fn eos_id(&self) -> Option<u32> {
        None
    }

    fn vocab_size(&self) -> usize {
        WORDS.len() + 1
    }
}

/// The additive model: the score of target position t is the sum of `weight(id, t)` over the visible tokens.
struct AdditiveBackend {
    tokenizer: SpaceTokenizer,
    /// What `generate` answers.
    continuation: Vec<u32>,
}

fn weight(id: u32, t: usize) -> f64 {
    // distinct, exactly representable in f32 sums of a few terms
    (id as f64 + 1.0) * 0.25 - (t as f64) * (id % 3) as f64 * 0.5
}

impl Backend for AdditiveBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo::default()
    }

    fn tokenizer(&self) -> &dyn TextTokenizer {
        &self.tokenizer
    }

    fn context_length(&self) -> usize {
        64
    }

    fn batch_hint(&self, _seq: usize, _targets: usize) -> usize {
        7
    }

    fn score_rows(
        &self,
        rows: &[MaskedRow],
        target_ids: &[u32],
        kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>, BackendError> {
        assert_eq!(kind, &ScoreKind::LogProb, "these tests score log-probs");
        Ok(rows
            .iter()
            .map(|row| {
                (0..target_ids.len())
                    .map(|t| {
                        let visible = row.token_ids.iter().zip(&row.attend).filter(|(_, a)| **a);
                        visible.map(|(&id, _)| weight(id, t)).sum::<f64>() as f32
                    })
                    .collect()
            })
            .collect())
    }

    fn generate(
        &self,
        _prompt: &[u32],
        settings: &GenerateSettings,
        on_token: &mut dyn FnMut(u32),
    ) -> Result<Generation, BackendError> {
        let tokens: Vec<u32> = self
            .continuation
            .iter()
            .copied()
            .take(settings.max_new_tokens)
            .collect();
        tokens.iter().for_each(|&id| on_token(id));
        Ok(Generation {
            tokens,
            stop: StopReason::MaxTokens,
        })
    }

    fn stop_tokens(&self) -> Vec<u32> {
        vec![BOS]
    }
}

fn backend() -> AdditiveBackend {
    let tokenizer = SpaceTokenizer::new();
    let continuation = ["Yes", "end"].map(|w| tokenizer.ids[w]).to_vec();
    AdditiveBackend {
        tokenizer,
        continuation,
    }
}

fn run(backend: &AdditiveBackend, request: &ExplainRequest) -> Result<ReportDoc, ExplainError> {
    let m = ExplainModel {
        backend,
        info: Default::default(),
    };
    explain(&m, request, &mut |_| {})
}

/// Every level's phi equals the summed weights of each feature's tokens, per target token; v(N) − v(∅) is the
/// sum over all features.
fn assert_phi_is_the_weights(doc: &ReportDoc) {
    for level in &doc.levels {
        for (feature, phi) in level.features.iter().zip(&level.phi) {
            for (t, value) in phi.iter().enumerate() {
                let expected: f64 = feature
                    .tokens
                    .iter()
                    .map(|&i| weight(doc.input_tokens[i].id, t))
                    .sum();
                assert!(
                    (value - expected).abs() < 1e-4,
                    "{} level, {} with {}: phi {value}, weights {expected}",
                    level.level,
                    feature.text,
                    level.method
                );
            }
        }
        assert!(level.efficiency_residual < 1e-4);
    }
}

const PROMPT: &str = "Tom had a red ball. He threw it, and the dog ran.";

fn request(levels: Vec<Level>, method: Method) -> ExplainRequest {
    ExplainRequest {
        prompt: PROMPT.into(),
        target: Some("Yes end".into()),
        levels,
        method: MethodChoice::Fixed(method),
        max_evals: Some(400),
        ..ExplainRequest::default()
    }
}

#[test]
fn the_additive_game_gives_the_weights_at_every_level_and_method() {
    let b = backend();
    let levels = vec![
        Level::Token,
        Level::Word,
        Level::Clause,
        Level::Sentence,
        Level::Turn,
    ];
    for method in [Method::Kernel, Method::Permutation, Method::Partition] {
        let doc = run(&b, &request(levels.clone(), method)).unwrap();
        let names: Vec<&str> = doc.levels.iter().map(|l| l.level.as_str()).collect();
        assert_eq!(names, ["token", "word", "clause", "sentence", "turn"]);
        let counts: Vec<usize> = doc.levels.iter().map(|l| l.features.len()).collect();
        assert_eq!(counts, [12, 12, 3, 2, 1], "{method:?}");
        assert_phi_is_the_weights(&doc);
    }
    let exact = run(&b, &request(vec![Level::Clause], Method::Exact)).unwrap();
    let clauses: Vec<&str> = exact.levels[0].features.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(
        clauses,
        ["Tom had a red ball.", "He threw it,", "and the dog ran."]
    );
    assert_phi_is_the_weights(&exact);
}

#[test]
fn a_generated_target_is_explained_the_same_way() {
    let b = backend();
    let mut r = request(vec![Level::Word], Method::Exact);
    r.prompt = "Tom had a red ball.".into();
    r.target = None;
    r.generation.max_new_tokens = 2;
    let doc = run(&b, &r).unwrap();
    let targets: Vec<u32> = doc.target_tokens.iter().map(|t| t.id).collect();
    assert_eq!(targets, b.continuation);
    assert_eq!(doc.levels[0].evaluations, 1 << 5);
    assert_phi_is_the_weights(&doc);
}

#[test]
fn custom_spans_and_chat_turns_are_features() {
    let b = backend();
    let mut r = request(vec![Level::Custom], Method::Exact);
    r.custom_spans = vec![(37, 49), (0, 3)]; // "the dog ran." and "Tom"
    let doc = run(&b, &r).unwrap();
    let texts: Vec<&str> = doc.levels[0].features.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(texts, ["the dog ran.", "Tom"]);
    assert_phi_is_the_weights(&doc);

    let mut turns = ExplainRequest {
        segments: vec![
            Segment::fixed("<u> "),
            Segment::maskable("Tom had a red ball.").with_role("user"),
            Segment::fixed(" <a> "),
            Segment::maskable("He threw it,").with_role("assistant"),
        ],
        target: Some("Yes".into()),
        levels: vec![Level::Turn, Level::Word],
        method: MethodChoice::Fixed(Method::Exact),
        ..ExplainRequest::default()
    };
    let doc = run(&b, &turns).unwrap();
    assert_eq!(doc.prompt, "Tom had a red ball. <a> He threw it,");
    assert_eq!(doc.prefix, "<u> ");
    let turn_texts: Vec<&str> = doc.levels[0].features.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(turn_texts, ["Tom had a red ball.", "He threw it,"]);
    // the markup tokens are always kept and marked special in the report
    let markup: Vec<bool> = doc
        .input_tokens
        .iter()
        .filter(|t| t.text == " <a>")
        .map(|t| t.special)
        .collect();
    assert_eq!(markup, [true]);
    assert_eq!(doc.levels[1].features.len(), 8);
    assert_phi_is_the_weights(&doc);
    // the partition hierarchy splits at the turns first; Owen values of an additive game are the weights too
    turns.method = MethodChoice::Fixed(Method::Partition);
    let owen = run(&b, &turns).unwrap();
    assert_eq!(owen.levels[1].method, "partition");
    assert_phi_is_the_weights(&owen);
}

#[test]
fn options_parse_from_their_command_line_names() {
    let b = backend();
    let mut r = request(vec!["sentence".parse().unwrap()], Method::Exact);
    r.method = "exact".parse().unwrap();
    r.masker = "hide".parse().unwrap();
    let doc = run(&b, &r).unwrap();
    assert_eq!(
        (doc.masker.as_str(), doc.levels[0].method.as_str()),
        ("hide", "exact")
    );
    assert_eq!(r.masker, MaskerSpec::Hide);
    assert_phi_is_the_weights(&doc);
}

/// The score cache above the trait: a run through `CachedBackend` gives the plain run's numbers, and a second
/// run over the same file asks the backend for nothing and gives them again.
#[test]
fn a_cached_backend_answers_a_rerun_from_its_file() {
    let path = std::env::temp_dir().join(format!("whylm-explain-cache-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let plain_backend = backend();
    let request = request(vec![Level::Word, Level::Sentence], Method::Kernel);
    let plain = run(&plain_backend, &request).unwrap();
    let mut runs = Vec::new();
    for _ in 0..2 {
        let file = whylm_backend::ScoreFile::open(&path).unwrap();
        let cached = whylm_backend::CachedBackend::new(&plain_backend, file);
        let m = ExplainModel {
            backend: &cached,
            info: Default::default(),
        };
        let mut doc = explain(&m, &request, &mut |_| {}).unwrap();
        doc.wall_seconds = plain.wall_seconds;
        runs.push((doc, cached.scored(), cached.reused()));
    }
    let _ = std::fs::remove_file(&path);
    let (first, second) = (&runs[0], &runs[1]);
    assert_eq!(first.0, plain);
    assert_eq!(second.0, plain);
    assert!(first.1 > 0);
    assert_eq!(second.1, 0, "the rerun scored rows the file holds");
    assert_eq!(second.2, first.1 + first.2, "the rerun asked for the same rows");
}

#[test]
fn attention_on_a_backend_without_it_is_a_warning_not_an_error() {
    let b = backend();
    let mut asked = request(vec![Level::Word], Method::Exact);
    asked.max_evals = None;
    asked.attention = true;
    let doc = run(&b, &asked).unwrap();
    assert!(doc.attention.is_none());
    let notes: Vec<&String> = doc
        .warnings
        .iter()
        .filter(|w| w.starts_with("no attention"))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", doc.warnings);
    assert!(notes[0].contains("cannot return attention"), "{}", notes[0]);
    assert_phi_is_the_weights(&doc);
}

#[test]
fn exact_interactions_reuse_every_coalition_of_the_exact_shapley_run() {
    let b = backend();
    let mut asked = request(vec![Level::Word], Method::Exact);
    asked.max_evals = None;
    asked.interactions = Some(3);
    let doc = run(&b, &asked).unwrap();
    let level = &doc.levels[0];
    let matrix = level.interactions.as_ref().expect("interactions asked for");
    let n = level.features.len();
    assert!(matrix.exact);
    assert_eq!(
        (matrix.evaluations, matrix.reused),
        (0, 1 << n),
        "all 2^{n} values come from the phi run"
    );
    // An additive game has no interactions, in any context.
    assert!(
        matrix.matrix.iter().flatten().all(|v| v.abs() < 1e-9),
        "{:?}",
        matrix.matrix
    );
    assert_eq!(matrix.pair_values.len(), 3);
    for p in &matrix.pair_values {
        for v in [p.alone, p.in_context] {
            assert!((v[3] - v[1] - v[2] + v[0]).abs() < 1e-9, "{p:?}");
        }
        // alone, only a: v({a}) - v(∅) is feature a's phi summed over the targets (the game is additive)
        let phi_a: f64 = level.phi[p.a].iter().sum();
        assert!((p.alone[1] - p.alone[0] - phi_a).abs() < 1e-9, "{p:?}");
    }
}

/// Two documents refined to sentences and then words: every level's values are the weights (the game is
/// additive), so each split unit's parts sum to it exactly, and the levels share one budget.
#[test]
fn refinement_splits_the_top_units_and_their_parts_sum_to_them() {
    let b = backend();
    for (method, budget) in [
        (MethodChoice::Auto, 400),
        (MethodChoice::Fixed(Method::Kernel), 300),
    ] {
        let r = ExplainRequest {
            segments: vec![
                Segment::maskable("Tom had a red ball. He threw it,"),
                Segment::fixed("\n\n"),
                Segment::maskable("and the dog ran. Yes end"),
            ],
            target: Some("Yes end".into()),
            levels: vec![Level::Document, Level::Sentence, Level::Word],
            refine: Some(1),
            method,
            max_evals: Some(budget),
            ..ExplainRequest::default()
        };
        let doc = run(&b, &r).unwrap();
        assert_phi_is_the_weights(&doc);
        let plan = doc.refinement.as_ref().expect("a refined document");
        let spent: usize = doc.levels.iter().map(|l| l.evaluations).sum();
        assert!(
            spent <= budget && plan.evaluations == spent,
            "{spent} of {budget}"
        );
        let counts: Vec<usize> = doc.levels.iter().map(|l| l.features.len()).collect();
        assert_eq!(counts[0], 2);
        for (index, level) in doc.levels.iter().enumerate().skip(1) {
            let refinement = level.refinement.as_ref().expect("refined levels say how");
            assert_eq!(refinement.parent_level, index - 1);
            let coarse = doc.levels[index - 1].sequence_phi();
            let unit = &refinement.units[0];
            // the split unit is the coarser level's largest |value| among its splittable units
            assert!(unit.children.len() >= 2, "{level:?}");
            assert!(unit.consistent && unit.discrepancy.abs() < 1e-4, "{unit:?}");
            assert!((unit.parent_value - coarse[unit.parent]).abs() < 1e-9);
            // every input token of the coarser level is in exactly one feature of this one
            let tokens = |l: &whylm_report::LevelExplanation| {
                let mut t: Vec<usize> = l.features.iter().flat_map(|f| f.tokens.clone()).collect();
                t.sort_unstable();
                t
            };
            assert_eq!(tokens(level), tokens(&doc.levels[index - 1]));
            assert_eq!(
                refinement.split.iter().filter(|s| **s).count(),
                unit.children.len()
            );
        }
        let top = doc.levels[0].sequence_phi();
        let largest = if top[0].abs() >= top[1].abs() { 0 } else { 1 };
        assert_eq!(
            doc.levels[1].refinement.as_ref().unwrap().units[0].parent,
            largest
        );
    }
}
