//! Suite part (c): forward throughput of the synthetic model against a plain matmul measured in
//! the same run, and peak memory against the budget.

use std::time::Instant;

use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use whylm_model::{load_gguf_model, load_hf_model, masked_row, Config, MaskedRow, Masker, Model, ScoreKind};

use crate::error::Result;
use crate::memory;
use crate::synthetic::SyntheticFiles;

/// Matmul FLOPs of scoring one row of `slots` positions (prompt + target) of which `targets`
/// go through the output head. Projections: 2 · (weights of a layer) per slot. Attention:
/// QKᵀ and AV, 2 · q_dim · keys each, counting only the keys a causal model needs (slot i
/// sees i + 1 keys), although the forward computes the full square and masks half of it.
pub fn row_flops(c: &Config, slots: usize, targets: usize) -> f64 {
    let (h, qd, kvd, f) = (c.hidden_size, c.q_dim(), c.kv_dim(), c.intermediate_size);
    let per_layer_weights = h * qd + 2 * h * kvd + qd * h + 3 * h * f;
    let projections = 2.0 * (c.num_layers * per_layer_weights) as f64 * slots as f64;
    let causal_keys = (slots * (slots + 1) / 2) as f64;
    let attention = c.num_layers as f64 * 4.0 * qd as f64 * causal_keys;
    let head = 2.0 * (h * c.vocab_size) as f64 * targets as f64;
    projections + attention + head
}

/// GFLOP/s of an (m × k) · (k × n) f32 matmul with candle, best of `repeats` after a warm-up.
pub fn matmul_gflops(m: usize, k: usize, n: usize, repeats: usize) -> Result<f64> {
    let a = Tensor::rand(-1f32, 1f32, (m, k), &Device::Cpu)?;
    let b = Tensor::rand(-1f32, 1f32, (k, n), &Device::Cpu)?;
    a.matmul(&b)?;
    let best = best_seconds(repeats, || Ok(a.matmul(&b).map(|_| ())?))?;
    Ok(2.0 * (m * k * n) as f64 / best / 1e9)
}

fn best_seconds(repeats: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        f()?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// One prompt length of part (c).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForwardCase {
    pub prompt_tokens: usize,
    pub target_tokens: usize,
    /// Rows in the pass: as many as the memory budget allows in one batch.
    pub rows: usize,
    /// Best wall time of one scoring pass over all rows.
    pub seconds: f64,
    pub tokens_per_second: f64,
    pub gflop_per_pass: f64,
    pub gflops: f64,
    /// gflops / the plain matmul's GFLOP/s.
    pub matmul_fraction: f64,
    /// Resident memory before the pass (weights and the process), and its peak during the pass.
    pub rss_before_bytes: Option<usize>,
    pub peak_rss_bytes: Option<usize>,
    /// Whether the peak could be reset before this case (else it covers the whole run).
    pub peak_reset: bool,
}

impl ForwardCase {
    /// Peak growth over the resident memory before the pass: activations and scratch.
    pub fn activation_peak_bytes(&self) -> Option<usize> {
        Some(self.peak_rss_bytes?.saturating_sub(self.rss_before_bytes?))
    }
}

/// Part (c) as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForwardReport {
    pub files: SyntheticFiles,
    pub parameters: usize,
    pub weight_bytes: usize,
    pub memory_budget_bytes: usize,
    /// Max |Δ logit| between the GGUF and the Hugging Face copies on a short prompt.
    pub gguf_vs_hf_max_logit_diff: f32,
    pub matmul_shape: (usize, usize, usize),
    pub matmul_gflops: f64,
    pub threads: usize,
    pub cases: Vec<ForwardCase>,
}

/// Rows with random delete masks over a random prompt (BOS kept), so every row is different.
fn random_rows(rng: &mut ChaCha8Rng, vocab: usize, len: usize, rows: usize) -> Vec<MaskedRow> {
    let mut prompt: Vec<u32> = (0..len).map(|_| rng.random_range(2..vocab as u32)).collect();
    prompt[0] = 1;
    (0..rows)
        .map(|_| {
            let keep: Vec<bool> = (0..len).map(|i| i == 0 || rng.random_bool(0.8)).collect();
            masked_row(&prompt, &keep, &Masker::Delete)
        })
        .collect()
}

/// Measures the forward of the synthetic model in `files` at each prompt length.
pub fn run_forward(
    files: &SyntheticFiles,
    lengths: &[usize],
    target_len: usize,
    memory_budget: usize,
    repeats: usize,
    matmul_shape: (usize, usize, usize),
) -> Result<ForwardReport> {
    let gguf_vs_hf = {
        let hf = load_hf_model(&files.hf_dir, &Device::Cpu)?;
        let gguf = load_gguf_model(&files.gguf, &Device::Cpu)?.model;
        let ids: Vec<u32> = (0..24u32)
            .map(|i| 1 + i * 37 % (hf.config().vocab_size as u32 - 1))
            .collect();
        let a = hf.last_logits(&ids)?;
        let b = gguf.last_logits(&ids)?;
        a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0f32, f32::max)
    };
    let mut model: Model = load_gguf_model(&files.gguf, &Device::Cpu)?.model;
    model.set_memory_budget(memory_budget);
    // The raw forward: every row runs all of its slots.
    model.set_prefix_sharing(false);
    let (m, k, n) = matmul_shape;
    let matmul = matmul_gflops(m, k, n, repeats.max(3))?;
    let c = model.config().clone();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let target: Vec<u32> = (0..target_len)
        .map(|_| rng.random_range(2..c.vocab_size as u32))
        .collect();
    let mut cases = Vec::new();
    for &len in lengths {
        let rows = model.batch_size_for(len + target_len, target_len);
        let batch = random_rows(&mut rng, c.vocab_size, len, rows);
        let peak_reset = memory::reset_peak();
        let rss_before = memory::rss_bytes();
        model.score_rows(&batch, &target, &ScoreKind::LogProb)?;
        let seconds = best_seconds(repeats, || {
            model.score_rows(&batch, &target, &ScoreKind::LogProb)?;
            Ok(())
        })?;
        let peak = memory::peak_rss_bytes();
        let flops = rows as f64 * row_flops(&c, len + target_len, target_len);
        let gflops = flops / seconds / 1e9;
        cases.push(ForwardCase {
            prompt_tokens: len,
            target_tokens: target_len,
            rows,
            seconds,
            tokens_per_second: (rows * (len + target_len)) as f64 / seconds,
            gflop_per_pass: flops / 1e9,
            gflops,
            matmul_fraction: gflops / matmul,
            rss_before_bytes: rss_before,
            peak_rss_bytes: peak,
            peak_reset,
        });
    }
    Ok(ForwardReport {
        files: files.clone(),
        parameters: model.weight_stats().parameters,
        weight_bytes: model.weight_stats().bytes,
        memory_budget_bytes: model.memory_budget(),
        gguf_vs_hf_max_logit_diff: gguf_vs_hf,
        matmul_shape,
        matmul_gflops: matmul,
        threads: whylm_model::num_threads(),
        cases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flops_count_projections_causal_attention_and_head() {
        // 1 layer, hidden 4, 2 heads of 2, 1 KV head, ffn 6, vocab 10.
        let c = Config::tiny_llama(10, 4, 6, 1, 2, 1, 16);
        // Weights per layer: q 4·4 + k,v 2·(4·2) + o 4·4 + gate/up/down 3·4·6 = 120.
        let projections = 2.0 * 120.0 * 3.0;
        // Three slots see 1 + 2 + 3 = 6 keys; QKᵀ and AV cost 2 · q_dim each per key.
        let attention = 4.0 * 4.0 * 6.0;
        let head = 2.0 * 4.0 * 10.0 * 2.0;
        assert_eq!(row_flops(&c, 3, 2), projections + attention + head);
    }
}
