//! The inputs of one forward pass on the device (ids, positions, additive mask) and the
//! options that select what a pass does and keeps.

use candle_core::{DType, Device, Tensor};

use crate::config::Config;
use crate::error::{ModelError, Result};
use crate::layers::LayerKv;
use whylm_backend::MaskedRow;

/// Inputs of one forward pass, already on the device. `mask` is (batch, 1, seq, past + seq):
/// the first `past` key columns belong to cached keys/values that every query may see.
pub(crate) struct Prepared {
    pub ids: Tensor,
    pub positions: Tensor,
    pub mask: Tensor,
    pub batch: usize,
    pub seq: usize,
}

/// What one forward pass does besides computing the final hidden states.
#[derive(Default, Clone, Copy)]
pub(crate) struct ForwardOptions<'a> {
    /// Cached keys/values (one per layer) that the slots follow: batch 1 = shared by every
    /// row, or one per row.
    pub past: Option<&'a [LayerKv]>,
    /// Return every layer's keys/values over past + new slots (for caches).
    pub keep_kv: bool,
    /// Use only ops with a backward pass, for training with candle autograd.
    pub autograd: bool,
    /// Return every layer's attention probabilities.
    pub capture_attention: bool,
}

/// What a forward pass leaves: final hidden states (b*s, hidden, before the output norm) and,
/// as asked for by [`ForwardOptions`], keys/values and attention probabilities per layer.
pub(crate) struct Forwarded {
    pub hidden: Tensor,
    pub kv: Vec<LayerKv>,
    pub attention: Vec<Tensor>,
}

impl Prepared {
    /// Moves rows (equal lengths) that follow `past` cached slots (all visible) to the device
    /// with an additive mask: causal AND attend[key]; each slot may always attend to itself so
    /// that hidden query rows stay finite.
    pub fn rows(rows: &[MaskedRow], past: usize, config: &Config, device: &Device) -> Result<Self> {
        let b = rows.len();
        let s = rows.first().map(MaskedRow::len).unwrap_or(0);
        if b == 0 || s == 0 {
            return Err(ModelError::InvalidInput("empty batch or empty row".into()));
        }
        let mut ids = Vec::with_capacity(b * s);
        let mut pos = Vec::with_capacity(b * s);
        let keys = past + s;
        let mut mask = vec![f32::NEG_INFINITY; b * s * keys];
        let vocab = config.vocab_size as u32;
        for (r, row) in rows.iter().enumerate() {
            check_row(r, row, s, vocab)?;
            let max_pos = row.position_ids.iter().max().copied().unwrap_or(0) as usize;
            config.check_positions(max_pos + 1)?;
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
        Ok(Self {
            ids: Tensor::from_vec(ids, b * s, device)?,
            positions: Tensor::from_vec(pos, b * s, device)?,
            mask: Tensor::from_vec(mask, (b, 1, s, keys), device)?,
            batch: b,
            seq: s,
        })
    }

    /// Unmasked causal sequences of token ids (b, L) (u32), for training.
    pub fn causal(ids: &Tensor, config: &Config) -> Result<Self> {
        let (b, s) = ids.dims2()?;
        config.check_positions(s)?;
        let device = ids.device();
        let positions: Vec<u32> = (0..b).flat_map(|_| 0..s as u32).collect();
        let mut mask = vec![f32::NEG_INFINITY; s * s];
        for q in 0..s {
            for k in 0..=q {
                mask[q * s + k] = 0.0;
            }
        }
        Ok(Self {
            ids: ids.flatten_all()?.to_dtype(DType::U32)?,
            positions: Tensor::from_vec(positions, b * s, device)?,
            mask: Tensor::from_vec(mask, (1, 1, s, s), device)?,
            batch: b,
            seq: s,
        })
    }
}

fn check_row(r: usize, row: &MaskedRow, s: usize, vocab: u32) -> Result<()> {
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
    Ok(())
}
