//! RMSNorm with a learned scale.

use candle_core::Tensor;

use crate::error::Result;

#[derive(Debug, Clone)]
pub(crate) struct RmsNorm {
    pub weight: Tensor,
    pub eps: f32,
}

impl RmsNorm {
    pub fn new(weight: Tensor, eps: f64) -> Self {
        Self {
            weight,
            eps: eps as f32,
        }
    }

    /// One row `x`, with the arithmetic of candle's fused kernel (f32 sum of squares, then x / rms * weight).
    pub fn step(&self, x: &[f32]) -> Result<Vec<f32>> {
        let weight = self.weight.to_vec1::<f32>()?;
        let sum2: f32 = x.iter().map(|v| v * v).sum();
        let rms = (sum2 / x.len() as f32 + self.eps).sqrt();
        Ok(x.iter().zip(&weight).map(|(v, w)| v / rms * w).collect())
    }

    /// `autograd` uses the composed ops (the fused kernel has no backward pass).
    pub fn forward(&self, x: &Tensor, autograd: bool) -> Result<Tensor> {
        Ok(if autograd {
            candle_nn::ops::rms_norm_slow(x, &self.weight, self.eps)?
        } else {
            candle_nn::ops::rms_norm(&x.contiguous()?, &self.weight, self.eps)?
        })
    }
}
