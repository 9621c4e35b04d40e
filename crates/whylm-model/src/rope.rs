//! Rotary position embeddings: frequency tables (with Llama-3 / linear / per-frequency scaling)
//! and the two row layouts (adjacent pairs, rotate-half), with the conversion of Q/K weights
//! between them.

use std::collections::BTreeMap;

use candle_core::{Device, Tensor, D};

use crate::config::{Config, RopeScaling, RopeStyle};
use crate::error::Result;
use crate::names::{Naming, Role};

/// cos/sin for every position of the context, shape (context_length, head_dim / 2).
#[derive(Debug, Clone)]
pub(crate) struct RopeTables {
    cos: Tensor,
    sin: Tensor,
    pub style: RopeStyle,
}

pub(crate) fn inverse_frequencies(config: &Config) -> Vec<f64> {
    let half = config.head_dim / 2;
    let base: Vec<f64> = (0..half)
        .map(|i| 1.0 / config.rope_theta.powf(2.0 * i as f64 / config.head_dim as f64))
        .collect();
    match &config.rope_scaling {
        None => base,
        Some(RopeScaling::Linear { factor }) => base.iter().map(|f| f / factor).collect(),
        Some(RopeScaling::FreqFactors(factors)) => {
            base.iter().zip(factors).map(|(f, d)| f / *d as f64).collect()
        }
        Some(RopeScaling::Llama3 {
            factor,
            low_freq_factor,
            high_freq_factor,
            original_max_position_embeddings,
        }) => {
            let old = *original_max_position_embeddings as f64;
            let low_wavelen = old / low_freq_factor;
            let high_wavelen = old / high_freq_factor;
            base.iter()
                .map(|&freq| {
                    let wavelen = 2.0 * std::f64::consts::PI / freq;
                    if wavelen < high_wavelen {
                        freq
                    } else if wavelen > low_wavelen {
                        freq / factor
                    } else {
                        let smooth = (old / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
                        (1.0 - smooth) * freq / factor + smooth * freq
                    }
                })
                .collect()
        }
    }
}

/// The rotation of one position (see [`RopeTables::row`]).
pub(crate) struct RopeRow {
    cos: Vec<f32>,
    sin: Vec<f32>,
    style: RopeStyle,
}

impl RopeRow {
    /// Rotates every head of `x` (heads x head_dim, head_dim = 2 x the table's width) in place, with the
    /// arithmetic of candle's `rope` / `rope_i` kernels.
    pub fn apply(&self, x: &mut [f32]) {
        let half = self.cos.len();
        for head in x.chunks_exact_mut(2 * half) {
            for (i, (c, s)) in self.cos.iter().zip(&self.sin).enumerate() {
                let (a, b) = match self.style {
                    RopeStyle::RotateHalf => (i, i + half),
                    RopeStyle::Interleaved => (2 * i, 2 * i + 1),
                };
                let (x1, x2) = (head[a], head[b]);
                head[a] = x1 * c - x2 * s;
                head[b] = x1 * s + x2 * c;
            }
        }
    }
}

impl RopeTables {
    pub fn new(config: &Config, device: &Device) -> Result<Self> {
        let inv = inverse_frequencies(config);
        let half = inv.len();
        let n = config.context_length;
        let mut cos = Vec::with_capacity(n * half);
        let mut sin = Vec::with_capacity(n * half);
        for p in 0..n {
            for f in &inv {
                let angle = p as f64 * f;
                cos.push(angle.cos() as f32);
                sin.push(angle.sin() as f32);
            }
        }
        Ok(Self {
            cos: Tensor::from_vec(cos, (n, half), device)?,
            sin: Tensor::from_vec(sin, (n, half), device)?,
            style: config.rope_style,
        })
    }

    /// cos and sin of one position, for generation's one-slot step.
    pub fn row(&self, position: usize) -> Result<RopeRow> {
        Ok(RopeRow {
            cos: self.cos.get(position)?.to_vec1::<f32>()?,
            sin: self.sin.get(position)?.to_vec1::<f32>()?,
            style: self.style,
        })
    }

    /// cos and sin gathered for the given position ids (flattened b*s), shaped (b, s, half).
    pub fn gather(&self, positions: &Tensor, b: usize, s: usize) -> Result<(Tensor, Tensor)> {
        let half = self.cos.dim(1)?;
        let cos = self.cos.index_select(positions, 0)?.reshape((b, s, half))?;
        let sin = self.sin.index_select(positions, 0)?.reshape((b, s, half))?;
        Ok((cos, sin))
    }

    /// Applies RoPE to x of shape (b, heads, s, head_dim). `differentiable` uses only ops with a
    /// backward pass (candle's fused rope kernels have none).
    pub fn apply(&self, x: &Tensor, cos: &Tensor, sin: &Tensor, differentiable: bool) -> Result<Tensor> {
        if !differentiable {
            let x = x.contiguous()?;
            return Ok(match self.style {
                RopeStyle::Interleaved => candle_nn::rotary_emb::rope_i(&x, cos, sin)?,
                RopeStyle::RotateHalf => candle_nn::rotary_emb::rope(&x, cos, sin)?,
            });
        }
        let (b, h, s, d) = x.dims4()?;
        let half = d / 2;
        let c = cos.unsqueeze(1)?; // (b, 1, s, half)
        let sn = sin.unsqueeze(1)?;
        Ok(match self.style {
            RopeStyle::RotateHalf => {
                let x1 = x.narrow(D::Minus1, 0, half)?;
                let x2 = x.narrow(D::Minus1, half, half)?;
                let r1 = (x1.broadcast_mul(&c)? - x2.broadcast_mul(&sn)?)?;
                let r2 = (x2.broadcast_mul(&c)? + x1.broadcast_mul(&sn)?)?;
                Tensor::cat(&[r1, r2], D::Minus1)?
            }
            RopeStyle::Interleaved => {
                let xr = x.reshape((b, h, s, half, 2))?;
                let x0 = xr.narrow(D::Minus1, 0, 1)?;
                let x1 = xr.narrow(D::Minus1, 1, 1)?;
                let c = c.unsqueeze(D::Minus1)?;
                let sn = sn.unsqueeze(D::Minus1)?;
                let r0 = (x0.broadcast_mul(&c)? - x1.broadcast_mul(&sn)?)?;
                let r1 = (x0.broadcast_mul(&sn)? + x1.broadcast_mul(&c)?)?;
                Tensor::cat(&[r0, r1], D::Minus1)?.reshape((b, h, s, d))?
            }
        })
    }
}

/// Converts Q/K weights (and biases) between the two RoPE row layouts, in place.
/// HF layout = rotate-half; GGUF `llama` layout = adjacent pairs.
pub(crate) fn permute_qk(
    tensors: &mut BTreeMap<String, Tensor>,
    config: &Config,
    to: RopeStyle,
) -> Result<()> {
    let hd = config.head_dim;
    for l in 0..config.num_layers {
        for (role, heads) in [(Role::Q, config.num_heads), (Role::K, config.num_kv_heads)] {
            for bias in [false, true] {
                let name = Naming::HuggingFace.name(role, l, bias);
                let Some(w) = tensors.get(&name) else { continue };
                let cols = if bias { 1 } else { w.dim(1)? };
                // Interleaved row (head, i, pair) <-> rotate-half row (head, pair, i).
                let split = match to {
                    RopeStyle::RotateHalf => (heads, hd / 2, 2, cols),
                    RopeStyle::Interleaved => (heads, 2, hd / 2, cols),
                };
                let p = w
                    .reshape(split)?
                    .transpose(1, 2)?
                    .contiguous()?
                    .reshape(w.shape())?;
                tensors.insert(name, p);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(style: RopeStyle) -> RopeTables {
        let mut c = Config::tiny_llama(10, 16, 8, 1, 2, 2, 12);
        c.rope_style = style;
        RopeTables::new(&c, &Device::Cpu).unwrap()
    }

    #[test]
    fn fused_and_differentiable_rope_agree() {
        for style in [RopeStyle::Interleaved, RopeStyle::RotateHalf] {
            let t = tables(style);
            let x = Tensor::randn(0f32, 1.0, (2, 2, 5, 8), &Device::Cpu).unwrap();
            let pos = Tensor::new(&[0u32, 3, 1, 7, 2, 5, 5, 0, 11, 4], &Device::Cpu).unwrap();
            let (c, s) = t.gather(&pos, 2, 5).unwrap();
            let a = t.apply(&x, &c, &s, false).unwrap();
            let b = t.apply(&x, &c, &s, true).unwrap();
            let diff = (a - b)
                .unwrap()
                .abs()
                .unwrap()
                .max_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap();
            assert!(diff < 1e-6, "{style:?}: {diff}");
        }
    }

    /// Generation's one-slot rotation gives the fused kernel's bits for every head and both layouts.
    #[test]
    fn one_row_rotation_equals_the_fused_kernel() {
        for style in [RopeStyle::Interleaved, RopeStyle::RotateHalf] {
            let t = tables(style);
            let x = Tensor::randn(0f32, 1.0, (1, 2, 1, 8), &Device::Cpu).unwrap();
            let pos = Tensor::new(&[7u32], &Device::Cpu).unwrap();
            let (c, s) = t.gather(&pos, 1, 1).unwrap();
            let want = t
                .apply(&x, &c, &s, false)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            let mut got = x.flatten_all().unwrap().to_vec1::<f32>().unwrap();
            t.row(7).unwrap().apply(&mut got);
            assert_eq!(got, want, "{style:?}");
        }
    }

    #[test]
    fn llama3_scaling_keeps_high_and_divides_low_frequencies() {
        let mut c = Config::tiny_llama(10, 128, 8, 1, 1, 1, 12);
        c.rope_theta = 500000.0;
        let plain = inverse_frequencies(&c);
        c.rope_scaling = Some(RopeScaling::Llama3 {
            factor: 8.0,
            low_freq_factor: 1.0,
            high_freq_factor: 4.0,
            original_max_position_embeddings: 8192,
        });
        let scaled = inverse_frequencies(&c);
        assert_eq!(scaled[0], plain[0]);
        let last = plain.len() - 1;
        assert!((scaled[last] - plain[last] / 8.0).abs() < 1e-15);
    }
}
