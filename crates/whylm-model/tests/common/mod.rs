//! Shared helpers for the integration tests: reference data paths and small utilities.
#![allow(dead_code)]

use std::path::PathBuf;

use whylm_model::{load_gguf_model, load_hf_model, Device, GgufModel, Model};

pub fn shared(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/")).join(rel)
}

pub fn stories_gguf_path() -> PathBuf {
    shared("models/stories260K/stories260K.gguf")
}

pub fn stories_gguf() -> GgufModel {
    load_gguf_model(&stories_gguf_path(), &Device::Cpu).expect("stories260K.gguf loads")
}

pub fn stories_hf() -> Model {
    load_hf_model(&shared("models/stories260K-hf"), &Device::Cpu).expect("stories260K-hf loads")
}

/// A fresh empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("whylm-model-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

pub fn max_abs_diff_rows(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| max_abs_diff(x, y))
        .fold(0.0, f32::max)
}

/// Reads a JSON field that may be a list or a string holding a list.
pub fn json_list(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::String(s) => serde_json::from_str(s).expect("string holds a JSON list"),
        other => other.clone(),
    }
}
