//! Quantized GGUF written by this crate loads back and scores close to the float model, and
//! the F16 / untied / 32000-vocab fixture loads and runs.

mod common;

use std::collections::HashMap;
use std::path::Path;

use candle_nn::{VarBuilder, VarMap};
use common::*;
use whylm_model::{
    load_gguf_model, save_gguf, Config, DType, Device, GgmlDType, MaskedRow, Model, ScoreKind,
};

const PROMPT: [u32; 13] = [1, 291, 376, 400, 428, 352, 303, 267, 265, 282, 295, 433, 269];

fn std_dev(x: &[f32]) -> f32 {
    let m = x.iter().sum::<f32>() / x.len() as f32;
    (x.iter().map(|v| (v - m).powi(2)).sum::<f32>() / x.len() as f32).sqrt()
}

fn rms_diff(a: &[f32], b: &[f32]) -> f32 {
    (a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f32>() / a.len() as f32).sqrt()
}

/// Replaces every variable with seeded N(0, 0.02)-like values (sum of uniforms), norms with
/// values around 1, so the test does not depend on candle's unseeded CPU randn.
fn seed_weights(varmap: &VarMap, seed: u64) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let data = varmap.data().lock().unwrap();
    let mut names: Vec<&String> = data.keys().collect();
    names.sort();
    for name in names {
        let var = &data[name];
        let n = var.elem_count();
        let norm = name.contains("norm");
        let vals: Vec<f32> = (0..n)
            .map(|_| {
                let g = (0..4).map(|_| rng.random::<f32>() - 0.5).sum::<f32>() * 1.73;
                if norm {
                    1.0 + 0.1 * g
                } else {
                    0.02 * g
                }
            })
            .collect();
        let t = candle_core::Tensor::from_vec(vals, var.shape(), &Device::Cpu).unwrap();
        var.set(&t).unwrap();
    }
}

/// Every logit of one forward pass over `ids` (positions x vocabulary, flattened), for comparing two models.
fn logits(model: &Model, ids: &[u32]) -> Vec<f32> {
    model
        .forward_ids(ids)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap()
}

/// Max |logit difference| over all positions, relative to the spread (std) of the float logits.
fn relative_logit_error(float: &Model, quant: &Model, ids: &[u32]) -> f32 {
    let a = logits(float, ids);
    let b = logits(quant, ids);
    max_abs_diff(&a, &b) / std_dev(&a)
}

/// Log-probs of `target` after the whole `PROMPT` (one row, nothing masked).
fn target_log_probs(model: &Model, target: &[u32]) -> Vec<f32> {
    let mut rows = model
        .score_rows(&[MaskedRow::full(&PROMPT)], target, &ScoreKind::LogProb)
        .unwrap();
    rows.remove(0)
}

/// Writes `model` as a GGUF of `dtype` (no metadata: the synthetic model has no tokenizer) and loads it back.
fn round_trip(model: &Model, path: &Path, dtype: GgmlDType) -> Model {
    save_gguf(model, path, dtype, &HashMap::new()).unwrap();
    load_gguf_model(path, &Device::Cpu).unwrap().model
}

#[test]
fn stories_q8_0_round_trip_scores_close_to_f32() {
    let src = stories_gguf();
    let dir = temp_dir("q8");
    let path = dir.join("stories-q8_0.gguf");
    save_gguf(&src.model, &path, GgmlDType::Q8_0, &src.metadata).unwrap();
    let q = load_gguf_model(&path, &Device::Cpu).unwrap();
    let by_type = &q.model.weight_stats().parameters_by_type;
    // Matrices with 64-wide rows are Q8_0; ffn_down rows (172) are not whole 32-blocks: F32.
    assert!(by_type.get("Q8_0").copied().unwrap_or(0) > 200_000, "{by_type:?}");
    assert!(q.metadata.contains_key("tokenizer.ggml.tokens"));
    let rel = relative_logit_error(&src.model, &q.model, &PROMPT);
    // Q8_0 rounds each weight to 1/254 of its 32-block's max |w|. stories260K's blocks have
    // max/rms ~ 4-5, so that is ~1% RMS relative error per weight, and candle's kernels also
    // quantize the activations to Q8_0. Measured: weights alone move logits by up to 0.25,
    // weights + activations by 0.42 (5.1% of the logit std, over all 13 x 512 logits).
    // The bound allows 2x that; a layout or scale bug gives errors of order 100%.
    eprintln!("Q8_0 relative logit error {rel:.4}");
    assert!(rel < 0.1, "{rel}");
    let target = [394u32, 261, 370, 268];
    let f = target_log_probs(&src.model, &target);
    let g = target_log_probs(&q.model, &target);
    let d = max_abs_diff(&f, &g);
    eprintln!("Q8_0 logprob diff {d:.4}");
    // Log-probs of the greedy targets (p ~ 0.3-0.9) move by a fraction of the logit error.
    assert!(d < 0.2, "{d}");
}

/// stories260K's rows (64, 172 wide) are no whole number of 256-element Q4_K super-blocks,
/// so Q4_K is exercised on a synthetic Llama with 256-wide rows.
#[test]
fn synthetic_q4_k_round_trip_scores_close_to_f32() {
    let mut config = Config::tiny_llama(320, 256, 512, 2, 4, 2, 64);
    config.rope_style = whylm_model::RopeStyle::RotateHalf;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    let model = Model::from_var_builder(&config, vb).unwrap();
    seed_weights(&varmap, 17);
    let dir = temp_dir("q4k");
    let float = round_trip(&model, &dir.join("synthetic-f32.gguf"), GgmlDType::F32);
    let quant = round_trip(&model, &dir.join("synthetic-q4k.gguf"), GgmlDType::Q4K);
    assert_eq!(quant.weight_stats().dominant_type(), "Q4_K");
    let ids: Vec<u32> = (0..24).map(|i| (i * 37 % 320) as u32).collect();
    // The F32 GGUF (interleaved layout) equals the in-memory model (rotate-half layout).
    let a = logits(&model, &ids);
    let b = logits(&float, &ids);
    assert!(max_abs_diff(&a, &b) < 1e-5);
    // Q4_K: 4-bit codes with 6-bit block scales, ~1/30 of a block's range per weight
    // (a few % relative error per weight); errors partly average out in the dot products.
    let c = logits(&quant, &ids);
    let rel_rms = rms_diff(&b, &c) / std_dev(&b);
    // Weight-only error: the Q4_K weights dequantized, run in f32.
    let deq = round_trip(
        &quant,
        &dir.join("synthetic-q4k-dequantized.gguf"),
        GgmlDType::F32,
    );
    let d = logits(&deq, &ids);
    eprintln!(
        "Q4_K relative rms logit error {rel_rms:.4}, weights only {:.4}",
        rms_diff(&b, &d) / std_dev(&b)
    );
    // Gaussian weights rounded to 4 bits (16 levels over a 32-block's range, 6-bit scales)
    // carry ~8% RMS relative error per matrix; through two layers the logits move by ~19% of
    // their spread, with or without the quantized kernels.
    assert!(rel_rms < 0.3, "{rel_rms}");
    // The quantized kernels must add little beyond the weight rounding itself (a wrong block
    // layout would not): compare against the dequantized weights run in f32.
    let kernel_only = rms_diff(&c, &d) / std_dev(&b);
    eprintln!("Q4_K kernel-only relative rms {kernel_only:.4}");
    assert!(kernel_only < 0.05, "{kernel_only}");
    // It must still be a real approximation, not a copy.
    assert!(rel_rms > 0.0);
}

#[test]
fn llama2_tiny_random_f16_untied_loads_and_runs() {
    let m = load_gguf_model(
        &shared("models/llama-2-tiny-random/llama-2-tiny-random.gguf"),
        &Device::Cpu,
    )
    .unwrap();
    let c = m.model.config();
    assert_eq!(c.vocab_size, 32000);
    assert!(!c.tie_word_embeddings);
    assert_eq!(m.model.weight_stats().dominant_type(), "F16");
    assert_eq!(m.model.weight_stats().parameters, 513_048);
    let scores = m
        .model
        .score_rows(
            &[MaskedRow::full(&[1, 15043, 3186])],
            &[29892, 1058],
            &ScoreKind::LogProb,
        )
        .unwrap();
    assert!(scores[0].iter().all(|s| s.is_finite() && *s < 0.0));
}
