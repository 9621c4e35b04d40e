//! The Llama-family forward pass on candle ops: RMSNorm, RoPE, grouped-query attention, SwiGLU.
//! One forward serves masked batches (per-row attend flags and positions), plain logits,
//! attention capture and the differentiable training path.

use std::collections::BTreeMap;

use candle_core::quantized::QMatMul;
use candle_core::{DType, Device, Tensor, D};

use crate::config::{Architecture, Config};
use crate::error::{ModelError, Result};
use crate::prefix::PrefixCache;
use crate::rope::RopeTables;
use crate::weights::{require, Linear, Naming, Role, Weight, WeightSource};
use whylm_backend::MaskedRow;

#[derive(Debug, Clone)]
enum AttnProj {
    Separate {
        q: Linear,
        k: Linear,
        v: Linear,
    },
    /// Phi-3: rows [q; k; v].
    Fused(Linear),
}

#[derive(Debug, Clone)]
enum MlpProj {
    Separate {
        gate: Linear,
        up: Linear,
    },
    /// Phi-3: rows [gate; up].
    Fused(Linear),
}

#[derive(Debug, Clone)]
struct Layer {
    attn_norm: Tensor,
    attn: AttnProj,
    o: Linear,
    ffn_norm: Tensor,
    mlp: MlpProj,
    down: Linear,
}

/// Storage summary of the loaded weights, for `whylm inspect`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeightStats {
    /// Unique parameters (a tied output head counts once).
    pub parameters: usize,
    /// Bytes of weight storage as loaded.
    pub bytes: usize,
    /// Parameters per storage type ("F32", "Q4_K", ...).
    pub parameters_by_type: BTreeMap<String, usize>,
}

impl WeightStats {
    fn add(&mut self, w: &Weight) {
        let n: usize = w.dims().iter().product();
        self.parameters += n;
        self.bytes += w.storage_bytes();
        *self.parameters_by_type.entry(w.type_name()).or_default() += n;
    }

    /// The storage type holding most parameters.
    pub fn dominant_type(&self) -> String {
        self.parameters_by_type
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(t, _)| t.clone())
            .unwrap_or_default()
    }
}

/// Default memory budget for one scoring batch (activations + attention), in bytes.
pub const DEFAULT_MEMORY_BUDGET: usize = 1 << 30;

/// A loaded Llama-family model.
#[derive(Debug, Clone)]
pub struct Model {
    config: Config,
    device: Device,
    embed: QMatMul,
    layers: Vec<Layer>,
    final_norm: Tensor,
    output: Linear,
    rope: RopeTables,
    memory_budget: usize,
    stats: WeightStats,
    /// Score rows that share leading tokens by computing those tokens' keys/values once.
    prefix_sharing: bool,
    /// The shared prefix of the latest scoring batches (clones share it: same weights).
    prefix_cache: PrefixCache,
}

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

/// Inputs of one forward pass, already on the device. `mask` is (batch, 1, seq, past + seq):
/// the first `past` key columns belong to cached keys/values that every query may see.
pub(crate) struct Prepared {
    pub ids: Tensor,
    pub positions: Tensor,
    pub mask: Tensor,
    pub batch: usize,
    pub seq: usize,
}

impl Model {
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn weight_stats(&self) -> &WeightStats {
        &self.stats
    }

    pub fn memory_budget(&self) -> usize {
        self.memory_budget
    }

    /// Bytes that one scoring batch may use for activations and attention scores; the batch
    /// size of [`Model::score_rows`] follows from it.
    pub fn set_memory_budget(&mut self, bytes: usize) {
        self.memory_budget = bytes.max(1);
    }

    /// Whether [`Model::score_rows`] computes the leading tokens that all rows of a batch share
    /// (same ids, visible, same positions) once and reuses their keys/values (on by default).
    pub fn prefix_sharing(&self) -> bool {
        self.prefix_sharing
    }

    /// Turns prefix sharing on or off (off: every row runs its whole length, for comparison).
    pub fn set_prefix_sharing(&mut self, on: bool) {
        self.prefix_sharing = on;
        if !on {
            self.prefix_cache.clear();
        }
    }

    /// Drops the cached prefix keys/values (they are also replaced when another prefix comes).
    pub fn clear_prefix_cache(&self) {
        self.prefix_cache.clear();
    }

    pub(crate) fn prefix_cache(&self) -> &PrefixCache {
        &self.prefix_cache
    }

    /// Builds a model from a checkpoint's tensors.
    pub(crate) fn build(
        config: Config,
        src: &mut dyn WeightSource,
        naming: Naming,
        device: &Device,
    ) -> Result<Self> {
        config.validate()?;
        let arch = config.architecture.name();
        let (h, v, i) = (config.hidden_size, config.vocab_size, config.intermediate_size);
        let (qd, kvd) = (config.q_dim(), config.kv_dim());
        let mut stats = WeightStats::default();
        let mut take =
            |src: &mut dyn WeightSource, role: Role, layer: usize, shape: &[usize]| -> Result<Weight> {
                let w = require(src, &naming.name(role, layer, false), shape, arch)?;
                stats.add(&w);
                Ok(w)
            };
        let embed_w = take(src, Role::Embed, 0, &[v, h])?;
        let embed = embed_w.to_qmatmul()?;
        let mut layers = Vec::with_capacity(config.num_layers);
        for l in 0..config.num_layers {
            let attn_norm = take(src, Role::AttnNorm, l, &[h])?.to_f32()?;
            let fused_qkv =
                config.architecture == Architecture::Phi3 && src.contains(&naming.name(Role::Qkv, l, false));
            let attn = if fused_qkv {
                let w = take(src, Role::Qkv, l, &[qd + 2 * kvd, h])?;
                AttnProj::Fused(linear(
                    src,
                    &naming,
                    Role::Qkv,
                    l,
                    &w,
                    config.attention_bias,
                    qd + 2 * kvd,
                )?)
            } else {
                let q = take(src, Role::Q, l, &[qd, h])?;
                let k = take(src, Role::K, l, &[kvd, h])?;
                let vw = take(src, Role::V, l, &[kvd, h])?;
                AttnProj::Separate {
                    q: linear(src, &naming, Role::Q, l, &q, config.attention_bias, qd)?,
                    k: linear(src, &naming, Role::K, l, &k, config.attention_bias, kvd)?,
                    v: linear(src, &naming, Role::V, l, &vw, config.attention_bias, kvd)?,
                }
            };
            let o = take(src, Role::O, l, &[h, qd])?;
            let ffn_norm = take(src, Role::FfnNorm, l, &[h])?.to_f32()?;
            let fused_mlp = config.architecture == Architecture::Phi3
                && (naming == Naming::Gguf || src.contains(&naming.name(Role::GateUp, l, false)))
                && !src.contains(&naming.name(Role::Gate, l, false));
            let mlp = if fused_mlp {
                let w = take(src, Role::GateUp, l, &[2 * i, h])?;
                MlpProj::Fused(plain(&w)?)
            } else {
                let gate = take(src, Role::Gate, l, &[i, h])?;
                let up = take(src, Role::Up, l, &[i, h])?;
                MlpProj::Separate {
                    gate: plain(&gate)?,
                    up: plain(&up)?,
                }
            };
            let down = take(src, Role::Down, l, &[h, i])?;
            layers.push(Layer {
                attn_norm,
                attn,
                o: plain(&o)?,
                ffn_norm,
                mlp,
                down: plain(&down)?,
            });
        }
        let final_norm = take(src, Role::FinalNorm, 0, &[h])?.to_f32()?;
        let output_name = naming.name(Role::Output, 0, false);
        let mut config = config;
        // GGUF files omit output.weight when the head is tied to the embedding.
        let tied = config.tie_word_embeddings || (naming == Naming::Gguf && !src.contains(&output_name));
        config.tie_word_embeddings = tied;
        let output = if tied {
            plain(&embed_w)?
        } else {
            plain(&take(src, Role::Output, 0, &[v, h])?)?
        };
        let rope = RopeTables::new(&config, device)?;
        Ok(Self {
            config,
            device: device.clone(),
            embed,
            layers,
            final_norm,
            output,
            rope,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            stats,
            prefix_sharing: true,
            prefix_cache: PrefixCache::default(),
        })
    }

    /// Builds a model whose weights come from a `VarBuilder` with Hugging Face tensor names.
    /// With a `VarBuilder::from_varmap`, missing tensors are created (norms = 1, matrices
    /// ~ N(0, 0.02)), so this is also how a fresh model for training is made.
    pub fn from_var_builder(config: &Config, vb: candle_nn::VarBuilder) -> Result<Self> {
        let device = vb.device().clone();
        let mut src = crate::sources::VarBuilderSource { vb };
        Self::build(config.clone(), &mut src, Naming::HuggingFace, &device)
    }

    pub(crate) fn rms(&self, x: &Tensor, alpha: &Tensor, differentiable: bool) -> Result<Tensor> {
        let eps = self.config.rms_norm_eps as f32;
        Ok(if differentiable {
            candle_nn::ops::rms_norm_slow(x, alpha, eps)?
        } else {
            candle_nn::ops::rms_norm(&x.contiguous()?, alpha, eps)?
        })
    }

    /// Checks that every position fits the context.
    pub(crate) fn check_context(&self, needed: usize) -> Result<()> {
        if needed > self.config.context_length {
            return Err(ModelError::ContextOverflow {
                needed,
                context: self.config.context_length,
            });
        }
        Ok(())
    }

    /// Moves rows (equal lengths) to the device with an additive mask: causal AND attend[key];
    /// each slot may always attend to itself so that hidden query rows stay finite.
    pub(crate) fn prepare(&self, rows: &[MaskedRow]) -> Result<Prepared> {
        self.prepare_after(rows, 0)
    }

    /// Like [`Model::prepare`] for rows that follow `past` cached slots, all visible.
    pub(crate) fn prepare_after(&self, rows: &[MaskedRow], past: usize) -> Result<Prepared> {
        let b = rows.len();
        let s = rows.first().map(MaskedRow::len).unwrap_or(0);
        if b == 0 || s == 0 {
            return Err(ModelError::InvalidInput("empty batch or empty row".into()));
        }
        let mut ids = Vec::with_capacity(b * s);
        let mut pos = Vec::with_capacity(b * s);
        let keys = past + s;
        let mut mask = vec![f32::NEG_INFINITY; b * s * keys];
        let vocab = self.config.vocab_size as u32;
        for (r, row) in rows.iter().enumerate() {
            if row.len() != s || row.attend.len() != s || row.position_ids.len() != s {
                return Err(ModelError::InvalidInput(format!(
                    "row {r} has {} tokens, {} attend flags and {} positions; all rows of a batch need {s}",
                    row.token_ids.len(),
                    row.attend.len(),
                    row.position_ids.len()
                )));
            }
            if let Some(bad) = row.token_ids.iter().find(|t| **t >= vocab) {
                return Err(ModelError::InvalidInput(format!(
                    "token id {bad} is outside the vocabulary of {vocab}"
                )));
            }
            let max_pos = row.position_ids.iter().max().copied().unwrap_or(0) as usize;
            self.check_context(max_pos + 1)?;
            ids.extend_from_slice(&row.token_ids);
            pos.extend_from_slice(&row.position_ids);
            let m = &mut mask[r * s * keys..(r + 1) * s * keys];
            for q in 0..s {
                let line = &mut m[q * keys..(q + 1) * keys];
                line[..past].fill(0.0);
                for k in 0..=q {
                    if row.attend[k] || k == q {
                        line[past + k] = 0.0;
                    }
                }
            }
        }
        Ok(Prepared {
            ids: Tensor::from_vec(ids, b * s, &self.device)?,
            positions: Tensor::from_vec(pos, b * s, &self.device)?,
            mask: Tensor::from_vec(mask, (b, 1, s, keys), &self.device)?,
            batch: b,
            seq: s,
        })
    }

    /// Final hidden states (before the output norm), shape (b*s, hidden).
    pub(crate) fn hidden_states(
        &self,
        p: &Prepared,
        differentiable: bool,
        capture: Option<&mut Vec<Tensor>>,
    ) -> Result<Tensor> {
        Ok(self.run(p, None, false, differentiable, capture)?.0)
    }

    /// The layers over `p`, whose slots follow the cached `past` keys/values (batch 1 = shared
    /// by every row, or one per row). Returns the final hidden states (b*s, hidden) and, with
    /// `keep_kv`, every layer's keys/values over past + new slots (for caches).
    pub(crate) fn run(
        &self,
        p: &Prepared,
        past: Option<&[LayerKv]>,
        keep_kv: bool,
        differentiable: bool,
        mut capture: Option<&mut Vec<Tensor>>,
    ) -> Result<(Tensor, Vec<LayerKv>)> {
        let c = &self.config;
        let (b, s) = (p.batch, p.seq);
        let (nh, nkv, hd) = (c.num_heads, c.num_kv_heads, c.head_dim);
        let groups = nh / nkv;
        let scale = 1.0 / (hd as f64).sqrt();
        if let Some(past) = past {
            if past.len() != self.layers.len() {
                return Err(ModelError::InvalidInput(format!(
                    "cached keys/values cover {} layers but the model has {}",
                    past.len(),
                    self.layers.len()
                )));
            }
        }
        let (cos, sin) = self.rope.gather(&p.positions, b, s)?;
        let mut x = self.embed.embedding(&p.ids)?.to_dtype(DType::F32)?;
        let mut kept = Vec::with_capacity(if keep_kv { self.layers.len() } else { 0 });
        for (l, layer) in self.layers.iter().enumerate() {
            let h = self.rms(&x, &layer.attn_norm, differentiable)?;
            let (q, k, v) = match &layer.attn {
                AttnProj::Separate { q, k, v } => (q.forward(&h)?, k.forward(&h)?, v.forward(&h)?),
                AttnProj::Fused(qkv) => {
                    let all = qkv.forward(&h)?;
                    let (qd, kvd) = (c.q_dim(), c.kv_dim());
                    (
                        all.narrow(1, 0, qd)?,
                        all.narrow(1, qd, kvd)?,
                        all.narrow(1, qd + kvd, kvd)?,
                    )
                }
            };
            let q = q.reshape((b, s, nh, hd))?.transpose(1, 2)?.contiguous()?;
            let k = k.reshape((b, s, nkv, hd))?.transpose(1, 2)?.contiguous()?;
            let v = v.reshape((b, s, nkv, hd))?.transpose(1, 2)?.contiguous()?;
            // Scaling q (s slots) is cheaper than scaling the scores (s x keys).
            let q = (self.rope.apply(&q, &cos, &sin, differentiable)? * scale)?;
            let k = self.rope.apply(&k, &cos, &sin, differentiable)?;
            let (k, v) = match past {
                Some(past) => {
                    let cached = &past[l];
                    let n = cached.len()?;
                    // A shared prefix (batch 1) is broadcast over the rows; the copy made by
                    // cat is small next to the projections it saves.
                    let widen = |t: &Tensor| -> Result<Tensor> {
                        Ok(if t.dim(0)? == b {
                            t.clone()
                        } else {
                            t.broadcast_as((b, nkv, n, hd))?.contiguous()?
                        })
                    };
                    (
                        Tensor::cat(&[widen(&cached.k)?, k], 2)?,
                        Tensor::cat(&[widen(&cached.v)?, v], 2)?,
                    )
                }
                None => (k, v),
            };
            let keys = k.dim(2)?;
            if keep_kv {
                kept.push(LayerKv {
                    k: k.clone(),
                    v: v.clone(),
                });
            }
            // Query heads sharing one key/value head are stacked along the query axis, so
            // grouped-query attention needs no copy of K and V.
            let q = q.reshape((b, nkv, groups * s, hd))?;
            let scores = q.matmul(&k.t()?)?.reshape((b, nh, s, keys))?;
            let scores = scores.broadcast_add(&p.mask)?;
            let probs = if differentiable {
                candle_nn::ops::softmax(&scores, D::Minus1)?
            } else {
                candle_nn::ops::softmax_last_dim(&scores)?
            };
            if let Some(cap) = capture.as_deref_mut() {
                cap.push(probs.clone());
            }
            let attn = probs
                .reshape((b, nkv, groups * s, keys))?
                .matmul(&v)?
                .reshape((b, nh, s, hd))?
                .transpose(1, 2)?
                .reshape((b * s, nh * hd))?;
            x = (x + layer.o.forward(&attn)?)?;
            let h = self.rms(&x, &layer.ffn_norm, differentiable)?;
            let act = match &layer.mlp {
                MlpProj::Separate { gate, up } => (gate.forward(&h)?.silu()? * up.forward(&h)?)?,
                MlpProj::Fused(gu) => {
                    let all = gu.forward(&h)?;
                    let i = c.intermediate_size;
                    (all.narrow(1, 0, i)?.silu()? * all.narrow(1, i, i)?)?
                }
            };
            x = (x + layer.down.forward(&act)?)?;
        }
        Ok((x, kept))
    }

    /// Output norm + head on selected hidden states (n, hidden) -> logits (n, vocab).
    pub(crate) fn head(&self, h: &Tensor, differentiable: bool) -> Result<Tensor> {
        let h = self.rms(h, &self.final_norm, differentiable)?;
        self.output.forward(&h)
    }

    /// Logits at every slot of the rows (equal lengths), shape (b, s, vocab). Meant for
    /// generation and tests; scoring should use [`Model::score_rows`].
    pub fn forward_rows(&self, rows: &[MaskedRow]) -> Result<Tensor> {
        let p = self.prepare(rows)?;
        let h = self.hidden_states(&p, false, None)?;
        Ok(self
            .head(&h, false)?
            .reshape((p.batch, p.seq, self.config.vocab_size))?)
    }

    /// Logits for one unmasked sequence, shape (len, vocab).
    pub fn forward_ids(&self, ids: &[u32]) -> Result<Tensor> {
        Ok(self.forward_rows(&[MaskedRow::full(ids)])?.squeeze(0)?)
    }

    /// Logits at the last position of an unmasked sequence.
    pub fn last_logits(&self, ids: &[u32]) -> Result<Vec<f32>> {
        let logits = self.forward_ids(ids)?;
        let n = logits.dim(0)?;
        Ok(logits.get(n - 1)?.to_vec1::<f32>()?)
    }

    /// Differentiable forward over token ids (b, L) (u32), returning logits (b, L, vocab).
    /// Uses only ops with a backward pass, for training with candle autograd.
    pub fn forward_train(&self, ids: &Tensor) -> Result<Tensor> {
        let (b, s) = ids.dims2()?;
        self.check_context(s)?;
        let positions: Vec<u32> = (0..b).flat_map(|_| 0..s as u32).collect();
        let mut mask = vec![f32::NEG_INFINITY; s * s];
        for q in 0..s {
            for k in 0..=q {
                mask[q * s + k] = 0.0;
            }
        }
        let p = Prepared {
            ids: ids.flatten_all()?.to_dtype(DType::U32)?,
            positions: Tensor::from_vec(positions, b * s, &self.device)?,
            mask: Tensor::from_vec(mask, (1, 1, s, s), &self.device)?,
            batch: b,
            seq: s,
        };
        let h = self.hidden_states(&p, true, None)?;
        Ok(self.head(&h, true)?.reshape((b, s, self.config.vocab_size))?)
    }

    /// Attention probabilities of one unmasked sequence: `data[((layer * heads + head) * n + q) * n + k]`.
    pub fn attention_probs(&self, ids: &[u32]) -> Result<AttentionMaps> {
        let p = self.prepare(&[MaskedRow::full(ids)])?;
        let mut cap = Vec::new();
        self.hidden_states(&p, false, Some(&mut cap))?;
        let mut data = Vec::new();
        for t in &cap {
            data.extend(t.flatten_all()?.to_vec1::<f32>()?);
        }
        Ok(AttentionMaps {
            layers: self.config.num_layers,
            heads: self.config.num_heads,
            len: ids.len(),
            data,
        })
    }

    /// All weights as f32 tensors with Hugging Face names and layout (quantized ones
    /// dequantized; Q/K rows of an interleaved-RoPE model permuted to rotate-half), for export.
    pub fn hf_tensors(&self) -> Result<BTreeMap<String, Tensor>> {
        let mut out = self.hf_tensors_native()?;
        if self.config.rope_style == crate::config::RopeStyle::Interleaved {
            crate::write::permute_qk(&mut out, &self.config, crate::config::RopeStyle::RotateHalf)?;
        }
        Ok(out)
    }

    fn hf_tensors_native(&self) -> Result<BTreeMap<String, Tensor>> {
        let n = Naming::HuggingFace;
        let mut out = BTreeMap::new();
        let deq = |m: &QMatMul| -> Result<Tensor> {
            Ok(match m {
                QMatMul::QTensor(q) => q.dequantize(&q.device())?,
                QMatMul::Tensor(t) | QMatMul::TensorF16(t) => t.to_dtype(DType::F32)?,
            })
        };
        let mut put = |role: Role, l: usize, lin: &Linear| -> Result<()> {
            out.insert(n.name(role, l, false), deq(&lin.weight)?);
            if let Some(b) = &lin.bias {
                out.insert(n.name(role, l, true), b.clone());
            }
            Ok(())
        };
        for (l, layer) in self.layers.iter().enumerate() {
            match &layer.attn {
                AttnProj::Separate { q, k, v } => {
                    put(Role::Q, l, q)?;
                    put(Role::K, l, k)?;
                    put(Role::V, l, v)?;
                }
                AttnProj::Fused(qkv) => put(Role::Qkv, l, qkv)?,
            }
            put(Role::O, l, &layer.o)?;
            match &layer.mlp {
                MlpProj::Separate { gate, up } => {
                    put(Role::Gate, l, gate)?;
                    put(Role::Up, l, up)?;
                }
                MlpProj::Fused(gu) => put(Role::GateUp, l, gu)?,
            }
            put(Role::Down, l, &layer.down)?;
        }
        if !self.config.tie_word_embeddings {
            put(Role::Output, 0, &self.output)?;
        }
        for (l, layer) in self.layers.iter().enumerate() {
            out.insert(n.name(Role::AttnNorm, l, false), layer.attn_norm.clone());
            out.insert(n.name(Role::FfnNorm, l, false), layer.ffn_norm.clone());
        }
        out.insert(n.name(Role::FinalNorm, 0, false), self.final_norm.clone());
        out.insert(n.name(Role::Embed, 0, false), deq(&self.embed)?);
        Ok(out)
    }
}

fn plain(w: &Weight) -> Result<Linear> {
    Ok(Linear {
        weight: w.to_qmatmul()?,
        bias: None,
    })
}

fn linear(
    src: &mut dyn WeightSource,
    naming: &Naming,
    role: Role,
    layer: usize,
    w: &Weight,
    with_bias: bool,
    out: usize,
) -> Result<Linear> {
    let bias = if with_bias {
        let name = naming.name(role, layer, true);
        Some(require(src, &name, &[out], "qwen2")?.to_f32()?)
    } else {
        None
    };
    Ok(Linear {
        weight: w.to_qmatmul()?,
        bias,
    })
}

/// Attention probabilities, layer × head × query × key.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionMaps {
    pub layers: usize,
    pub heads: usize,
    pub len: usize,
    pub data: Vec<f32>,
}

impl AttentionMaps {
    pub fn get(&self, layer: usize, head: usize, query: usize, key: usize) -> Option<f32> {
        if layer >= self.layers || head >= self.heads || query >= self.len || key >= self.len {
            return None;
        }
        self.data
            .get(((layer * self.heads + head) * self.len + query) * self.len + key)
            .copied()
    }
}
