//! Text generation: greedy or seeded sampling (temperature, top-k, top-p) with stop tokens.
//! The prompt runs once; each later step runs only the new token against the cached keys and
//! values of the sequence so far (incremental decoding).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{ModelError, Result};
use crate::forward::{ForwardOptions, Prepared};
use crate::layers::LayerKv;
use crate::llama::Llama;
use whylm_backend::{GenerateSettings, Generation, MaskedRow, Sampling, StopReason};

/// Generates up to `max_new_tokens` after `prompt`; `on_token` sees each new token.
pub(crate) fn generate(
    llama: &Llama,
    prompt: &[u32],
    settings: &GenerateSettings,
    on_token: &mut dyn FnMut(u32),
) -> Result<Generation> {
    if prompt.is_empty() {
        return Err(ModelError::InvalidInput(
            "the prompt is empty; generation needs at least one token (e.g. BOS)".into(),
        ));
    }
    llama.config.check_positions(prompt.len())?;
    let mut rng = match &settings.sampling {
        Sampling::Random { seed, .. } => Some(ChaCha8Rng::seed_from_u64(*seed)),
        Sampling::Greedy => None,
    };
    let mut seq = prompt.to_vec();
    let mut tokens = Vec::new();
    let mut cache: Option<Vec<LayerKv>> = None;
    while tokens.len() < settings.max_new_tokens {
        if seq.len() >= llama.config.context_length {
            return Ok(Generation {
                tokens,
                stop: StopReason::ContextFull,
            });
        }
        let logits = crate::weights::generation_scope(|| next_logits(llama, &seq, &mut cache))?;
        let next = match (&settings.sampling, rng.as_mut()) {
            (
                Sampling::Random {
                    temperature,
                    top_k,
                    top_p,
                    ..
                },
                Some(rng),
            ) if *temperature > 0.0 => sample(&logits, *temperature, *top_k, *top_p, rng),
            _ => argmax(&logits),
        };
        if settings.stop_tokens.contains(&next) {
            return Ok(Generation {
                tokens,
                stop: StopReason::StopToken(next),
            });
        }
        on_token(next);
        tokens.push(next);
        seq.push(next);
    }
    Ok(Generation {
        tokens,
        stop: StopReason::MaxTokens,
    })
}

/// Logits after `seq`, running only the slots that `cache` does not hold yet; the cache is
/// extended to all of `seq`.
fn next_logits(llama: &Llama, seq: &[u32], cache: &mut Option<Vec<LayerKv>>) -> Result<Vec<f32>> {
    let done = match cache.as_ref().and_then(|c| c.first()) {
        Some(kv) => kv.len()?,
        None => 0,
    };
    if done >= seq.len() {
        return Err(ModelError::Internal(format!(
            "the generation cache holds {done} slots but the sequence has only {}",
            seq.len()
        )));
    }
    let row = MaskedRow {
        token_ids: seq[done..].to_vec(),
        attend: vec![true; seq.len() - done],
        position_ids: (done as u32..seq.len() as u32).collect(),
    };
    let prepared = Prepared::rows(&[row], done, &llama.config, &llama.device)?;
    let options = ForwardOptions {
        past: cache.as_deref(),
        keep_kv: true,
        ..ForwardOptions::default()
    };
    let out = llama.forward(&prepared, options)?;
    let hidden = out.hidden;
    *cache = Some(out.kv);
    let last = hidden.narrow(0, hidden.dim(0)? - 1, 1)?;
    Ok(llama.head(&last, false)?.squeeze(0)?.to_vec1::<f32>()?)
}

/// Index of the largest logit; the lowest index wins ties, NaN never wins.
pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0usize;
    for (i, v) in logits.iter().enumerate() {
        if *v > logits[best] || logits[best].is_nan() {
            best = i;
        }
    }
    best as u32
}

/// Samples from softmax(logits / temperature) restricted to the top-k tokens and the smallest
/// set whose probability reaches top-p.
pub fn sample(
    logits: &[f32],
    temperature: f32,
    top_k: Option<usize>,
    top_p: Option<f32>,
    rng: &mut ChaCha8Rng,
) -> u32 {
    let mut order: Vec<usize> = (0..logits.len()).filter(|i| !logits[*i].is_nan()).collect();
    if order.is_empty() {
        return 0;
    }
    order.sort_by(|a, b| logits[*b].total_cmp(&logits[*a]).then(a.cmp(b)));
    if let Some(k) = top_k {
        order.truncate(k.max(1));
    }
    let max = logits[order[0]] as f64;
    let mut probs: Vec<f64> = order
        .iter()
        .map(|i| ((logits[*i] as f64 - max) / temperature as f64).exp())
        .collect();
    let total: f64 = probs.iter().sum();
    probs.iter_mut().for_each(|p| *p /= total);
    if let Some(p) = top_p {
        let mut cumulative = 0.0;
        let mut keep = probs.len();
        for (i, q) in probs.iter().enumerate() {
            cumulative += q;
            if cumulative >= p as f64 {
                keep = i + 1;
                break;
            }
        }
        probs.truncate(keep);
        order.truncate(keep);
    }
    let total: f64 = probs.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, q) in probs.iter().enumerate() {
        if u < *q {
            return order[i] as u32;
        }
        u -= q;
    }
    order[order.len() - 1] as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_prefers_first_of_ties() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, -1.0]), 1);
    }

    #[test]
    fn top_k_one_is_greedy_and_seed_reproduces() {
        let logits = [0.5f32, 2.0, 1.9, -3.0];
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..20 {
            assert_eq!(sample(&logits, 1.0, Some(1), None, &mut rng), 1);
        }
        let draw = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..50)
                .map(|_| sample(&logits, 1.0, None, Some(0.85), &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(3), draw(3));
        // top-p 0.85: tokens 1 and 2 hold p = 0.47 + 0.42 = 0.89, so 0 (0.10) and 3 are cut.
        assert!(draw(3).iter().all(|t| *t == 1 || *t == 2));
    }
}
