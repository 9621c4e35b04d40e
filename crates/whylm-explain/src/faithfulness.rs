//! Faithfulness of an explanation, measured on the model itself (the metrics ContextCite reports, so that whylm's
//! numbers can be set beside theirs):
//!
//! - the **top-k removal drop**: the score of the target with the full prompt minus its score with the k
//!   highest-valued features removed (k = 1, 3, 5), per target token and summed over them. A faithful explanation
//!   names features whose removal lowers the score a lot.
//! - the **linear datamodeling score** (LDS): over N fresh random ablations that keep each feature with
//!   probability 1/2, the Spearman correlation between the sum of the kept features' values and the model's actual
//!   score (summed over target tokens). 1 means the values rank every ablation as the model does.
//!
//! Both run through a [`Game`] (the language-model game, hence any `Backend`): a feature is "removed" exactly as
//! the explanation's masker removed it. The features are ranked by their value summed over the target tokens.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use whylm_shapley::{Coalition, Game, GameError};

use crate::game::LanguageModelGame;
use crate::level::LevelResult;
use crate::model::ExplainModel;
use crate::prepare::Prepared;

/// The removal sizes ContextCite reports.
pub const DEFAULT_TOP_K: [usize; 3] = [1, 3, 5];

/// What to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct FaithfulnessSettings {
    /// Removal sizes; sizes above the number of features are skipped.
    pub top_k: Vec<usize>,
    /// Random keep-1/2 ablations for the LDS (0: no LDS).
    pub lds_samples: usize,
    /// Seeds the ablations (the same seed gives the same ablations for any batch size).
    pub seed: u64,
    /// Coalitions per call to the game.
    pub batch_size: usize,
}

impl Default for FaithfulnessSettings {
    fn default() -> Self {
        FaithfulnessSettings {
            top_k: DEFAULT_TOP_K.to_vec(),
            lds_samples: 100,
            seed: 0,
            batch_size: 32,
        }
    }
}

/// The score lost when the k highest-valued features are removed.
#[derive(Debug, Clone, PartialEq)]
pub struct TopKDrop {
    pub k: usize,
    /// The removed features, highest value first.
    pub removed: Vec<usize>,
    /// Full score minus ablated score, per target token.
    pub per_token: Vec<f64>,
    /// The sum of `per_token`.
    pub total: f64,
}

/// The linear datamodeling score.
#[derive(Debug, Clone, PartialEq)]
pub struct Lds {
    /// Random keep-1/2 ablations evaluated.
    pub samples: usize,
    /// Spearman correlation of the summed score; None when the predictions or the scores are all equal.
    pub spearman: Option<f64>,
    /// The same per target token.
    pub per_token: Vec<Option<f64>>,
}

/// Every faithfulness measurement of one explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Faithfulness {
    /// The score of every target token with the full prompt.
    pub full_score: Vec<f64>,
    pub drops: Vec<TopKDrop>,
    /// None when `lds_samples` was 0.
    pub lds: Option<Lds>,
}

/// Why faithfulness could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum FaithfulnessError {
    #[error("the explanation has values for {values} features but the game has {players}; measure an explanation of the same input and level")]
    FeatureCount { values: usize, players: usize },

    #[error("feature {feature} has values for {values} target tokens but the game scores {outputs}; measure an explanation of the same target")]
    TargetCount {
        feature: usize,
        values: usize,
        outputs: usize,
    },

    #[error("the LDS needs at least 2 ablations to correlate, got {0}; ask for more samples (100 or more is usual)")]
    TooFewSamples(usize),

    #[error("the model gave a non-finite score ({value}) for a faithfulness ablation; use a bounded score such as logprob")]
    NonFinite { value: f64 },

    #[error("the game returned {got} values for {coalitions} coalitions of {outputs} outputs; this is a bug in the game")]
    WrongOutputLength {
        got: usize,
        coalitions: usize,
        outputs: usize,
    },

    #[error("the explanation cannot be measured: {0}")]
    Unusable(String),

    #[error("{0}")]
    Game(#[from] GameError),
}

impl FaithfulnessError {
    /// True when the caller's input is at fault (mismatched explanation, too few samples).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            FaithfulnessError::FeatureCount { .. }
                | FaithfulnessError::TargetCount { .. }
                | FaithfulnessError::TooFewSamples(_)
                | FaithfulnessError::Unusable(_)
        )
    }
}

/// Measures `values` (features x target tokens, as `phi`) on `game`; see the module docs.
pub fn faithfulness(
    game: &mut dyn Game,
    values: &[Vec<f64>],
    settings: &FaithfulnessSettings,
) -> Result<Faithfulness, FaithfulnessError> {
    check_shape(game, values)?;
    if settings.lds_samples == 1 {
        return Err(FaithfulnessError::TooFewSamples(1));
    }
    let n = game.num_players();
    let totals: Vec<f64> = values.iter().map(|v| v.iter().sum()).collect();
    let order = ranking(&totals);
    let ks: Vec<usize> = settings
        .top_k
        .iter()
        .copied()
        .filter(|&k| k >= 1 && k <= n)
        .collect();
    let mut coalitions = vec![Coalition::full(n)];
    for &k in &ks {
        let removed = &order[..k];
        coalitions.push(
            Coalition::from_indices(n, (0..n).filter(|i| !removed.contains(i)))
                .unwrap_or_else(|| Coalition::empty(n)),
        );
    }
    let masks = keep_half_masks(n, settings.lds_samples, settings.seed);
    coalitions.extend(masks.iter().cloned());
    let scores = evaluate(game, &coalitions, settings.batch_size.max(1))?;
    let full_score = scores[0].clone();
    let drops = ks
        .iter()
        .zip(&scores[1..])
        .map(|(&k, ablated)| {
            let per_token: Vec<f64> = full_score.iter().zip(ablated).map(|(f, a)| f - a).collect();
            TopKDrop {
                k,
                removed: order[..k].to_vec(),
                total: per_token.iter().sum(),
                per_token,
            }
        })
        .collect();
    let lds = (settings.lds_samples > 0).then(|| lds(values, &masks, &scores[1 + ks.len()..]));
    Ok(Faithfulness {
        full_score,
        drops,
        lds,
    })
}

/// Measures one level of an explanation on the model that explained it, with the same input, target, score and
/// masker.
pub fn level_faithfulness(
    m: &ExplainModel<'_>,
    prepared: &Prepared,
    level: &LevelResult,
    settings: &FaithfulnessSettings,
) -> Result<Faithfulness, FaithfulnessError> {
    let game = LanguageModelGame::new(
        m.backend,
        prepared.encoding.ids.clone(),
        level.features.iter().map(|f| f.tokens.clone()).collect(),
        prepared.target_ids.clone(),
        prepared.score.clone(),
        prepared.masker.clone(),
    )?;
    let mut game = if prepared.add_special_tokens {
        game
    } else {
        game.with_text_special_tokens()?
    };
    faithfulness(&mut game, &level.explanation.phi, settings)
}

fn check_shape(game: &dyn Game, values: &[Vec<f64>]) -> Result<(), FaithfulnessError> {
    let (players, outputs) = (game.num_players(), game.num_outputs());
    if values.len() != players {
        return Err(FaithfulnessError::FeatureCount {
            values: values.len(),
            players,
        });
    }
    match values.iter().position(|v| v.len() != outputs) {
        Some(feature) => Err(FaithfulnessError::TargetCount {
            feature,
            values: values[feature].len(),
            outputs,
        }),
        None => Ok(()),
    }
}

/// Feature indices by value, highest first; ties keep the lower index first.
fn ranking(totals: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]).then(a.cmp(&b)));
    order
}

/// `count` coalitions that keep each of `n` features independently with probability 1/2, from one seeded stream.
pub fn keep_half_masks(n: usize, count: usize, seed: u64) -> Vec<Coalition> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let kept: Vec<usize> = (0..n).filter(|_| rng.random::<bool>()).collect();
            Coalition::from_indices(n, kept).unwrap_or_else(|| Coalition::empty(n))
        })
        .collect()
}

/// The game's scores of `coalitions`, one row of target-token scores each, in batches.
fn evaluate(
    game: &mut dyn Game,
    coalitions: &[Coalition],
    batch_size: usize,
) -> Result<Vec<Vec<f64>>, FaithfulnessError> {
    let outputs = game.num_outputs();
    let mut rows = Vec::with_capacity(coalitions.len());
    for batch in coalitions.chunks(batch_size) {
        let values = game.evaluate(batch)?;
        if values.len() != batch.len() * outputs {
            return Err(FaithfulnessError::WrongOutputLength {
                got: values.len(),
                coalitions: batch.len(),
                outputs,
            });
        }
        if let Some(&value) = values.iter().find(|v| !v.is_finite()) {
            return Err(FaithfulnessError::NonFinite { value });
        }
        rows.extend(values.chunks(outputs.max(1)).map(<[f64]>::to_vec));
    }
    Ok(rows)
}

/// The LDS of `values` over the ablations `masks` whose scores are `scores`.
fn lds(values: &[Vec<f64>], masks: &[Coalition], scores: &[Vec<f64>]) -> Lds {
    let outputs = scores.first().map_or(0, Vec::len);
    let predict = |mask: &Coalition, t: Option<usize>| -> f64 {
        let value = |v: &Vec<f64>| t.map_or_else(|| v.iter().sum(), |t| v[t]);
        (0..values.len())
            .filter(|&i| mask.contains(i))
            .map(|i| value(&values[i]))
            .sum()
    };
    let correlate = |t: Option<usize>| {
        let predicted: Vec<f64> = masks.iter().map(|m| predict(m, t)).collect();
        let actual: Vec<f64> = scores
            .iter()
            .map(|s| t.map_or_else(|| s.iter().sum(), |t| s[t]))
            .collect();
        spearman(&predicted, &actual)
    };
    Lds {
        samples: masks.len(),
        spearman: correlate(None),
        per_token: (0..outputs).map(|t| correlate(Some(t))).collect(),
    }
}

/// Spearman's rank correlation (the Pearson correlation of the ranks, ties sharing their mean rank); None when
/// either side is constant or there are fewer than 2 pairs.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    pearson(&ranks(a), &ranks(b))
}

/// Ranks 1..=n, tied values sharing the mean of their ranks.
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
    let mut ranks = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        let mean_rank = (start + end + 1) as f64 / 2.0;
        order[start..end].iter().for_each(|&i| ranks[i] = mean_rank);
        start = end;
    }
    ranks
}

fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_of_monotone_and_reversed_data_is_one_and_minus_one() {
        let a = [1.0, 2.0, 3.0, 10.0];
        assert_eq!(spearman(&a, &[0.1, 0.2, 5.0, 7.0]), Some(1.0));
        assert_eq!(spearman(&a, &[4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(spearman(&a, &[1.0, 1.0, 1.0, 1.0]), None);
    }

    #[test]
    fn tied_values_share_their_mean_rank() {
        assert_eq!(ranks(&[5.0, 1.0, 5.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
        // ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): sum of products of centred ranks 4.5 over sqrt(4.5 * 5)
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!((r - 4.5 / (4.5f64 * 5.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn keep_half_masks_are_seeded_and_keep_about_half() {
        let a = keep_half_masks(20, 200, 7);
        assert_eq!(a, keep_half_masks(20, 200, 7));
        assert_ne!(a, keep_half_masks(20, 200, 8));
        let kept: usize = a.iter().map(Coalition::len).sum();
        // 4,000 fair coin flips: mean 2,000, std 31.6
        assert!((1850..=2150).contains(&kept), "kept {kept}");
    }

    #[test]
    fn ranking_puts_the_highest_value_first() {
        assert_eq!(ranking(&[0.5, -2.0, 3.0, 0.5]), [2, 0, 3, 1]);
    }
}
