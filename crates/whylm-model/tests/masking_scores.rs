//! Maskers and batched scoring on stories260K: delete equals physically removing tokens,
//! hide/replace equal their direct constructions, batched equals row-by-row.

mod common;

use common::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use whylm_model::{masked_row, MaskedRow, Masker, Model, ScoreKind};

/// "The little dog ran to the park and" with BOS (golden file), then its greedy next 4 tokens.
const PROMPT: [u32; 13] = [1, 291, 376, 400, 428, 352, 303, 267, 265, 282, 295, 433, 269];
const TARGET: [u32; 4] = [394, 261, 370, 268];

fn random_keep(rng: &mut ChaCha8Rng, n: usize) -> Vec<bool> {
    // BOS always kept, as the explain layer does for special tokens.
    (0..n).map(|i| i == 0 || rng.random_bool(0.5)).collect()
}

fn score_one(model: &Model, row: MaskedRow, kind: &ScoreKind) -> Vec<f32> {
    model.score_rows(&[row], &TARGET, kind).unwrap().remove(0)
}

#[test]
fn delete_equals_physically_shorter_prompt() {
    let model = stories_gguf().model;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut worst = 0f32;
    for _ in 0..12 {
        let keep = random_keep(&mut rng, PROMPT.len());
        let masked = masked_row(&PROMPT, &keep, &Masker::Delete);
        let short: Vec<u32> = PROMPT
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(t, _)| *t)
            .collect();
        for kind in [ScoreKind::LogProb, ScoreKind::LogOdds] {
            let a = score_one(&model, masked.clone(), &kind);
            let b = score_one(&model, MaskedRow::full(&short), &kind);
            worst = worst.max(max_abs_diff(&a, &b));
        }
    }
    eprintln!("delete vs shortened: max diff {worst:.2e}");
    assert!(worst < 1e-4, "{worst}");
}

#[test]
fn hide_and_replace_equal_direct_constructions() {
    let model = stories_hf();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let baseline = 0u32;
    let mut worst = 0f32;
    for _ in 0..8 {
        let keep = random_keep(&mut rng, PROMPT.len());
        // hide: same positions, hidden tokens excluded. Direct: a row built field by field.
        let direct_hide = MaskedRow {
            token_ids: PROMPT.to_vec(),
            attend: keep.clone(),
            position_ids: (0..PROMPT.len() as u32).collect(),
        };
        let hide = masked_row(&PROMPT, &keep, &Masker::Hide);
        worst = worst.max(max_abs_diff(
            &score_one(&model, hide, &ScoreKind::LogProb),
            &score_one(&model, direct_hide, &ScoreKind::LogProb),
        ));
        // replace: the sequence with baseline tokens substituted.
        let replaced: Vec<u32> = PROMPT
            .iter()
            .zip(&keep)
            .map(|(t, k)| if *k { *t } else { baseline })
            .collect();
        let rep = masked_row(
            &PROMPT,
            &keep,
            &Masker::Replace {
                baseline,
                collapse: false,
            },
        );
        worst = worst.max(max_abs_diff(
            &score_one(&model, rep, &ScoreKind::LogProb),
            &score_one(&model, MaskedRow::full(&replaced), &ScoreKind::LogProb),
        ));
        // replace + collapse: each absent run becomes one baseline token, physically.
        let mut collapsed = Vec::new();
        for (i, (t, k)) in PROMPT.iter().zip(&keep).enumerate() {
            if *k {
                collapsed.push(*t);
            } else if i == 0 || keep[i - 1] {
                collapsed.push(baseline);
            }
        }
        let col = masked_row(
            &PROMPT,
            &keep,
            &Masker::Replace {
                baseline,
                collapse: true,
            },
        );
        worst = worst.max(max_abs_diff(
            &score_one(&model, col, &ScoreKind::LogProb),
            &score_one(&model, MaskedRow::full(&collapsed), &ScoreKind::LogProb),
        ));
    }
    eprintln!("hide/replace vs direct: max diff {worst:.2e}");
    assert!(worst < 1e-4, "{worst}");
}

#[test]
fn batched_scoring_equals_row_by_row() {
    let mut model = stories_gguf().model;
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let maskers = [
        Masker::Delete,
        Masker::Hide,
        Masker::Replace {
            baseline: 0,
            collapse: true,
        },
    ];
    let rows: Vec<MaskedRow> = (0..64)
        .map(|i| masked_row(&PROMPT, &random_keep(&mut rng, PROMPT.len()), &maskers[i % 3]))
        .collect();
    let one_by_one: Vec<Vec<f32>> = rows
        .iter()
        .map(|r| score_one(&model, r.clone(), &ScoreKind::LogProb))
        .collect();
    for n in [1usize, 7, 64] {
        let batched = model
            .score_rows(&rows[..n], &TARGET, &ScoreKind::LogProb)
            .unwrap();
        let diff = max_abs_diff_rows(&batched, &one_by_one[..n]);
        eprintln!("batch of {n}: max diff {diff:.2e}");
        assert!(diff < 1e-5, "batch {n}: {diff}");
    }
    // A budget that fits only a few rows per pass must give the same numbers.
    let per_row = model.row_memory_estimate(PROMPT.len() + TARGET.len(), TARGET.len());
    model.set_memory_budget(per_row * 5);
    assert_eq!(model.batch_size_for(PROMPT.len() + TARGET.len(), TARGET.len()), 5);
    let small = model.score_rows(&rows, &TARGET, &ScoreKind::LogProb).unwrap();
    assert!(max_abs_diff_rows(&small, &one_by_one) < 1e-5);
}

#[test]
fn rows_of_different_lengths_share_a_batch() {
    let model = stories_gguf().model;
    let a = PROMPT.to_vec();
    let b = PROMPT[..4].to_vec();
    let both = model
        .score_rows(
            &[MaskedRow::full(&a), MaskedRow::full(&b)],
            &TARGET,
            &ScoreKind::LogProb,
        )
        .unwrap();
    let solo_b = score_one(&model, MaskedRow::full(&b), &ScoreKind::LogProb);
    assert!(max_abs_diff(&both[1], &solo_b) < 1e-5);
}

#[test]
fn score_kinds_are_consistent_with_full_logits() {
    let model = stories_gguf().model;
    let mut seq = PROMPT.to_vec();
    seq.extend_from_slice(&TARGET);
    let logits = model.forward_ids(&seq).unwrap().to_vec2::<f32>().unwrap();
    let row = MaskedRow::full(&PROMPT);
    let lp = score_one(&model, row.clone(), &ScoreKind::LogProb);
    let p = score_one(&model, row.clone(), &ScoreKind::Prob);
    let lo = score_one(&model, row.clone(), &ScoreKind::LogOdds);
    let lg = score_one(&model, row.clone(), &ScoreKind::Logit);
    let alts = vec![432u32; TARGET.len()];
    let con = score_one(&model, row, &ScoreKind::Contrast(alts.clone()));
    for t in 0..TARGET.len() {
        let l = &logits[PROMPT.len() - 1 + t];
        let m = l.iter().cloned().fold(f32::NEG_INFINITY, f32::max) as f64;
        let lse = m + l.iter().map(|x| (*x as f64 - m).exp()).sum::<f64>().ln();
        let want_lp = l[TARGET[t] as usize] as f64 - lse;
        let want_p = want_lp.exp();
        let want_lo = want_lp - (1.0 - want_p).ln();
        assert!((lp[t] as f64 - want_lp).abs() < 1e-4, "logprob {t}");
        assert!((p[t] as f64 - want_p).abs() < 1e-5, "prob {t}");
        assert!(
            (lo[t] as f64 - want_lo).abs() < 1e-3,
            "logodds {t}: {} vs {want_lo}",
            lo[t]
        );
        assert!((lg[t] - l[TARGET[t] as usize]).abs() < 1e-4, "logit {t}");
        let want_con = l[TARGET[t] as usize] - l[alts[t] as usize];
        assert!((con[t] - want_con).abs() < 1e-4, "contrast {t}");
    }
}

#[test]
fn attention_probabilities_are_causal_distributions() {
    let model = stories_gguf().model;
    let maps = model.attention_probs(&PROMPT).unwrap();
    let n = PROMPT.len();
    assert_eq!(maps.data.len(), 5 * 8 * n * n);
    for l in 0..5 {
        for h in 0..8 {
            for q in 0..n {
                let row: Vec<f32> = (0..n).map(|k| maps.get(l, h, q, k).unwrap()).collect();
                assert!(row[q + 1..].iter().all(|p| *p == 0.0), "future key attended");
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            }
        }
    }
}
