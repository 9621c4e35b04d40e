//! Masked, batched teacher-forced scoring: the target is appended after each row and only the
//! T positions that predict target tokens go through the output head; only T numbers per row
//! leave the device.

use candle_core::{DType, Tensor, D};

use crate::error::{ModelError, Result};
use crate::model::Model;
use crate::prefix::shared_prefix_len;
use whylm_backend::{MaskedRow, ScoreKind};

/// Token id used for the hidden padding slots (never seen by the model).
const PAD_ID: u32 = 0;

impl Model {
    /// Bytes of activations and attention scores one row of `seq` slots with `targets` scored
    /// positions needs at the peak of a layer (no autograd, so layers do not accumulate).
    pub fn row_memory_estimate(&self, seq: usize, targets: usize) -> usize {
        self.row_memory_estimate_after(0, seq, targets)
    }

    /// [`Model::row_memory_estimate`] for a row whose `seq` slots follow `past` shared slots
    /// (prefix sharing): attention spans past + seq keys, and the shared keys/values are
    /// broadcast into each row.
    pub fn row_memory_estimate_after(&self, past: usize, seq: usize, targets: usize) -> usize {
        let c = self.config();
        let keys = past + seq;
        // Live at once within a layer: the residual stream, its norm, q/k/v and their
        // transposed + rotated copies, the attention output, gate/up/activation.
        let per_slot = 6 * c.hidden_size + 2 * c.q_dim() + 2 * c.kv_dim() + 3 * c.intermediate_size;
        // Scores, masked scores and probabilities (one head set each) plus the additive mask.
        let attention = 3 * c.num_heads * seq * keys + seq * keys;
        // Keys and values of this layer over every key slot; with a shared prefix the
        // broadcast copy and the concatenation live at once.
        let kv = if past > 0 { 4 } else { 2 } * c.kv_dim() * keys;
        // Logits of the scored positions and the temporaries of log-softmax over them.
        let head = 4 * targets * c.vocab_size;
        4 * (seq * per_slot + attention + kv + head)
    }

    /// Rows per forward pass for rows of `seq` slots, from the memory budget.
    pub fn batch_size_for(&self, seq: usize, targets: usize) -> usize {
        self.batch_size_after(0, seq, targets)
    }

    /// Rows per forward pass for rows of `seq` slots after `past` shared slots; the cached
    /// prefix is held while they run, so it is taken off the budget first.
    pub fn batch_size_after(&self, past: usize, seq: usize, targets: usize) -> usize {
        let budget = self
            .memory_budget()
            .saturating_sub(self.prefix_memory_estimate(past));
        (budget / self.row_memory_estimate_after(past, seq, targets).max(1)).max(1)
    }

    /// Bytes of a cached shared prefix of `len` slots: every layer's keys and values and the
    /// final hidden states.
    pub fn prefix_memory_estimate(&self, len: usize) -> usize {
        let c = self.config();
        4 * len * (2 * c.num_layers * c.kv_dim() + c.hidden_size)
    }

    /// Scores `target_ids` after every row: result[r][t] is the score of target t given row r
    /// and target tokens < t. Rows may differ in length; hidden slots cost nothing (they are
    /// dropped before the forward).
    pub fn score_rows(
        &self,
        rows: &[MaskedRow],
        target_ids: &[u32],
        kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>> {
        let t = target_ids.len();
        if t == 0 {
            return Err(ModelError::InvalidInput(
                "the target is empty; give at least one target token".into(),
            ));
        }
        if let ScoreKind::Contrast(alt) = kind {
            if alt.len() != t {
                return Err(ModelError::InvalidInput(format!(
                    "contrast needs one alternative per target token: {} alternatives for {t} targets",
                    alt.len()
                )));
            }
        }
        let vocab = self.config().vocab_size as u32;
        let extra: &[u32] = match kind {
            ScoreKind::Contrast(alt) => alt,
            _ => &[],
        };
        if let Some(bad) = target_ids.iter().chain(extra).find(|id| **id >= vocab) {
            return Err(ModelError::InvalidInput(format!(
                "target token id {bad} is outside the vocabulary of {vocab}"
            )));
        }
        // Hidden slots are never attended and never predict, so dropping them changes no
        // score; rows are then batched shortest first so that batches need little padding.
        let compact = rows
            .iter()
            .enumerate()
            .map(|(r, row)| visible_slots(r, row))
            .collect::<Result<Vec<_>>>()?;
        let mut order: Vec<usize> = (0..compact.len()).collect();
        order.sort_by_key(|&r| compact[r].len());
        let width = compact.iter().map(MaskedRow::len).max().unwrap_or(0);
        // Every batch shares at least the prefix common to all rows.
        let shared = if self.prefix_sharing() {
            shared_prefix_len(&compact)
        } else {
            0
        };
        let per_batch = self.batch_size_after(shared, width - shared + t, t);
        let mut out = vec![Vec::new(); rows.len()];
        for chunk in order.chunks(per_batch) {
            let batch: Vec<MaskedRow> = chunk.iter().map(|&r| compact[r].clone()).collect();
            for (&r, scores) in chunk.iter().zip(self.score_batch(&batch, target_ids, kind)?) {
                out[r] = scores;
            }
        }
        Ok(out)
    }

    /// Scores rows of visible slots (lengths may differ). Each row runs as
    /// [its slots after the shared prefix; hidden padding up to the longest row; the target],
    /// so padding never breaks the shared prefix.
    fn score_batch(&self, rows: &[MaskedRow], target: &[u32], kind: &ScoreKind) -> Result<Vec<Vec<f32>>> {
        let t = target.len();
        let width = rows.iter().map(MaskedRow::len).max().unwrap_or(0);
        let shared = if self.prefix_sharing() {
            shared_prefix_len(rows)
        } else {
            0
        };
        // Each row runs only its slots after the shared prefix, then the target.
        let seq = width - shared + t;
        let mut suffixes = Vec::with_capacity(rows.len());
        let mut predictors = Vec::with_capacity(rows.len() * t);
        for (r, row) in rows.iter().enumerate() {
            let last = row.last_visible().ok_or_else(|| {
                ModelError::InvalidInput(format!(
                    "row {r} has no visible token, so nothing predicts the first target token; keep BOS or at least one token"
                ))
            })?;
            let start = row.next_position();
            self.check_context(start as usize + t)?;
            let pad = width - row.len();
            let mut ext = MaskedRow {
                token_ids: row.token_ids[shared..].to_vec(),
                attend: row.attend[shared..].to_vec(),
                position_ids: row.position_ids[shared..].to_vec(),
            };
            ext.token_ids.extend(std::iter::repeat_n(PAD_ID, pad));
            ext.attend.extend(std::iter::repeat_n(false, pad));
            ext.position_ids.extend(std::iter::repeat_n(0, pad));
            ext.token_ids.extend_from_slice(target);
            ext.attend.extend(std::iter::repeat_n(true, t));
            ext.position_ids.extend(start..start + t as u32);
            // Hidden states are laid out as [shared prefix slots; row 0 suffix; row 1 suffix; ...].
            // The last visible row slot predicts target[0]; target slot j predicts target[j+1].
            let row_base = shared + r * seq;
            predictors.push(if last < shared {
                last as u32
            } else {
                (row_base + last - shared) as u32
            });
            predictors.extend((0..t - 1).map(|j| (row_base + width - shared + j) as u32));
            suffixes.push(ext);
        }
        let hidden = if shared > 0 {
            let first = &rows[0];
            let prefix = self.shared_prefix(&first.token_ids[..shared], &first.position_ids[..shared])?;
            let prepared = self.prepare_after(&suffixes, shared)?;
            let (suffix_hidden, _) = self.run(&prepared, Some(&prefix.kv), false, false, None)?;
            Tensor::cat(&[&prefix.hidden, &suffix_hidden], 0)?
        } else {
            let prepared = self.prepare(&suffixes)?;
            self.hidden_states(&prepared, false, None)?
        };
        let device = self.device();
        let idx = Tensor::from_vec(predictors, rows.len() * t, device)?;
        let logits = self.head(&hidden.index_select(&idx, 0)?, false)?;
        let targets: Vec<u32> = (0..rows.len()).flat_map(|_| target.iter().copied()).collect();
        let targets = Tensor::from_vec(targets, (rows.len() * t, 1), device)?;
        let picked = logits.gather(&targets, 1)?.squeeze(1)?;
        let scores = match kind {
            ScoreKind::Logit => picked,
            ScoreKind::LogProb => (picked - logsumexp(&logits)?)?,
            ScoreKind::Prob => (picked - logsumexp(&logits)?)?.exp()?,
            ScoreKind::LogOdds => {
                let vocab = logits.dim(1)?;
                let columns = Tensor::arange(0u32, vocab as u32, device)?.unsqueeze(0)?;
                let is_target = targets.broadcast_eq(&columns)?;
                let minus_inf = Tensor::full(f32::NEG_INFINITY, logits.shape(), device)?;
                let others = is_target.where_cond(&minus_inf, &logits)?;
                (picked - logsumexp(&others)?)?
            }
            ScoreKind::Contrast(alt) => {
                let alts: Vec<u32> = (0..rows.len()).flat_map(|_| alt.iter().copied()).collect();
                let alts = Tensor::from_vec(alts, (rows.len() * t, 1), device)?;
                (picked - logits.gather(&alts, 1)?.squeeze(1)?)?
            }
        };
        let flat = scores.to_dtype(DType::F32)?.to_vec1::<f32>()?;
        Ok(flat.chunks(t).map(<[f32]>::to_vec).collect())
    }
}

/// The visible slots of `row` (index `r` in the caller's list, for messages).
fn visible_slots(r: usize, row: &MaskedRow) -> Result<MaskedRow> {
    let n = row.token_ids.len();
    if row.attend.len() != n || row.position_ids.len() != n {
        return Err(ModelError::InvalidInput(format!(
            "row {r} has {n} tokens, {} attend flags and {} positions; give one flag and one position per token",
            row.attend.len(),
            row.position_ids.len()
        )));
    }
    if !row.attend.iter().any(|a| *a) {
        return Err(ModelError::InvalidInput(format!(
            "row {r} has no visible token, so nothing predicts the first target token; keep BOS or at least one token"
        )));
    }
    let keep = |i: &usize| row.attend[*i];
    Ok(MaskedRow {
        token_ids: (0..n).filter(keep).map(|i| row.token_ids[i]).collect(),
        attend: vec![true; row.attend.iter().filter(|a| **a).count()],
        position_ids: (0..n).filter(keep).map(|i| row.position_ids[i]).collect(),
    })
}

/// Row-wise log-sum-exp of (n, v) -> (n). A row of all −inf gives −inf.
fn logsumexp(x: &Tensor) -> Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?;
    // Guard rows whose max is −inf (x − max would be NaN).
    let safe_max = max.clamp(f32::MIN, f32::MAX)?;
    let sum = x.broadcast_sub(&safe_max)?.exp()?.sum_keepdim(D::Minus1)?;
    Ok((sum.log()? + safe_max)?.squeeze(D::Minus1)?)
}
