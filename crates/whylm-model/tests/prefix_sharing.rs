//! Prefix sharing (shared keys/values of the leading slots every row keeps) and incremental
//! decoding must give the numbers of the plain forward.

mod common;

use common::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use whylm_model::{masked_row, GenerateSettings, MaskedRow, Masker, Model, Sampling, ScoreKind};

/// "The little dog ran to the park and" (golden file) and more story tokens: 34 tokens with BOS.
const PROMPT: [u32; 34] = [
    1, 291, 376, 400, 428, 352, 303, 267, 265, 282, 295, 433, 269, 394, 261, 370, 268, 291, 376, 400, 428,
    352, 303, 267, 265, 282, 295, 433, 269, 394, 261, 370, 268, 269,
];
const TARGET: [u32; 5] = [394, 261, 370, 268, 291];

/// Keeps the first `kept_prefix` tokens; the rest at random (some rows keep everything).
fn rows(masker: &Masker, kept_prefix: usize, n: usize, seed: u64) -> Vec<MaskedRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|r| {
            let keep: Vec<bool> = (0..PROMPT.len())
                .map(|i| i < kept_prefix || r % 7 == 0 || rng.random_bool(0.6))
                .collect();
            masked_row(&PROMPT, &keep, masker)
        })
        .collect()
}

fn scores(model: &mut Model, sharing: bool, rows: &[MaskedRow], kind: &ScoreKind) -> Vec<Vec<f32>> {
    model.set_prefix_sharing(sharing);
    model.score_rows(rows, &TARGET, kind).unwrap()
}

#[test]
fn prefix_sharing_gives_the_scores_of_the_plain_forward() {
    let mut model = stories_gguf().model;
    let maskers = [
        Masker::Delete,
        Masker::Hide,
        Masker::Replace {
            baseline: 0,
            collapse: false,
        },
        Masker::Replace {
            baseline: 0,
            collapse: true,
        },
    ];
    let mut worst = 0f32;
    for (m, masker) in maskers.iter().enumerate() {
        for (kept_prefix, kind) in [
            (20, ScoreKind::LogProb),
            (1, ScoreKind::LogOdds),
            (33, ScoreKind::Logit),
        ] {
            let rows = rows(masker, kept_prefix, 24, 100 + m as u64);
            // A small budget splits the rows into batches whose shared prefixes differ, so the
            // cached prefix is both narrowed and extended.
            let per_row = model.row_memory_estimate(PROMPT.len() + TARGET.len(), TARGET.len());
            model.set_memory_budget(per_row * 5);
            let plain = scores(&mut model, false, &rows, &kind);
            let shared = scores(&mut model, true, &rows, &kind);
            // Row by row: a batch of one shares its whole row.
            let single: Vec<Vec<f32>> = rows
                .iter()
                .map(|r| {
                    model
                        .score_rows(std::slice::from_ref(r), &TARGET, &kind)
                        .unwrap()
                        .remove(0)
                })
                .collect();
            model.set_memory_budget(1 << 30);
            let one_batch = scores(&mut model, true, &rows, &kind);
            for other in [&shared, &single, &one_batch] {
                let d = max_abs_diff_rows(other, &plain);
                worst = worst.max(d);
                eprintln!("{m} {kept_prefix} {kind:?}: {d:.2e}");
                assert!(d < 1e-5, "{masker:?}, prefix {kept_prefix}, {kind:?}: {d}");
            }
        }
    }
    eprintln!("prefix sharing vs plain: max diff {worst:.2e}");
}

#[test]
fn sharing_switch_defaults_on_and_turns_off() {
    let mut model = stories_gguf().model;
    assert!(model.prefix_sharing());
    model.set_prefix_sharing(false);
    assert!(!model.prefix_sharing());
}

#[test]
fn a_shared_prefix_lowers_the_memory_estimate_per_row() {
    let model = stories_gguf().model;
    let whole = model.row_memory_estimate(60, 5);
    let suffix = model.row_memory_estimate_after(40, 20, 5);
    assert!(suffix < whole, "{suffix} vs {whole}");
    assert_eq!(model.row_memory_estimate_after(0, 60, 5), whole);
}

#[test]
fn incremental_decoding_matches_recomputing_the_sequence() {
    let model = stories_hf();
    let settings = GenerateSettings {
        max_new_tokens: 24,
        sampling: Sampling::Greedy,
        stop_tokens: vec![],
    };
    let prompt = &PROMPT[..9];
    let cached = model.generate(prompt, &settings, &mut |_| {}).unwrap().tokens;
    let mut seq = prompt.to_vec();
    for (step, token) in cached.iter().enumerate() {
        let logits = model.last_logits(&seq).unwrap();
        let next = whylm_model::argmax(&logits);
        assert_eq!(*token, next, "step {step}");
        seq.push(next);
    }
    assert_eq!(cached.len(), 24);
}

/// A row's score must not depend on which prefixes were cached before it (issue 15: a resumed run starts with an
/// empty cache, an uninterrupted one with the previous batch's prefix). Bit-identical, not close.
#[test]
fn a_rows_score_does_not_depend_on_the_prefixes_cached_before() {
    let mut model = stories_gguf().model;
    model.set_prefix_sharing(true);
    let kind = ScoreKind::LogProb;
    // Shared prefixes of 20 and 33 slots: over and under one cached block (32 slots) and one tail.
    let short = rows(&Masker::Delete, 20, 6, 7);
    let long = rows(&Masker::Delete, 33, 6, 8);
    model.clear_prefix_cache();
    let fresh = model.score_rows(&short, &TARGET, &kind).unwrap();
    for history in [&long, &short] {
        model.clear_prefix_cache();
        model.score_rows(history, &TARGET, &kind).unwrap();
        let after = model.score_rows(&short, &TARGET, &kind).unwrap();
        assert_eq!(after, fresh, "scores changed with the cached prefix");
    }
    // And the other way round: the long rows after the short ones (their blocks extended, not recomputed).
    model.clear_prefix_cache();
    let long_fresh = model.score_rows(&long, &TARGET, &kind).unwrap();
    model.clear_prefix_cache();
    model.score_rows(&short, &TARGET, &kind).unwrap();
    assert_eq!(model.score_rows(&long, &TARGET, &kind).unwrap(), long_fresh);
}

/// A row's scores have the same bits alone, in pairs and in one batch, with and without prefix sharing: the
/// values of an explanation must not depend on its batch size (issue 15).
#[test]
fn a_rows_score_does_not_depend_on_the_rows_in_its_batch() {
    let mut model = stories_gguf().model;
    let kind = ScoreKind::LogProb;
    for masker in [Masker::Delete, Masker::Hide] {
        for kept in [1, 3, 20, 33] {
            let rows = rows(&masker, kept, 12, 9);
            for sharing in [false, true] {
                model.set_prefix_sharing(sharing);
                model.clear_prefix_cache();
                let together = model.score_rows(&rows, &TARGET, &kind).unwrap();
                let alone: Vec<Vec<f32>> = rows
                    .iter()
                    .flat_map(|r| model.score_rows(std::slice::from_ref(r), &TARGET, &kind).unwrap())
                    .collect();
                let pairs: Vec<Vec<f32>> = rows
                    .chunks(2)
                    .flat_map(|c| model.score_rows(c, &TARGET, &kind).unwrap())
                    .collect();
                assert_eq!(
                    alone, together,
                    "{masker:?}, kept {kept}, sharing {sharing}: alone"
                );
                assert_eq!(
                    pairs, together,
                    "{masker:?}, kept {kept}, sharing {sharing}: in pairs"
                );
            }
        }
    }
}

/// Long rows (issue 19): keep-1/2 ablations of 18-slot "sentences" of a 300-token prompt run in runs of
/// lexicographic neighbours, alone after their neighbour's cached blocks, or in one padded batch whose attention is
/// split into query blocks and head chunks. Every way gives every row the same bits.
#[test]
fn long_rows_keep_their_bits_in_every_batching() {
    let mut model = stories_gguf().model;
    let kind = ScoreKind::LogProb;
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    let prompt: Vec<u32> = (0..300)
        .map(|i| if i == 0 { 1 } else { rng.random_range(2..512) })
        .collect();
    let rows: Vec<MaskedRow> = (0..12)
        .map(|_| {
            let kept: Vec<bool> = (0..17).map(|_| rng.random_bool(0.5)).collect();
            let keep: Vec<bool> = (0..prompt.len()).map(|i| i == 0 || kept[i / 18]).collect();
            masked_row(&prompt, &keep, &Masker::Delete)
        })
        .collect();
    model.set_prefix_sharing(false);
    let plain = model.score_rows(&rows, &TARGET, &kind).unwrap();
    model.set_prefix_sharing(true);
    model.clear_prefix_cache();
    let together = model.score_rows(&rows, &TARGET, &kind).unwrap();
    let alone: Vec<Vec<f32>> = rows
        .iter()
        .rev()
        .flat_map(|r| model.score_rows(std::slice::from_ref(r), &TARGET, &kind).unwrap())
        .rev()
        .collect();
    let threes: Vec<Vec<f32>> = rows
        .chunks(3)
        .flat_map(|c| model.score_rows(c, &TARGET, &kind).unwrap())
        .collect();
    assert_eq!(together, plain, "runs of neighbours against one padded batch");
    assert_eq!(alone, plain, "one row per call against one padded batch");
    assert_eq!(threes, plain, "three rows per call against one padded batch");
}
