//! Shared test helpers: the real model files in ../shared and the golden shap values.
#![allow(dead_code)]

pub mod pylit;

use std::path::PathBuf;

use serde_json::Value;
use whylm_explain::ExplainModel;
use whylm_model::LoadedModel;

pub fn shared(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/")).join(path)
}

pub fn hf_dir() -> PathBuf {
    shared("models/stories260K-hf")
}

pub fn gguf_path() -> PathBuf {
    shared("models/stories260K/stories260K.gguf")
}

/// A model file loaded with its tokenizer; it is its own backend.
pub type Loaded = LoadedModel;

/// What `explain` needs: the backend and the report's model description.
pub trait ExplainModelOf {
    fn explain_model(&self, name: &str) -> ExplainModel<'_>;
}

impl ExplainModelOf for Loaded {
    fn explain_model(&self, name: &str) -> ExplainModel<'_> {
        ExplainModel {
            backend: self,
            info: whylm_report::ModelInfo {
                name: name.into(),
                path: String::new(),
                architecture: "llama".into(),
                ..Default::default()
            },
        }
    }
}

pub fn load_hf() -> Loaded {
    whylm_model::load(&hf_dir()).expect("the HF stories260K directory loads with its tokenizer.json")
}

pub fn load_gguf() -> Loaded {
    whylm_model::load(&gguf_path()).expect("the stories260K GGUF loads with its embedded tokenizer")
}

/// One case of golden/shap_stories260K.json. Fields may be JSON values or strings holding Python literals.
pub struct ShapCase {
    pub prompt: String,
    pub target: String,
    pub segments: Vec<String>,
    pub token_ids: Vec<u32>,
    pub feature_segment_index: Vec<usize>,
    pub masked_texts_first8: Vec<String>,
    pub values_by_bitmask: Vec<Vec<f64>>,
    pub shapley: Vec<Vec<f64>>,
    pub base_value: Vec<f64>,
    pub full_value: Vec<f64>,
}

fn field(case: &Value, name: &str) -> Value {
    match &case[name] {
        Value::String(s) if name != "prompt" && name != "target" => pylit::parse(s)
            .unwrap_or_else(|e| panic!("golden field {name} is neither JSON nor a Python literal: {e}")),
        other => other.clone(),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .expect("a list of lists")
        .iter()
        .map(numbers)
        .collect()
}

/// The cases of golden/shap_stories260K.json.
pub fn shap_cases() -> Vec<ShapCase> {
    golden_cases("golden/shap_stories260K.json")
}

/// The cases of golden/shap_stories260K_quirks.json: prompts where shap's segments differ from whylm's tokens'
/// spans (a lone dummy-prefix "▁" whose segment repeats the next one's text).
pub fn shap_quirk_cases() -> Vec<ShapCase> {
    golden_cases("golden/shap_stories260K_quirks.json")
}

fn golden_cases(file: &str) -> Vec<ShapCase> {
    let path = shared(file);
    let text = std::fs::read_to_string(&path).expect("the golden shap file is readable");
    let root: Value = serde_json::from_str(&text).expect("the golden shap file is JSON");
    let cases = match &root {
        Value::Array(cases) => cases.clone(),
        Value::Object(o) => o
            .get("cases")
            .and_then(Value::as_array)
            .cloned()
            .expect("a list of cases"),
        _ => panic!("unexpected golden file layout"),
    };
    cases
        .iter()
        .map(|c| ShapCase {
            prompt: field(c, "prompt").as_str().expect("prompt").to_string(),
            target: field(c, "target").as_str().expect("target").to_string(),
            segments: strings(&field(c, "segments")),
            token_ids: numbers(&field(c, "token_ids"))
                .into_iter()
                .map(|x| x as u32)
                .collect(),
            feature_segment_index: numbers(&field(c, "feature_segment_index"))
                .into_iter()
                .map(|x| x as usize)
                .collect(),
            masked_texts_first8: strings(&field(c, "masked_texts_first8")),
            values_by_bitmask: matrix(&field(c, "values_by_bitmask")),
            shapley: matrix(&field(c, "shapley")),
            base_value: numbers(&field(c, "base_value")),
            full_value: numbers(&field(c, "full_value")),
        })
        .collect()
}

/// Largest absolute difference between two matrices of the same shape (panics on a shape mismatch).
pub fn max_abs_diff(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    assert_eq!(a.len(), b.len(), "row counts differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            assert_eq!(x.len(), y.len(), "row lengths differ");
            x.iter().zip(y).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max)
        })
        .fold(0.0, f64::max)
}

/// Largest absolute difference between two vectors of the same length.
pub fn max_abs_diff_vec(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter().zip(b).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max)
}
