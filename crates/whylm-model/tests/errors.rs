//! Broken inputs give one-line errors that say what is wrong, never a panic.

mod common;

use std::collections::BTreeMap;

use common::*;
use whylm_model::{
    load_gguf_model, load_hf_model, save_hf_tensors, write_gguf, Device, GenerateSettings, GgmlDType,
    GgufValue, MaskedRow, ModelError, Sampling, ScoreKind,
};

fn one_line(e: &ModelError) -> String {
    let msg = e.to_string();
    assert!(!msg.contains('\n'), "multi-line error: {msg}");
    msg
}

#[test]
fn truncated_gguf_is_reported() {
    let bytes = std::fs::read(stories_gguf_path()).unwrap();
    let dir = temp_dir("trunc");
    for cut in [bytes.len() / 2, 5000, 10] {
        let path = dir.join(format!("cut{cut}.gguf"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let err = load_gguf_model(&path, &Device::Cpu)
            .err()
            .expect("truncated file must fail");
        let msg = one_line(&err);
        assert!(matches!(err, ModelError::Gguf { .. }), "{msg}");
        assert!(msg.contains(&format!("cut{cut}.gguf")), "{msg}");
    }
}

#[test]
fn unsupported_architecture_lists_supported_ones() {
    let dir = temp_dir("gpt2");
    let path = dir.join("gpt2.gguf");
    let t = candle_core::Tensor::zeros((4, 4), candle_core::DType::F32, &candle_core::Device::Cpu).unwrap();
    let q = candle_core::quantized::QTensor::quantize(&t, GgmlDType::F32).unwrap();
    write_gguf(
        &path,
        &[("general.architecture".into(), GgufValue::String("gpt2".into()))],
        &[("token_embd.weight".into(), q)],
    )
    .unwrap();
    let err = load_gguf_model(&path, &Device::Cpu)
        .err()
        .expect("gpt2 must fail");
    let msg = one_line(&err);
    assert!(matches!(err, ModelError::UnsupportedArchitecture { .. }));
    assert!(
        msg.contains("gpt2") && msg.contains("llama") && msg.contains("qwen2"),
        "{msg}"
    );
}

fn stories_tensors() -> BTreeMap<String, candle_core::Tensor> {
    candle_core::safetensors::load(
        shared("models/stories260K-hf/model.safetensors"),
        &candle_core::Device::Cpu,
    )
    .unwrap()
    .into_iter()
    .collect()
}

#[test]
fn safetensors_missing_a_tensor_names_it() {
    let hf = stories_hf();
    let mut tensors = stories_tensors();
    tensors.remove("model.layers.3.mlp.up_proj.weight");
    let dir = temp_dir("missing");
    save_hf_tensors(&tensors, hf.config(), &dir).unwrap();
    let err = load_hf_model(&dir, &Device::Cpu).expect_err("missing tensor must fail");
    let msg = one_line(&err);
    assert!(matches!(err, ModelError::MissingTensor { .. }));
    assert!(msg.contains("model.layers.3.mlp.up_proj.weight"), "{msg}");
}

#[test]
fn config_not_matching_weights_is_reported() {
    let dir = temp_dir("shape");
    let mut config = stories_hf().config().clone();
    config.intermediate_size = 200;
    save_hf_tensors(&stories_tensors(), &config, &dir).unwrap();
    let err = load_hf_model(&dir, &Device::Cpu).expect_err("shape mismatch must fail");
    let msg = one_line(&err);
    assert!(matches!(err, ModelError::ShapeMismatch { .. }), "{msg}");
    assert!(
        msg.contains("172") && msg.contains("200") && msg.contains("config.json"),
        "{msg}"
    );
}

#[test]
fn prompt_longer_than_context_is_reported() {
    let model = stories_hf(); // context 512
    let long: Vec<u32> = std::iter::once(1)
        .chain((0..600).map(|i| 259 + (i % 200) as u32))
        .collect();
    let err = model
        .score_rows(&[MaskedRow::full(&long)], &[261], &ScoreKind::LogProb)
        .expect_err("too long must fail");
    let msg = one_line(&err);
    assert!(matches!(err, ModelError::ContextOverflow { .. }), "{msg}");
    assert!(msg.contains("512"), "{msg}");
    // Exactly filling the context with the target is fine; one more is not.
    let fits: Vec<u32> = long[..511].to_vec();
    assert!(model
        .score_rows(&[MaskedRow::full(&fits)], &[261], &ScoreKind::LogProb)
        .is_ok());
    assert!(model
        .score_rows(&[MaskedRow::full(&fits)], &[261, 262], &ScoreKind::LogProb)
        .is_err());
    let settings = GenerateSettings {
        max_new_tokens: 4,
        sampling: Sampling::Greedy,
        stop_tokens: vec![],
    };
    assert!(model.generate(&long, &settings, &mut |_| {}).is_err());
}

#[test]
fn bad_token_ids_and_empty_inputs_are_errors() {
    let model = stories_hf();
    let row = MaskedRow::full(&[1, 600]);
    assert!(matches!(
        model.score_rows(&[row], &[5], &ScoreKind::LogProb),
        Err(ModelError::InvalidInput(_))
    ));
    assert!(model
        .score_rows(&[MaskedRow::full(&[1])], &[], &ScoreKind::LogProb)
        .is_err());
    let hidden = MaskedRow {
        token_ids: vec![1, 5],
        attend: vec![false, false],
        position_ids: vec![0, 1],
    };
    assert!(model.score_rows(&[hidden], &[5], &ScoreKind::LogProb).is_err());
    assert!(model
        .score_rows(&[MaskedRow::full(&[1])], &[5, 6], &ScoreKind::Contrast(vec![7]))
        .is_err());
}

#[test]
fn internal_errors_are_not_blamed_on_the_input() {
    use whylm_model::BackendError;
    let bug = ModelError::Internal("the generation cache holds 5 slots but the sequence has only 4".into());
    assert!(!bug.is_input_error());
    assert!(one_line(&bug).contains("bug"));
    assert!(!BackendError::from(bug).is_user_error());
    for input in [
        ModelError::InvalidInput("token id 600 is outside the vocabulary of 512".into()),
        ModelError::ContextOverflow {
            needed: 600,
            context: 512,
        },
        ModelError::SlidingWindow { needed: 9, window: 8 },
    ] {
        assert!(input.is_input_error(), "{input}");
        assert!(BackendError::from(input).is_user_error());
    }
}
