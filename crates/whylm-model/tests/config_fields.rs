//! config.json and GGUF metadata: fields that change the computation are read or refused with
//! an error naming them, never ignored.

mod common;

use std::collections::HashMap;

use common::*;
use serde_json::{json, Value};
use whylm_model::{Config, GgufValue, MaskedRow, Model, ModelError, RopeScaling, ScoreKind};

/// A small Llama config.json, with `extra` fields merged in (null removes a field).
fn config_json(extra: Value) -> String {
    let mut base = json!({
        "model_type": "llama",
        "hidden_size": 16,
        "intermediate_size": 40,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "vocab_size": 100,
        "max_position_embeddings": 64,
        "rope_theta": 10000.0,
        "hidden_act": "silu",
    });
    let map = base.as_object_mut().unwrap();
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            map.remove(k);
        } else {
            map.insert(k.clone(), v.clone());
        }
    }
    base.to_string()
}

/// The error for `extra`, which must name `field` and be one line.
fn refusal(extra: Value, field: &str) -> ModelError {
    let err = Config::from_hf_json(&config_json(extra)).expect_err("the config must be refused");
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "{msg}");
    assert!(msg.contains(field), "the error should name {field}: {msg}");
    err
}

#[test]
fn rope_theta_inside_rope_parameters_is_read() {
    let text = config_json(json!({"rope_theta": null,
        "rope_parameters": {"rope_theta": 100000.0, "rope_type": "default"}}));
    let c = Config::from_hf_json(&text).unwrap();
    assert_eq!(c.rope_theta, 100000.0);
    assert_eq!(c.rope_scaling, None);
    let agreeing = config_json(json!({"rope_theta": 500000.0,
        "rope_parameters": {"rope_theta": 500000.0, "rope_type": "default"}}));
    assert_eq!(Config::from_hf_json(&agreeing).unwrap().rope_theta, 500000.0);
}

#[test]
fn rope_theta_disagreeing_with_rope_parameters_is_refused() {
    let err = refusal(
        json!({"rope_theta": 10000.0, "rope_parameters": {"rope_theta": 100000.0}}),
        "rope_parameters.rope_theta",
    );
    assert!(err.to_string().contains("rope_theta is 10000"), "{err}");
}

#[test]
fn rope_parameters_carry_the_scaling_of_transformers_5() {
    let text = config_json(
        json!({"rope_theta": null, "rope_parameters": {"rope_theta": 500000.0,
        "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192}}),
    );
    let c = Config::from_hf_json(&text).unwrap();
    assert_eq!(c.rope_theta, 500000.0);
    assert!(matches!(c.rope_scaling, Some(RopeScaling::Llama3 { factor, .. }) if factor == 8.0));
}

#[test]
fn unimplemented_rope_types_are_refused() {
    for kind in ["yarn", "dynamic", "longrope"] {
        let err = refusal(
            json!({"rope_scaling": {"rope_type": kind, "factor": 4.0}}),
            "rope_scaling.rope_type",
        );
        assert!(matches!(err, ModelError::UnsupportedField { .. }), "{err}");
        assert!(err.to_string().contains(kind), "{err}");
        refusal(
            json!({"rope_parameters": {"rope_type": kind, "factor": 4.0}}),
            "rope_parameters.rope_type",
        );
    }
    // The older spelling `type`.
    refusal(json!({"rope_scaling": {"type": "su"}}), "rope_scaling.rope_type");
}

#[test]
fn logit_soft_capping_is_refused() {
    refusal(
        json!({"final_logit_softcapping": 30.0}),
        "final_logit_softcapping",
    );
    refusal(json!({"attn_logit_softcapping": 50.0}), "attn_logit_softcapping");
    // null means no capping.
    Config::from_hf_json(&config_json(json!({"final_logit_softcapping": null}))).unwrap();
}

#[test]
fn partial_rotary_factor_is_refused() {
    refusal(json!({"partial_rotary_factor": 0.5}), "partial_rotary_factor");
    refusal(
        json!({"rope_parameters": {"rope_theta": 10000.0, "partial_rotary_factor": 0.75}}),
        "rope_parameters.partial_rotary_factor",
    );
    Config::from_hf_json(&config_json(json!({"partial_rotary_factor": 1.0}))).unwrap();
}

#[test]
fn activations_other_than_silu_are_refused() {
    let err = refusal(json!({"hidden_act": "gelu_pytorch_tanh"}), "hidden_act");
    assert!(err.to_string().contains("gelu_pytorch_tanh"), "{err}");
}

#[test]
fn bias_flags_the_table_does_not_implement_are_refused() {
    refusal(json!({"mlp_bias": true}), "mlp_bias");
    refusal(
        json!({"model_type": "mistral", "attention_bias": true}),
        "attention_bias",
    );
    refusal(
        json!({"model_type": "phi3", "attention_bias": true}),
        "attention_bias",
    );
    // Llama's attention_bias (q, k, v and o) and Qwen2's q/k/v biases are implemented.
    assert!(
        Config::from_hf_json(&config_json(json!({"attention_bias": true})))
            .unwrap()
            .attention_bias
    );
    assert!(
        Config::from_hf_json(&config_json(json!({"model_type": "qwen2"})))
            .unwrap()
            .attention_bias
    );
}

#[test]
fn head_dim_other_than_hidden_over_heads_is_implemented() {
    let c = Config::from_hf_json(&config_json(json!({"head_dim": 8}))).unwrap();
    assert_eq!((c.head_dim, c.q_dim(), c.kv_dim()), (8, 32, 16));
    let model = fresh(&c);
    let scores = model
        .score_rows(&[MaskedRow::full(&[1, 2, 3])], &[4, 5], &ScoreKind::LogProb)
        .unwrap();
    assert!(scores[0].iter().all(|s| s.is_finite() && *s < 0.0), "{scores:?}");
}

#[test]
fn tied_embeddings_use_the_embedding_as_head() {
    let c = Config::from_hf_json(&config_json(json!({"tie_word_embeddings": true}))).unwrap();
    let tied = fresh(&c);
    let mut tensors = tied.hf_tensors().unwrap();
    assert!(!tensors.contains_key("lm_head.weight"));
    // The same weights with an explicit head equal to the embedding give the same logits.
    let embed = tensors["model.embed_tokens.weight"].clone();
    tensors.insert("lm_head.weight".into(), embed);
    let mut untied = c.clone();
    untied.tie_word_embeddings = false;
    let dir = temp_dir("untied");
    whylm_model::save_hf_tensors(&tensors, &untied, &dir).unwrap();
    let explicit = whylm_model::load_hf_model(&dir, &whylm_model::Device::Cpu).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!explicit.config().tie_word_embeddings);
    let ids = [1u32, 7, 42];
    let a = tied.last_logits(&ids).unwrap();
    let b = explicit.last_logits(&ids).unwrap();
    assert_eq!(a, b);
}

fn fresh(c: &Config) -> Model {
    let vb = candle_nn::VarBuilder::from_varmap(
        &candle_nn::VarMap::new(),
        whylm_model::DType::F32,
        &whylm_model::Device::Cpu,
    );
    Model::from_var_builder(c, vb).unwrap()
}

/// A model whose attention window is `window` slots.
fn windowed_model(window: usize) -> Model {
    let c = Config::from_hf_json(&config_json(
        json!({"model_type": "mistral", "sliding_window": window}),
    ))
    .unwrap();
    assert_eq!(c.sliding_window, Some(window));
    fresh(&c)
}

#[test]
fn sliding_window_refuses_only_rows_longer_than_the_window() {
    let model = windowed_model(8);
    let fits = MaskedRow::full(&[1, 2, 3, 4, 5, 6]);
    assert!(model.score_rows(&[fits], &[7, 8], &ScoreKind::LogProb).is_ok());
    let long = MaskedRow::full(&[1, 2, 3, 4, 5, 6, 7, 8]);
    let err = model
        .score_rows(&[long], &[9], &ScoreKind::LogProb)
        .expect_err("9 positions exceed a window of 8");
    assert!(
        matches!(err, ModelError::SlidingWindow { needed: 9, window: 8 }),
        "{err}"
    );
    assert!(
        err.to_string().contains("sliding_window") && err.is_input_error(),
        "{err}"
    );
}

#[test]
fn sliding_window_follows_each_architectures_rule() {
    let window = |extra: Value| Config::from_hf_json(&config_json(extra)).unwrap().sliding_window;
    // Qwen2 windows only with use_sliding_window; Llama has no window (transformers ignores it).
    assert_eq!(
        window(json!({"model_type": "qwen2", "sliding_window": 32, "use_sliding_window": false})),
        None
    );
    assert_eq!(
        window(json!({"model_type": "qwen2", "sliding_window": 32, "use_sliding_window": true})),
        Some(32)
    );
    assert_eq!(
        window(json!({"model_type": "phi3", "sliding_window": 32})),
        Some(32)
    );
    assert_eq!(
        window(json!({"model_type": "mistral", "sliding_window": null})),
        None
    );
    assert_eq!(window(json!({"sliding_window": 32})), None);
    assert_eq!(
        window(json!({"sliding_window": 32, "layer_types": ["full_attention", "sliding_attention"]})),
        Some(32)
    );
}

/// GGUF metadata of a small llama model, with `extra` keys added.
fn gguf_meta(extra: &[(&str, GgufValue)]) -> HashMap<String, GgufValue> {
    let mut m: HashMap<String, GgufValue> = [
        ("general.architecture", GgufValue::String("llama".into())),
        ("llama.embedding_length", GgufValue::U32(16)),
        ("llama.feed_forward_length", GgufValue::U32(40)),
        ("llama.block_count", GgufValue::U32(2)),
        ("llama.attention.head_count", GgufValue::U32(4)),
        ("llama.attention.head_count_kv", GgufValue::U32(2)),
        ("llama.vocab_size", GgufValue::U32(100)),
        ("llama.rope.dimension_count", GgufValue::U32(4)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in extra {
        m.insert(k.to_string(), v.clone());
    }
    m
}

fn gguf_refusal(extra: &[(&str, GgufValue)], key: &str) {
    let err = Config::from_gguf_metadata(&gguf_meta(extra), None, None).expect_err("must be refused");
    let msg = err.to_string();
    assert!(matches!(err, ModelError::UnsupportedField { .. }), "{msg}");
    assert!(
        msg.contains(key) && !msg.contains('\n'),
        "the error should name {key}: {msg}"
    );
}

#[test]
fn gguf_keys_whylm_does_not_implement_are_refused() {
    Config::from_gguf_metadata(&gguf_meta(&[]), None, None).unwrap();
    gguf_refusal(
        &[("llama.rope.scaling.type", GgufValue::String("yarn".into()))],
        "llama.rope.scaling.type",
    );
    gguf_refusal(
        &[("llama.rope.dimension_count", GgufValue::U32(2))],
        "llama.rope.dimension_count",
    );
    gguf_refusal(
        &[("llama.final_logit_softcapping", GgufValue::F32(30.0))],
        "llama.final_logit_softcapping",
    );
    gguf_refusal(
        &[("llama.attn_logit_softcapping", GgufValue::F32(50.0))],
        "llama.attn_logit_softcapping",
    );
    gguf_refusal(&[("llama.expert_count", GgufValue::U32(8))], "llama.expert_count");
}

#[test]
fn gguf_sliding_window_is_read_for_windowed_architectures() {
    let mut meta = gguf_meta(&[]);
    let keys: Vec<String> = meta.keys().filter(|k| k.starts_with("llama.")).cloned().collect();
    for k in keys {
        let v = meta.remove(&k).unwrap();
        meta.insert(k.replacen("llama.", "mistral.", 1), v);
    }
    meta.insert("general.architecture".into(), GgufValue::String("mistral".into()));
    meta.insert("mistral.attention.sliding_window".into(), GgufValue::U32(4096));
    let c = Config::from_gguf_metadata(&meta, None, None).unwrap();
    assert_eq!(c.sliding_window, Some(4096));
}

#[test]
fn llama_attention_bias_covers_the_output_projection_and_qwen2_does_not() {
    let llama = fresh(&Config::from_hf_json(&config_json(json!({"attention_bias": true}))).unwrap());
    let names = llama.hf_tensors().unwrap();
    for p in ["q_proj", "k_proj", "v_proj", "o_proj"] {
        assert!(
            names.contains_key(&format!("model.layers.1.self_attn.{p}.bias")),
            "{p}"
        );
    }
    let qwen2 = fresh(&Config::from_hf_json(&config_json(json!({"model_type": "qwen2"}))).unwrap());
    let names = qwen2.hf_tensors().unwrap();
    assert!(names.contains_key("model.layers.1.self_attn.q_proj.bias"));
    assert!(!names.contains_key("model.layers.1.self_attn.o_proj.bias"));
}
