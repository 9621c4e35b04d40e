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

    /// `autograd` uses the composed ops (the fused kernel has no backward pass).
    pub fn forward(&self, x: &Tensor, autograd: bool) -> Result<Tensor> {
        Ok(if autograd {
            candle_nn::ops::rms_norm_slow(x, &self.weight, self.eps)?
        } else {
            candle_nn::ops::rms_norm(&x.contiguous()?, &self.weight, self.eps)?
        })
    }
}
