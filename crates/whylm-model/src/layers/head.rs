//! The output head: final RMSNorm and the projection to the vocabulary (possibly tied to the
//! embedding).

use candle_core::Tensor;

use super::norm::RmsNorm;
use crate::error::Result;
use crate::weights::Linear;

#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub norm: RmsNorm,
    pub output: Linear,
}

impl Head {
    /// Selected final hidden states (n, hidden) -> logits (n, vocab).
    pub fn forward(&self, h: &Tensor, autograd: bool) -> Result<Tensor> {
        let h = self.norm.forward(h, autograd)?;
        self.output.forward(&h)
    }

    /// One final hidden state -> its logits (generation's step).
    pub fn step(&self, h: &[f32]) -> Result<Vec<f32>> {
        self.output.matvec(&self.norm.step(h)?)
    }
}
