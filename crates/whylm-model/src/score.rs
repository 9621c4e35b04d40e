//! Masked, batched teacher-forced scoring: the target is appended after each row and only the
//! T positions that predict target tokens go through the output head; only T numbers per row
//! leave the device.

use candle_core::{DType, Tensor, D};

use crate::error::{ModelError, Result};
use crate::masking::{pad_rows, MaskedRow};
use crate::model::Model;

/// What number to report for each target token y_t.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ScoreKind {
    /// log p(y_t | ...).
    #[default]
    LogProb,
    /// p(y_t | ...).
    Prob,
    /// The raw logit of y_t.
    Logit,
    /// log p − log(1 − p), computed as logit(y_t) − logsumexp(other logits), exact even as p → 1.
    LogOdds,
    /// logprob(y_t) − logprob(alt_t), one alternative token per target position.
    Contrast(Vec<u32>),
}

/// Token id used for the hidden padding slots (never seen by the model).
const PAD_ID: u32 = 0;

impl Model {
    /// Bytes of activations and attention scores one row of `seq` slots with `targets` scored
    /// positions needs at the peak of a layer (no autograd, so layers do not accumulate).
    pub fn row_memory_estimate(&self, seq: usize, targets: usize) -> usize {
        let c = self.config();
        let per_slot = 6 * c.hidden_size + 2 * c.q_dim() + 2 * c.kv_dim() + 3 * c.intermediate_size;
        let attention = 3 * c.num_heads * seq * seq + seq * seq;
        let head = 4 * targets * c.vocab_size;
        4 * (seq * per_slot + attention + head)
    }

    /// Rows per forward pass for rows of `seq` slots, from the memory budget.
    pub fn batch_size_for(&self, seq: usize, targets: usize) -> usize {
        (self.memory_budget() / self.row_memory_estimate(seq, targets).max(1)).max(1)
    }

    /// Scores `target_ids` after every row: result[r][t] is the score of target t given row r
    /// and target tokens < t. Rows of different lengths are left-padded with hidden slots.
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
        let width = rows.iter().map(MaskedRow::len).max().unwrap_or(0);
        let per_batch = self.batch_size_for(width + t, t);
        let mut out = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(per_batch) {
            out.extend(self.score_batch(chunk, target_ids, kind)?);
        }
        Ok(out)
    }

    fn score_batch(&self, rows: &[MaskedRow], target: &[u32], kind: &ScoreKind) -> Result<Vec<Vec<f32>>> {
        let t = target.len();
        let padded = pad_rows(rows, PAD_ID);
        let width = padded.first().map(MaskedRow::len).unwrap_or(0);
        let seq = width + t;
        let mut full = Vec::with_capacity(padded.len());
        let mut predictors = Vec::with_capacity(padded.len() * t);
        for (r, row) in padded.iter().enumerate() {
            let last = row.last_visible().ok_or_else(|| {
                ModelError::InvalidInput(format!(
                    "row {r} has no visible token, so nothing predicts the first target token; keep BOS or at least one token"
                ))
            })?;
            let start = row.next_position();
            self.check_context(start as usize + t)?;
            let mut ext = row.clone();
            ext.token_ids.extend_from_slice(target);
            ext.attend.extend(std::iter::repeat_n(true, t));
            ext.position_ids.extend(start..start + t as u32);
            // The last visible row slot predicts target[0]; target slot j predicts target[j+1].
            predictors.push((r * seq + last) as u32);
            predictors.extend((0..t - 1).map(|j| (r * seq + width + j) as u32));
            full.push(ext);
        }
        let prepared = self.prepare(&full)?;
        let hidden = self.hidden_states(&prepared, false, None)?;
        let device = self.device();
        let idx = Tensor::from_vec(predictors, padded.len() * t, device)?;
        let logits = self.head(&hidden.index_select(&idx, 0)?, false)?;
        let targets: Vec<u32> = (0..padded.len()).flat_map(|_| target.iter().copied()).collect();
        let targets = Tensor::from_vec(targets, (padded.len() * t, 1), device)?;
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
                let alts: Vec<u32> = (0..padded.len()).flat_map(|_| alt.iter().copied()).collect();
                let alts = Tensor::from_vec(alts, (padded.len() * t, 1), device)?;
                (picked - logits.gather(&alts, 1)?.squeeze(1)?)?
            }
        };
        let flat = scores.to_dtype(DType::F32)?.to_vec1::<f32>()?;
        Ok(flat.chunks(t).map(<[f32]>::to_vec).collect())
    }
}

/// Row-wise log-sum-exp of (n, v) -> (n). A row of all −inf gives −inf.
fn logsumexp(x: &Tensor) -> Result<Tensor> {
    let max = x.max_keepdim(D::Minus1)?;
    // Guard rows whose max is −inf (x − max would be NaN).
    let safe_max = max.clamp(f32::MIN, f32::MAX)?;
    let sum = x.broadcast_sub(&safe_max)?.exp()?.sum_keepdim(D::Minus1)?;
    Ok((sum.log()? + safe_max)?.squeeze(D::Minus1)?)
}
