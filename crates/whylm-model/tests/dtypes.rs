//! Weight dtypes: 16-bit checkpoints kept 16-bit give the log-probs of the same values held as f32, and the weight
//! bytes are what each dtype stores.
//!
//! Tolerance: a model whose matrices are kept F16/BF16 and the same file loaded with `f32` multiply by the same
//! weight values (every F16 and BF16 value is exact in f32); they differ only in how the f32 products are summed
//! (whylm-quant's 8-lane kernel against candle's gemm). Each dot product of length K then differs by at most about
//! K·2⁻²⁴ of its magnitude (K ≤ 172 here: 1e-5); through 5 blocks of 4 chained products that is ~2e-4 relative,
//! and log-probs of at most ~10 nats move by at most 2e-3. The test uses 2e-3.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use whylm_model::{
    load_gguf_model, load_gguf_model_with, load_hf_model_with, save_gguf, DType, Device, GgmlDType,
    LoadOptions, MaskedRow, Model, ScoreKind, Tensor, WeightDtype,
};

const TOLERANCE: f32 = 2e-3;

fn options(dtype: WeightDtype) -> LoadOptions {
    LoadOptions {
        dtype,
        max_memory: None,
    }
}

/// Log-probs of a fixed target after a few prompts, the rows batched together.
fn log_probs(model: &Model) -> Vec<Vec<f32>> {
    let rows: Vec<MaskedRow> = [
        vec![1u32, 403, 407, 261, 378],
        vec![1, 66, 98, 77, 300, 22],
        vec![1, 500, 12],
    ]
    .iter()
    .map(|ids| MaskedRow::full(ids))
    .collect();
    model
        .score_rows(&rows, &[259, 411, 297, 13], &ScoreKind::LogProb)
        .expect("scoring succeeds")
}

/// stories260K-hf with every tensor stored as `dtype` (safetensors), beside its config and tokenizer.
fn stories_hf_as(dtype: DType, dir: &Path) {
    let src = shared("models/stories260K-hf");
    let tensors = candle_core::safetensors::load(src.join("model.safetensors"), &Device::Cpu).unwrap();
    let converted: HashMap<String, Tensor> = tensors
        .into_iter()
        .map(|(name, t)| (name, t.to_dtype(dtype).unwrap()))
        .collect();
    candle_core::safetensors::save(&converted, dir.join("model.safetensors")).unwrap();
    for file in ["config.json", "tokenizer.json"] {
        std::fs::copy(src.join(file), dir.join(file)).unwrap();
    }
}

#[test]
fn half_precision_safetensors_stay_16_bit_and_score_as_their_f32_values() {
    for (dtype, name) in [(DType::F16, "F16"), (DType::BF16, "BF16")] {
        let dir = temp_dir(&format!("hf-{name}"));
        stories_hf_as(dtype, &dir);
        let kept = load_hf_model_with(&dir, &options(WeightDtype::Native), &Device::Cpu).unwrap();
        assert_eq!(kept.weight_stats().dominant_type(), name);
        assert_eq!(kept.dtype_choice().chosen, WeightDtype::Native);
        let wide = load_hf_model_with(&dir, &options(WeightDtype::F32), &Device::Cpu).unwrap();
        assert_eq!(wide.weight_stats().dominant_type(), "F32");
        let diff = max_abs_diff_rows(&log_probs(&kept), &log_probs(&wide));
        eprintln!("{name} kept vs f32: max |Δ log-prob| {diff:.2e}");
        assert!(diff <= TOLERANCE, "{name}: {diff}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn an_f16_gguf_stays_16_bit_and_scores_as_its_f32_values() {
    let dir = temp_dir("gguf-f16");
    let path = dir.join("stories260K-f16.gguf");
    let source = stories_gguf();
    save_gguf(&source.model, &path, GgmlDType::F16, &source.metadata).unwrap();
    let kept = load_gguf_model(&path, &Device::Cpu).unwrap().model;
    assert_eq!(kept.weight_stats().dominant_type(), "F16");
    let wide = load_gguf_model_with(&path, &options(WeightDtype::F32), &Device::Cpu)
        .unwrap()
        .model;
    let diff = max_abs_diff_rows(&log_probs(&kept), &log_probs(&wide));
    eprintln!("F16 GGUF kept vs f32: max |Δ log-prob| {diff:.2e}");
    assert!(diff <= TOLERANCE, "{diff}");
    // and within f16 rounding of the original f32 weights (2⁻¹¹ relative per weight): loose, but not nothing
    let original = max_abs_diff_rows(&log_probs(&kept), &log_probs(&source.model));
    assert!(original <= 0.05, "{original}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Parameters of stories260K-hf in matrices and in vectors (norms), from its safetensors header.
fn stories_parameters() -> (usize, usize) {
    let bytes = std::fs::read(shared("models/stories260K-hf/model.safetensors")).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let (mut matrices, mut vectors) = (0, 0);
    for (_, view) in st.tensors() {
        let n: usize = view.shape().iter().product();
        if view.shape().len() >= 2 {
            matrices += n;
        } else {
            vectors += n;
        }
    }
    (matrices, vectors)
}

#[test]
fn weight_bytes_are_what_each_dtype_stores() {
    let (matrices, vectors) = stories_parameters();
    let dir = shared("models/stories260K-hf");
    for (dtype, per_value) in [
        (WeightDtype::F32, 4),
        (WeightDtype::F16, 2),
        (WeightDtype::BF16, 2),
        (WeightDtype::Native, 4),
    ] {
        let model = load_hf_model_with(&dir, &options(dtype), &Device::Cpu).unwrap();
        let expected = matrices * per_value + vectors * 4;
        assert_eq!(model.weight_stats().bytes, expected, "{dtype}");
        assert_eq!(model.dtype_choice().weight_bytes, expected, "{dtype}");
    }
}

#[test]
fn auto_under_a_tight_limit_takes_a_smaller_dtype_and_gives_the_batch_the_rest() {
    let (matrices, vectors) = stories_parameters();
    let f16_bytes = matrices * 2 + vectors * 4;
    // room for the f16 weights and the least batch, not for f32
    let limit = f16_bytes + whylm_model::MIN_BATCH_BUDGET + 1000;
    let model = load_hf_model_with(
        &shared("models/stories260K-hf"),
        &LoadOptions {
            dtype: WeightDtype::Auto,
            max_memory: Some(limit),
        },
        &Device::Cpu,
    )
    .unwrap();
    assert_eq!(model.dtype_choice().chosen, WeightDtype::F16);
    assert_eq!(model.memory_budget(), limit - f16_bytes);
    let too_small = load_hf_model_with(
        &shared("models/stories260K-hf"),
        &LoadOptions {
            dtype: WeightDtype::Auto,
            max_memory: Some(f16_bytes),
        },
        &Device::Cpu,
    );
    let message = too_small.expect_err("refused").to_string();
    assert!(
        message.contains("memory limit") && !message.contains('\n'),
        "{message}"
    );
}
