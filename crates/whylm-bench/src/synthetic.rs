//! A synthetic Llama with seeded random weights, written as a Hugging Face directory and as a
//! GGUF file so that other tools (llama.cpp, transformers) can run the very same weights.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use whylm_model::{load_hf_model, save_gguf, save_hf_tensors, Config, GgmlDType};

use crate::error::{BenchError, Result};

/// Shape of the synthetic model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyntheticSpec {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub ffn: usize,
    pub vocab: usize,
    pub context: usize,
    pub seed: u64,
}

impl Default for SyntheticSpec {
    /// The suite's model: dim 512, 8 layers, 8 heads, 8 KV heads, FFN 1376, vocab 32000.
    fn default() -> Self {
        Self {
            hidden: 512,
            layers: 8,
            heads: 8,
            kv_heads: 8,
            ffn: 1376,
            vocab: 32000,
            context: 2048,
            seed: 0,
        }
    }
}

impl SyntheticSpec {
    pub fn config(&self) -> Config {
        let mut c = Config::tiny_llama(
            self.vocab,
            self.hidden,
            self.ffn,
            self.layers,
            self.heads,
            self.kv_heads,
            self.context,
        );
        c.bos_token_id = Some(1);
        c
    }
}

/// Where the synthetic model was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyntheticFiles {
    pub gguf: PathBuf,
    pub hf_dir: PathBuf,
}

/// Seeded weights with Hugging Face names: matrices uniform with standard deviation 0.02 (as a
/// fresh Llama), norms 1. The same seed gives the same bytes on every machine.
pub fn synthetic_tensors(spec: &SyntheticSpec) -> Result<BTreeMap<String, Tensor>> {
    let c = spec.config();
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let half_width = 0.02 * 3f32.sqrt();
    let mut matrix = |rows: usize, cols: usize| -> Result<Tensor> {
        let data: Vec<f32> = (0..rows * cols)
            .map(|_| (rng.random::<f32>() * 2.0 - 1.0) * half_width)
            .collect();
        Ok(Tensor::from_vec(data, (rows, cols), &Device::Cpu)?)
    };
    let ones = |n: usize| -> Result<Tensor> { Ok(Tensor::ones(n, candle_core::DType::F32, &Device::Cpu)?) };
    let (h, qd, kvd, f, v) = (
        c.hidden_size,
        c.q_dim(),
        c.kv_dim(),
        c.intermediate_size,
        c.vocab_size,
    );
    let mut out = BTreeMap::new();
    out.insert("model.embed_tokens.weight".to_string(), matrix(v, h)?);
    for l in 0..c.num_layers {
        let p = format!("model.layers.{l}.");
        out.insert(format!("{p}input_layernorm.weight"), ones(h)?);
        out.insert(format!("{p}self_attn.q_proj.weight"), matrix(qd, h)?);
        out.insert(format!("{p}self_attn.k_proj.weight"), matrix(kvd, h)?);
        out.insert(format!("{p}self_attn.v_proj.weight"), matrix(kvd, h)?);
        out.insert(format!("{p}self_attn.o_proj.weight"), matrix(h, qd)?);
        out.insert(format!("{p}post_attention_layernorm.weight"), ones(h)?);
        out.insert(format!("{p}mlp.gate_proj.weight"), matrix(f, h)?);
        out.insert(format!("{p}mlp.up_proj.weight"), matrix(f, h)?);
        out.insert(format!("{p}mlp.down_proj.weight"), matrix(h, f)?);
    }
    out.insert("model.norm.weight".to_string(), ones(h)?);
    out.insert("lm_head.weight".to_string(), matrix(v, h)?);
    Ok(out)
}

/// Writes the synthetic model into `dir` as `hf/` (config.json + model.safetensors) and
/// `synthetic.gguf` (F32, llama.cpp's adjacent-pair RoPE rows).
pub fn write_synthetic(spec: &SyntheticSpec, dir: &Path) -> Result<SyntheticFiles> {
    std::fs::create_dir_all(dir).map_err(|source| BenchError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let hf_dir = dir.join("hf");
    let gguf = dir.join("synthetic.gguf");
    save_hf_tensors(&synthetic_tensors(spec)?, &spec.config(), &hf_dir)?;
    // The GGUF is written from the loaded HF model, so both files hold the same weights.
    let model = load_hf_model(&hf_dir, &Device::Cpu)?;
    save_gguf(&model, &gguf, GgmlDType::F32, &HashMap::new())?;
    Ok(SyntheticFiles { gguf, hf_dir })
}

#[cfg(test)]
mod tests {
    use super::*;
    use whylm_model::load_gguf_model;

    fn tiny() -> SyntheticSpec {
        SyntheticSpec {
            hidden: 32,
            layers: 2,
            heads: 4,
            kv_heads: 2,
            ffn: 48,
            vocab: 64,
            context: 64,
            seed: 3,
        }
    }

    #[test]
    fn gguf_and_hf_copies_compute_the_same_logits() {
        let dir = std::env::temp_dir().join(format!("whylm-bench-synth-{}", std::process::id()));
        let files = write_synthetic(&tiny(), &dir).unwrap();
        let hf = load_hf_model(&files.hf_dir, &Device::Cpu).unwrap();
        let gguf = load_gguf_model(&files.gguf, &Device::Cpu).unwrap().model;
        assert_eq!(gguf.config().num_kv_heads, 2);
        let ids = [1u32, 7, 9, 33, 2, 63];
        let a = hf.last_logits(&ids).unwrap();
        let b = gguf.last_logits(&ids).unwrap();
        let diff = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0f32, f32::max);
        assert!(diff < 1e-5, "{diff}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn weights_are_seeded_with_the_intended_spread() {
        let a = synthetic_tensors(&tiny()).unwrap();
        let b = synthetic_tensors(&tiny()).unwrap();
        let q = |m: &BTreeMap<String, Tensor>| {
            m["model.layers.1.self_attn.q_proj.weight"]
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap()
        };
        assert_eq!(q(&a), q(&b));
        let v = q(&a);
        let std = (v.iter().map(|x| x * x).sum::<f32>() / v.len() as f32).sqrt();
        assert!((std - 0.02).abs() < 0.003, "{std}");
    }
}
