//! Faithfulness metrics through the language-model game on a fake backend whose score is additive: the score of
//! target position t is the sum of `weight(id) * (t + 1)` over the visible tokens, so every removal drop is a sum
//! of weights and the exact values rank every ablation as the model does (LDS 1).

use whylm_backend::{
    Backend, BackendError, BackendInfo, Encoding, GenerateSettings, Generation, MaskedRow, Masker, ScoreKind,
    TextTokenizer,
};
use whylm_explain::faithfulness::{faithfulness, FaithfulnessError, FaithfulnessSettings};
use whylm_explain::{GameMasker, LanguageModelGame};

/// No text: these games are built from token ids.
struct NoTokenizer;

impl TextTokenizer for NoTokenizer {
    fn encode(&self, _text: &str, _add_special: bool) -> Result<Encoding, BackendError> {
        Err(BackendError::Input("this test tokenizes nothing".into()))
    }
    fn piece_text(&self, _id: u32) -> Option<String> {
        None
    }
    fn token_id(&self, _piece: &str) -> Option<u32> {
        None
    }
    fn bos_id(&self) -> Option<u32> {
        Some(0)
    }
    fn eos_id(&self) -> Option<u32> {
        None
    }
    fn vocab_size(&self) -> usize {
        8
    }
}

/// Token id -> weight; BOS (0) weighs nothing.
const WEIGHTS: [f64; 5] = [0.0, 1.0, 3.0, -2.0, 0.5];

struct Additive;

impl Backend for Additive {
    fn info(&self) -> BackendInfo {
        BackendInfo::default()
    }
    fn tokenizer(&self) -> &dyn TextTokenizer {
        &NoTokenizer
    }
    fn context_length(&self) -> usize {
        16
    }
    fn batch_hint(&self, _seq: usize, _targets: usize) -> usize {
        3
    }
    fn score_rows(
        &self,
        rows: &[MaskedRow],
        target_ids: &[u32],
        _kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>, BackendError> {
        let visible = |row: &MaskedRow| -> f64 {
            let kept = row.token_ids.iter().zip(&row.attend).filter(|(_, a)| **a);
            kept.map(|(&id, _)| WEIGHTS[id as usize]).sum()
        };
        let score = |row: &MaskedRow, t: usize| (visible(row) * (t + 1) as f64) as f32;
        Ok(rows
            .iter()
            .map(|row| (0..target_ids.len()).map(|t| score(row, t)).collect())
            .collect())
    }
    fn generate(
        &self,
        _prompt: &[u32],
        _settings: &GenerateSettings,
        _on_token: &mut dyn FnMut(u32),
    ) -> Result<Generation, BackendError> {
        Err(BackendError::Input("this test generates nothing".into()))
    }
    fn stop_tokens(&self) -> Vec<u32> {
        vec![0]
    }
}

/// BOS then tokens 1..=4, one feature each; two target tokens.
fn game(backend: &Additive) -> LanguageModelGame<'_> {
    LanguageModelGame::new(
        backend,
        vec![0, 1, 2, 3, 4],
        vec![vec![1], vec![2], vec![3], vec![4]],
        vec![5, 6],
        ScoreKind::LogProb,
        GameMasker::Tokens(Masker::Delete),
    )
    .unwrap()
}

/// The exact Shapley values of the additive game: each feature's weight, times t + 1.
fn exact_values() -> Vec<Vec<f64>> {
    WEIGHTS[1..].iter().map(|w| vec![*w, 2.0 * w]).collect()
}

#[test]
fn removal_drops_are_the_removed_weights() {
    let backend = Additive;
    let settings = FaithfulnessSettings {
        lds_samples: 0,
        ..FaithfulnessSettings::default()
    };
    let f = faithfulness(&mut game(&backend), &exact_values(), &settings).unwrap();
    // full score: 1 + 3 - 2 + 0.5 = 2.5, doubled at t = 1
    assert_eq!(f.full_score, [2.5, 5.0]);
    // k = 5 is skipped: there are 4 features
    let ks: Vec<usize> = f.drops.iter().map(|d| d.k).collect();
    assert_eq!(ks, [1, 3]);
    // top 1: feature 1 (weight 3); top 3: features 1, 0, 3 (weights 3, 1, 0.5)
    assert_eq!(f.drops[0].removed, [1]);
    assert_eq!(f.drops[0].per_token, [3.0, 6.0]);
    assert_eq!(f.drops[0].total, 9.0);
    assert_eq!(f.drops[1].removed, [1, 0, 3]);
    assert_eq!(f.drops[1].per_token, [4.5, 9.0]);
    assert_eq!(f.drops[1].total, 13.5);
    assert!(f.lds.is_none());
}

#[test]
fn exact_values_have_lds_one_and_reversed_values_minus_one() {
    let backend = Additive;
    let settings = FaithfulnessSettings {
        lds_samples: 40,
        seed: 3,
        batch_size: 7,
        ..FaithfulnessSettings::default()
    };
    let exact = faithfulness(&mut game(&backend), &exact_values(), &settings).unwrap();
    let lds = exact.lds.unwrap();
    assert_eq!(lds.samples, 40);
    assert!((lds.spearman.unwrap() - 1.0).abs() < 1e-12);
    assert!(lds.per_token.iter().all(|r| (r.unwrap() - 1.0).abs() < 1e-12));

    let reversed: Vec<Vec<f64>> = exact_values()
        .iter()
        .map(|v| v.iter().map(|x| -x).collect())
        .collect();
    let f = faithfulness(&mut game(&backend), &reversed, &settings).unwrap();
    assert!((f.lds.unwrap().spearman.unwrap() + 1.0).abs() < 1e-12);
    // reversed values remove the lowest-weight feature first: the score rises, the drop is negative
    assert_eq!(f.drops[0].removed, [2]);
    assert_eq!(f.drops[0].total, -6.0);
}

#[test]
fn the_same_seed_gives_the_same_lds_for_any_batch_size() {
    let backend = Additive;
    // values that rank some ablations wrongly, so the LDS depends on which ablations were drawn
    let values = vec![vec![1.0, 0.0], vec![0.2, 0.0], vec![0.5, 0.0], vec![-1.0, 0.0]];
    let at = |batch_size, seed| {
        let settings = FaithfulnessSettings {
            lds_samples: 30,
            seed,
            batch_size,
            ..FaithfulnessSettings::default()
        };
        faithfulness(&mut game(&backend), &values, &settings)
            .unwrap()
            .lds
            .unwrap()
    };
    assert_eq!(at(1, 11), at(64, 11));
    let r = at(5, 11).spearman.unwrap();
    assert!(r > -1.0 && r < 1.0, "{r}");
}

#[test]
fn mismatched_values_and_one_sample_are_user_errors() {
    let backend = Additive;
    let settings = FaithfulnessSettings::default();
    let short = faithfulness(&mut game(&backend), &exact_values()[..3], &settings).unwrap_err();
    assert!(matches!(
        short,
        FaithfulnessError::FeatureCount {
            values: 3,
            players: 4
        }
    ));
    let mut one_target = exact_values();
    one_target[2].pop();
    let err = faithfulness(&mut game(&backend), &one_target, &settings).unwrap_err();
    assert!(matches!(err, FaithfulnessError::TargetCount { feature: 2, .. }));
    let one = FaithfulnessSettings {
        lds_samples: 1,
        ..settings
    };
    let err = faithfulness(&mut game(&backend), &exact_values(), &one).unwrap_err();
    assert!(err.is_user_error() && short.is_user_error());
}
