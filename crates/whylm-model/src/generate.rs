//! Text generation: greedy or seeded sampling (temperature, top-k, top-p) with stop tokens.
//! The prompt runs once; each later step runs only the new token against the cached keys and
//! values of the sequence so far (incremental decoding).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{ModelError, Result};
use crate::forward::{ForwardOptions, Prepared};
use crate::layers::{LayerKv, SlotCache};
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
    let mut tokens = Vec::new();
    let mut decoder: Option<Decoder<'_>> = None;
    while tokens.len() < settings.max_new_tokens {
        if prompt.len() + tokens.len() >= llama.config.context_length {
            return Ok(Generation {
                tokens,
                stop: StopReason::ContextFull,
            });
        }
        let logits = match (decoder.as_mut(), tokens.last()) {
            (Some(d), Some(&last)) => on_a_pool_thread(|| d.step(last))?,
            _ => {
                let (d, logits) = Decoder::start(llama, prompt)?;
                decoder = Some(d);
                logits
            }
        };
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
    }
    Ok(Generation {
        tokens,
        stop: StopReason::MaxTokens,
    })
}

/// Runs `step` on one of rayon's threads. A step has about four parallel sections per layer (whylm-quant's
/// `matvec_many`); called from outside the pool, each would hand its work to the pool's threads and put this one
/// to sleep until they finish (a wake-up and a sleep per section, 20% of a step at one thread in a profile). From
/// inside the pool the sections run on the calling worker, and only the other workers are woken.
fn on_a_pool_thread<R: Send>(step: impl FnOnce() -> R + Send) -> R {
    rayon::join(step, || ()).0
}

/// A sequence being generated: every layer's keys and values so far.
struct Decoder<'a> {
    llama: &'a Llama,
    caches: Vec<SlotCache>,
    len: usize,
}

impl<'a> Decoder<'a> {
    /// Runs `prompt` as one batched pass, keeping its keys and values; returns the logits after it.
    fn start(llama: &'a Llama, prompt: &[u32]) -> Result<(Self, Vec<f32>)> {
        let prepared = Prepared::rows(&[MaskedRow::full(prompt)], 0, &llama.config, &llama.device)?;
        let options = ForwardOptions {
            keep_kv: true,
            ..ForwardOptions::default()
        };
        let out = crate::weights::generation_scope(|| llama.forward(&prepared, options))?;
        let caches = out.kv.iter().map(slot_major).collect::<Result<Vec<_>>>()?;
        let last = out.hidden.narrow(0, out.hidden.dim(0)? - 1, 1)?;
        // In the generation scope, the one row's head product reads the head once (whylm-quant's matvec) instead
        // of packing all of it for the batched kernel (27.9 ms of Q8_0 packing for SmolLM2's 49152 x 576 head).
        let logits = crate::weights::generation_scope(|| llama.head(&last, false))?
            .squeeze(0)?
            .to_vec1::<f32>()?;
        let decoder = Self {
            llama,
            caches,
            len: prompt.len(),
        };
        Ok((decoder, logits))
    }

    /// Appends `token`; returns the logits after it.
    fn step(&mut self, token: u32) -> Result<Vec<f32>> {
        let logits = self.llama.step(token, self.len, &mut self.caches)?;
        self.len += 1;
        Ok(logits)
    }
}

/// A batched pass's keys/values (1, kv_heads, len, head_dim) as a slot-major cache (len, kv_heads, head_dim).
fn slot_major(kv: &LayerKv) -> Result<SlotCache> {
    let flat = |t: &candle_core::Tensor| -> Result<Vec<f32>> {
        Ok(t.squeeze(0)?
            .transpose(0, 1)?
            .contiguous()?
            .flatten_all()?
            .to_vec1::<f32>()?)
    };
    Ok(SlotCache {
        k: flat(&kv.k)?,
        v: flat(&kv.v)?,
    })
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
