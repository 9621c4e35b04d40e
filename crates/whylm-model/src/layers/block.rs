//! One transformer block: x + attention(norm(x)), then + mlp(norm(x)).

use std::collections::BTreeMap;

use candle_core::Tensor;

use super::attention::{Attention, LayerKv};
use super::loader::Loader;
use super::mlp::Mlp;
use super::norm::RmsNorm;
use super::slot_cache::SlotCache;
use super::PassContext;
use crate::error::Result;
use crate::names::{Naming, Role};
use crate::rope::{RopeRow, RopeTables};

#[derive(Debug, Clone)]
pub(crate) struct Block {
    attn_norm: RmsNorm,
    attn: Attention,
    ffn_norm: RmsNorm,
    mlp: Mlp,
}

/// The block's output residual stream, its keys/values and (when kept) attention probabilities.
pub(crate) struct BlockOutput {
    pub x: Tensor,
    pub kv: LayerKv,
    pub probs: Option<Tensor>,
}

impl Block {
    pub fn load(ld: &mut Loader<'_>, layer: usize) -> Result<Self> {
        let (h, eps) = (ld.config.hidden_size, ld.config.rms_norm_eps);
        let attn_norm = RmsNorm::new(ld.vector(Role::AttnNorm, layer, h)?, eps);
        let attn = Attention::load(ld, layer)?;
        let ffn_norm = RmsNorm::new(ld.vector(Role::FfnNorm, layer, h)?, eps);
        let mlp = Mlp::load(ld, layer)?;
        Ok(Self {
            attn_norm,
            attn,
            ffn_norm,
            mlp,
        })
    }

    pub fn forward(
        &self,
        x: &Tensor,
        rope: &RopeTables,
        ctx: &PassContext<'_>,
        past: Option<&LayerKv>,
    ) -> Result<BlockOutput> {
        let h = self.attn_norm.forward(x, ctx.autograd)?;
        let attn = self.attn.forward(&h, rope, ctx, past)?;
        let x = (x + attn.out)?;
        let h = self.ffn_norm.forward(&x, ctx.autograd)?;
        let x = (&x + self.mlp.forward(&h)?)?;
        Ok(BlockOutput {
            x,
            kv: attn.kv,
            probs: attn.probs,
        })
    }

    /// One new slot (generation's step): `x` is its residual stream, updated in place; its key and value join
    /// `cache`.
    pub fn step(&self, x: &mut [f32], rope: &RopeRow, cache: &mut SlotCache) -> Result<()> {
        let attn = self.attn.step(&self.attn_norm.step(x)?, rope, cache)?;
        x.iter_mut().zip(&attn).for_each(|(x, a)| *x += a);
        let mlp = self.mlp.step(&self.ffn_norm.step(x)?)?;
        x.iter_mut().zip(&mlp).for_each(|(x, m)| *x += m);
        Ok(())
    }

    pub fn hf_tensors(&self, layer: usize, out: &mut BTreeMap<String, Tensor>) -> Result<()> {
        self.attn.hf_tensors(layer, out)?;
        self.mlp.hf_tensors(layer, out)?;
        let n = Naming::HuggingFace;
        out.insert(
            n.name(Role::AttnNorm, layer, false),
            self.attn_norm.weight.clone(),
        );
        out.insert(n.name(Role::FfnNorm, layer, false), self.ffn_norm.weight.clone());
        Ok(())
    }
}
