//! Grouped-query self-attention with rotary embeddings, optionally after cached keys/values.

use std::collections::BTreeMap;

use candle_core::Tensor;

use super::attend::{attend, AttendShape};
use super::loader::Loader;
use super::slot_cache::{Heads, SlotCache};
use super::PassContext;
use crate::error::Result;
use crate::names::Role;
use crate::rope::{RopeRow, RopeTables};
use crate::row_stable::batched_matmul;
use crate::weights::Linear;

/// Keys and values of one layer for a run of slots, each (batch, kv_heads, len, head_dim);
/// batch 1 when they are shared by every row.
#[derive(Debug, Clone)]
pub(crate) struct LayerKv {
    pub k: Tensor,
    pub v: Tensor,
}

impl LayerKv {
    pub fn len(&self) -> Result<usize> {
        Ok(self.k.dim(2)?)
    }

    pub fn narrow(&self, len: usize) -> Result<Self> {
        Ok(Self {
            k: self.k.narrow(2, 0, len)?,
            v: self.v.narrow(2, 0, len)?,
        })
    }
}

#[derive(Debug, Clone)]
enum QkvProj {
    Separate {
        q: Linear,
        k: Linear,
        v: Linear,
    },
    /// Phi-3: rows [q; k; v].
    Fused(Linear),
}

#[derive(Debug, Clone)]
pub(crate) struct Attention {
    qkv: QkvProj,
    o: Linear,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
}

/// What attention leaves: its output (b*s, hidden), the keys/values over past + new slots
/// and, when the pass keeps them, the attention probabilities (b, heads, s, keys).
pub(crate) struct AttentionOutput {
    pub out: Tensor,
    pub kv: LayerKv,
    pub probs: Option<Tensor>,
}

impl Attention {
    pub fn load(ld: &mut Loader<'_>, layer: usize) -> Result<Self> {
        let c = ld.config;
        let spec = c.architecture.spec();
        let (h, qd, kvd, bias) = (c.hidden_size, c.q_dim(), c.kv_dim(), c.attention_bias);
        let qkv = if spec.fused_qkv && ld.contains(Role::Qkv, layer) {
            QkvProj::Fused(ld.linear(Role::Qkv, layer, qd + 2 * kvd, h, bias)?)
        } else {
            QkvProj::Separate {
                q: ld.linear(Role::Q, layer, qd, h, bias)?,
                k: ld.linear(Role::K, layer, kvd, h, bias)?,
                v: ld.linear(Role::V, layer, kvd, h, bias)?,
            }
        };
        let o = ld.linear(Role::O, layer, h, qd, bias && spec.o_bias_with_qkv)?;
        Ok(Self {
            qkv,
            o,
            heads: c.num_heads,
            kv_heads: c.num_kv_heads,
            head_dim: c.head_dim,
        })
    }

    fn project(&self, x: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
        Ok(match &self.qkv {
            QkvProj::Separate { q, k, v } => (q.forward(x)?, k.forward(x)?, v.forward(x)?),
            QkvProj::Fused(qkv) => {
                let all = qkv.forward(x)?;
                let qd = self.heads * self.head_dim;
                let kvd = self.kv_heads * self.head_dim;
                (
                    all.narrow(1, 0, qd)?,
                    all.narrow(1, qd, kvd)?,
                    all.narrow(1, qd + kvd, kvd)?,
                )
            }
        })
    }

    /// Attention over the normed residual `x` (b*s, hidden), whose slots follow `past`.
    pub fn forward(
        &self,
        x: &Tensor,
        rope: &RopeTables,
        ctx: &PassContext<'_>,
        past: Option<&LayerKv>,
    ) -> Result<AttentionOutput> {
        let (b, s) = (ctx.batch, ctx.seq);
        let (nh, nkv, hd) = (self.heads, self.kv_heads, self.head_dim);
        let groups = nh / nkv;
        let scale = 1.0 / (hd as f64).sqrt();
        let (q, k, v) = self.project(x)?;
        let q = q.reshape((b, s, nh, hd))?.transpose(1, 2)?.contiguous()?;
        let k = k.reshape((b, s, nkv, hd))?.transpose(1, 2)?.contiguous()?;
        let v = v.reshape((b, s, nkv, hd))?.transpose(1, 2)?.contiguous()?;
        // Scaling q (s slots) is cheaper than scaling the scores (s x keys).
        let q = (rope.apply(&q, ctx.cos, ctx.sin, ctx.autograd)? * scale)?;
        let k = rope.apply(&k, ctx.cos, ctx.sin, ctx.autograd)?;
        let kv = match past {
            Some(cached) => after_past(cached, k, v, b)?,
            None => LayerKv { k, v },
        };
        let keys = kv.len()?;
        // Query heads sharing one key/value head are stacked along the query axis, so
        // grouped-query attention needs no copy of K and V.
        let q = q.reshape((b, nkv, groups * s, hd))?;
        // gemm gives small products (few slots or keys) kernels of their own, so a row's scores would depend on
        // the batch it shares and on how its slots were split between prefix and suffix (see row_stable.rs).
        let (attn, probs) = if ctx.autograd {
            let scores = batched_matmul(&q, &kv.k.t()?)?.reshape((b, nh, s, keys))?;
            let probs = candle_nn::ops::softmax(&scores.broadcast_add(ctx.mask)?, candle_core::D::Minus1)?;
            let attn = batched_matmul(&probs.reshape((b, nkv, groups * s, keys))?, &kv.v)?;
            (attn, ctx.keep_probs.then_some(probs))
        } else {
            let shape = AttendShape {
                batch: b,
                kv_heads: nkv,
                groups,
                seq: s,
                keys,
            };
            attend(&q, &kv.k, &kv.v, ctx.mask, &shape, ctx.keep_probs)?
        };
        let attn = attn
            .reshape((b, nh, s, hd))?
            .transpose(1, 2)?
            .reshape((b * s, nh * hd))?;
        Ok(AttentionOutput {
            out: self.o.forward(&attn)?,
            kv,
            probs,
        })
    }

    /// One new slot (generation's step) over the normed residual `x` (hidden): its key and value join `cache`,
    /// its query attends to every cached slot, itself included.
    pub fn step(&self, x: &[f32], rope: &RopeRow, cache: &mut SlotCache) -> Result<Vec<f32>> {
        let (qd, kvd) = (self.heads * self.head_dim, self.kv_heads * self.head_dim);
        let (mut q, mut k, v) = match &self.qkv {
            QkvProj::Separate { q, k, v } => {
                let mut all = Linear::matvec_all(&[q, k, v], x)?.into_iter();
                let mut next = || all.next().unwrap_or_default();
                (next(), next(), next())
            }
            QkvProj::Fused(qkv) => {
                let mut q = qkv.matvec(x)?;
                let mut k = q.split_off(qd);
                let v = k.split_off(kvd);
                (q, k, v)
            }
        };
        rope.apply(&mut q);
        rope.apply(&mut k);
        // As the batched pass: q is scaled after the rotation, by the f32 value of 1/sqrt(head_dim).
        let scale = (1.0 / (self.head_dim as f64).sqrt()) as f32;
        q.iter_mut().for_each(|v| *v *= scale);
        cache.push(&k, &v);
        let shape = Heads {
            heads: self.heads,
            kv_heads: self.kv_heads,
            head_dim: self.head_dim,
        };
        self.o.matvec(&cache.attend(&q, shape))
    }

    pub fn hf_tensors(&self, layer: usize, out: &mut BTreeMap<String, Tensor>) -> Result<()> {
        match &self.qkv {
            QkvProj::Separate { q, k, v } => {
                q.hf_tensors(Role::Q, layer, out)?;
                k.hf_tensors(Role::K, layer, out)?;
                v.hf_tensors(Role::V, layer, out)?;
            }
            QkvProj::Fused(qkv) => qkv.hf_tensors(Role::Qkv, layer, out)?,
        }
        self.o.hf_tensors(Role::O, layer, out)
    }
}

/// The cached keys/values followed by the new ones. A shared prefix (batch 1) is broadcast
/// over the rows; the copy made by cat is small next to the projections it saves.
fn after_past(cached: &LayerKv, k: Tensor, v: Tensor, b: usize) -> Result<LayerKv> {
    let widen = |t: &Tensor| -> Result<Tensor> {
        Ok(if t.dim(0)? == b {
            t.clone()
        } else {
            let (_, nkv, n, hd) = t.dims4()?;
            t.broadcast_as((b, nkv, n, hd))?.contiguous()?
        })
    };
    Ok(LayerKv {
        k: Tensor::cat(&[widen(&cached.k)?, k], 2)?,
        v: Tensor::cat(&[widen(&cached.v)?, v], 2)?,
    })
}
