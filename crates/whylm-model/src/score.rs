//! The pieces of masked teacher-forced scoring: rows reduced to their visible slots, the layout
//! of a batch (each row, padding, the target) with the positions that predict target tokens,
//! and the scores of each kind from those positions' logits.

use candle_core::{DType, Tensor, D};

use crate::error::{ModelError, Result};
use crate::llama::Llama;
use whylm_backend::{MaskedRow, ScoreKind};

/// Token id used for the hidden padding slots (never seen by the model).
const PAD_ID: u32 = 0;

/// How a batch runs: each row as [its slots after the shared prefix; hidden padding up to the
/// longest row; the target], and which hidden states predict the target tokens.
pub(crate) struct BatchLayout {
    pub suffixes: Vec<MaskedRow>,
    /// Indices into the hidden states [shared prefix slots; row 0 suffix; row 1 suffix; ...]:
    /// T per row, in order.
    pub predictors: Vec<u32>,
}

impl BatchLayout {
    pub fn new(llama: &Llama, rows: &[MaskedRow], target: &[u32], shared: usize) -> Result<Self> {
        let t = target.len();
        let width = rows.iter().map(MaskedRow::len).max().unwrap_or(0);
        // Each row runs only its slots after the shared prefix, then the target.
        let seq = width - shared + t;
        let mut suffixes = Vec::with_capacity(rows.len());
        let mut predictors = Vec::with_capacity(rows.len() * t);
        for (r, row) in rows.iter().enumerate() {
            // Rows come from visible_slots, which refuses rows without a visible slot.
            let last = row
                .last_visible()
                .ok_or_else(|| ModelError::Internal(format!("compacted row {r} has no visible token")))?;
            let start = row.next_position();
            llama.config.check_positions(start as usize + t)?;
            let pad = width - row.len();
            let mut ext = MaskedRow {
                token_ids: row.token_ids[shared..].to_vec(),
                attend: row.attend[shared..].to_vec(),
                position_ids: row.position_ids[shared..].to_vec(),
            };
            // The padding goes after the target, never between row and target: every query then has its keys
            // at the same slots whatever the batch, and the padded keys are trailing zeros in every sum over
            // keys, so a row's scores have the same bits in any batch (see layers/softmax.rs).
            ext.token_ids.extend_from_slice(target);
            ext.attend.extend(std::iter::repeat_n(true, t));
            ext.position_ids.extend(start..start + t as u32);
            ext.token_ids.extend(std::iter::repeat_n(PAD_ID, pad));
            ext.attend.extend(std::iter::repeat_n(false, pad));
            ext.position_ids.extend(std::iter::repeat_n(0, pad));
            // The last visible row slot predicts target[0]; target slot j predicts target[j+1].
            let row_base = shared + r * seq;
            predictors.push(if last < shared {
                last as u32
            } else {
                (row_base + last - shared) as u32
            });
            predictors.extend((0..t - 1).map(|j| (row_base + row.len() - shared + j) as u32));
            suffixes.push(ext);
        }
        Ok(Self { suffixes, predictors })
    }
}

/// The scores of `kind` from the logits (rows * T, vocab) of the predicting positions.
pub(crate) fn scores_from_logits(
    logits: &Tensor,
    rows: usize,
    target: &[u32],
    kind: &ScoreKind,
) -> Result<Vec<f32>> {
    let device = logits.device();
    let t = target.len();
    let targets: Vec<u32> = (0..rows).flat_map(|_| target.iter().copied()).collect();
    let targets = Tensor::from_vec(targets, (rows * t, 1), device)?;
    let picked = logits.gather(&targets, 1)?.squeeze(1)?;
    let scores = match kind {
        ScoreKind::Logit => picked,
        ScoreKind::LogProb => (picked - logsumexp(logits)?)?,
        ScoreKind::Prob => (picked - logsumexp(logits)?)?.exp()?,
        ScoreKind::LogOdds => {
            let vocab = logits.dim(1)?;
            let columns = Tensor::arange(0u32, vocab as u32, device)?.unsqueeze(0)?;
            let is_target = targets.broadcast_eq(&columns)?;
            let minus_inf = Tensor::full(f32::NEG_INFINITY, logits.shape(), device)?;
            let others = is_target.where_cond(&minus_inf, logits)?;
            (picked - logsumexp(&others)?)?
        }
        ScoreKind::Contrast(alt) => {
            let alts: Vec<u32> = (0..rows).flat_map(|_| alt.iter().copied()).collect();
            let alts = Tensor::from_vec(alts, (rows * t, 1), device)?;
            (picked - logits.gather(&alts, 1)?.squeeze(1)?)?
        }
    };
    Ok(scores.to_dtype(DType::F32)?.to_vec1::<f32>()?)
}

/// The visible slots of `row` (index `r` in the caller's list, for messages).
pub(crate) fn visible_slots(r: usize, row: &MaskedRow) -> Result<MaskedRow> {
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
