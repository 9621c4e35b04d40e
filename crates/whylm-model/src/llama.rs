//! The Llama-family network: embedding, blocks, output head and RoPE tables, built from a
//! checkpoint's tensors. It holds weights only, no scoring state.

use std::collections::BTreeMap;

use candle_core::{Device, Tensor};

use crate::config::{Config, RopeStyle};
use crate::dtype::WeightDtype;
use crate::error::{ModelError, Result};
use crate::forward::{ForwardOptions, Forwarded, Prepared};
use crate::layers::{Block, Embedding, Head, Loader, PassContext, RmsNorm, SlotCache};
use crate::names::{Naming, Role};
use crate::rope::{permute_qk, RopeTables};
use crate::stats::WeightStats;
use crate::weights::{Linear, WeightSource};

#[derive(Debug, Clone)]
pub(crate) struct Llama {
    pub config: Config,
    pub device: Device,
    pub stats: WeightStats,
    embed: Embedding,
    blocks: Vec<Block>,
    head: Head,
    rope: RopeTables,
}

impl Llama {
    /// Builds the network from a checkpoint's tensors, its matrices stored as `dtype` (not `Auto`).
    pub fn load(
        config: Config,
        src: &mut dyn WeightSource,
        naming: Naming,
        dtype: WeightDtype,
        device: &Device,
    ) -> Result<Self> {
        config.validate()?;
        let mut config = config;
        let (h, v) = (config.hidden_size, config.vocab_size);
        // GGUF files omit output.weight when the head is tied to the embedding.
        let tied = config.tie_word_embeddings
            || (naming == Naming::Gguf && !src.contains(&naming.name(Role::Output, 0, false)));
        config.tie_word_embeddings = tied;
        let mut ld = Loader {
            src,
            naming,
            config: &config,
            dtype,
            stats: WeightStats::default(),
        };
        let embed_w = ld.weight(Role::Embed, 0, &[v, h])?;
        let embed = Embedding::new(&embed_w)?;
        let blocks = (0..config.num_layers)
            .map(|l| Block::load(&mut ld, l))
            .collect::<Result<Vec<_>>>()?;
        let norm = RmsNorm::new(ld.vector(Role::FinalNorm, 0, h)?, config.rms_norm_eps);
        let output = if tied {
            Linear::new(&embed_w, None)?
        } else {
            ld.linear(Role::Output, 0, v, h, false)?
        };
        let stats = ld.stats;
        let rope = RopeTables::new(&config, device)?;
        Ok(Self {
            config,
            device: device.clone(),
            stats,
            embed,
            blocks,
            head: Head { norm, output },
            rope,
        })
    }

    /// The blocks over `p`; see [`ForwardOptions`] for what else a pass does and returns.
    pub fn forward(&self, p: &Prepared, opts: ForwardOptions<'_>) -> Result<Forwarded> {
        if let Some(past) = opts.past {
            if past.len() != self.blocks.len() {
                return Err(ModelError::Internal(format!(
                    "cached keys/values cover {} layers but the model has {}",
                    past.len(),
                    self.blocks.len()
                )));
            }
        }
        let (cos, sin) = self.rope.gather(&p.positions, p.batch, p.seq)?;
        let ctx = PassContext {
            cos: &cos,
            sin: &sin,
            mask: &p.mask,
            batch: p.batch,
            seq: p.seq,
            autograd: opts.autograd,
            keep_probs: opts.capture_attention,
        };
        let mut x = self.embed.forward(&p.ids)?;
        let mut kv = Vec::new();
        let mut attention = Vec::new();
        for (l, block) in self.blocks.iter().enumerate() {
            let out = block.forward(&x, &self.rope, &ctx, opts.past.map(|past| &past[l]))?;
            x = out.x;
            if opts.keep_kv {
                kv.push(out.kv);
            }
            if let Some(probs) = out.probs {
                attention.push(probs);
            }
        }
        Ok(Forwarded {
            hidden: x,
            kv,
            attention,
        })
    }

    /// Generation's step: the logits after `token` at `position`, whose key and value join `caches` (one per
    /// layer, holding the slots before it). Plain arithmetic on one row: no tensors, no copy of the caches.
    pub fn step(&self, token: u32, position: usize, caches: &mut [SlotCache]) -> Result<Vec<f32>> {
        if caches.len() != self.blocks.len() || token as usize >= self.config.vocab_size {
            return Err(ModelError::Internal(format!(
                "a generation step needs one cache per layer ({}, got {}) and a token id below {} (got {token})",
                self.blocks.len(),
                caches.len(),
                self.config.vocab_size
            )));
        }
        let ids = Tensor::new(&[token], &self.device)?;
        let mut x = self.embed.forward(&ids)?.flatten_all()?.to_vec1::<f32>()?;
        let rope = self.rope.row(position)?;
        for (block, cache) in self.blocks.iter().zip(caches.iter_mut()) {
            block.step(&mut x, &rope, cache)?;
        }
        self.head.step(&x)
    }

    /// Output norm + head on selected hidden states (n, hidden) -> logits (n, vocab).
    pub fn head(&self, h: &Tensor, autograd: bool) -> Result<Tensor> {
        self.head.forward(h, autograd)
    }

    /// All weights as f32 tensors with Hugging Face names and layout (quantized ones
    /// dequantized; Q/K rows of an interleaved-RoPE model permuted to rotate-half).
    pub fn hf_tensors(&self) -> Result<BTreeMap<String, Tensor>> {
        let n = Naming::HuggingFace;
        let mut out = BTreeMap::new();
        for (l, block) in self.blocks.iter().enumerate() {
            block.hf_tensors(l, &mut out)?;
        }
        if !self.config.tie_word_embeddings {
            self.head.output.hf_tensors(Role::Output, 0, &mut out)?;
        }
        out.insert(n.name(Role::FinalNorm, 0, false), self.head.norm.weight.clone());
        out.insert(n.name(Role::Embed, 0, false), self.embed.to_f32()?);
        if self.config.rope_style == RopeStyle::Interleaved {
            permute_qk(&mut out, &self.config, RopeStyle::RotateHalf)?;
        }
        Ok(out)
    }
}
