//! softmax(q·kᵀ + mask)·v in tasks of (a few (row, key/value head) pairs, a block of query slots), on every thread.
//!
//! A batch of long rows made each evaluation slower than a lone row (issue 19): its attention scores (rows x heads
//! x slots x keys, 300 MB per layer at 64 rows of 400 slots) were written, masked, soft-maxed and read again far
//! outside the caches, on one thread, and their masked upper (causal) triangle was computed too, while a lone row
//! runs as a prefix, block by block, and never computes it. Here each task holds a few MiB of scores, and a block
//! of query slots takes only the keys up to its last slot. The keys left out are masked (-inf, probability 0): the
//! softmax and the products give every kept element the same bits with or without them (softmax.rs,
//! row_stable.rs), so a row's scores keep their bits whatever the batch, the tasks and the thread count (the
//! determinism tests check it).

use candle_core::Tensor;
use rayon::prelude::*;

use super::softmax::softmax_last_dim;
use crate::error::{ModelError, Result};
use crate::row_stable::batched_matmul;

/// Attention scores one task may hold: small enough that its scores, masked scores and probabilities stay in the
/// cache between the steps that write and read them.
const CHUNK_SCORE_BYTES: usize = 2 << 20;

/// Below this many bytes of scores in the whole pass, one task on one thread: splitting costs more than it saves.
const SPLIT_FROM_BYTES: usize = 512 << 10;

/// Query slots per block: block j attends only to the keys up to its last slot (causal), so the masked upper
/// triangle of the scores, half of them on long rows, is never computed.
const QUERY_BLOCK: usize = 32;

/// The shapes of one attention pass.
pub(crate) struct AttendShape {
    pub batch: usize,
    pub kv_heads: usize,
    /// Query heads per key/value head.
    pub groups: usize,
    pub seq: usize,
    pub keys: usize,
}

/// The attention output (batch, kv_heads, groups * seq, head_dim) for queries q (batch, kv_heads, groups * seq,
/// head_dim, already scaled), keys and values (batch, kv_heads, keys, head_dim) and the additive mask (batch or 1,
/// 1, seq, keys) whose last `seq` keys are causal (slot i never sees a later slot: `Prepared::rows`); with
/// `keep_probs`, also the probabilities (batch, heads, seq, keys).
pub(crate) fn attend(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    mask: &Tensor,
    shape: &AttendShape,
    keep_probs: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    let AttendShape {
        batch: b,
        kv_heads: nkv,
        groups,
        seq: s,
        keys,
    } = *shape;
    let units = b * nkv;
    if keep_probs || 4 * units * groups * s * keys < SPLIT_FROM_BYTES || keys < s {
        let scores = batched_matmul(q, &k.t()?)?.reshape((b, nkv * groups, s, keys))?;
        let probs = softmax_last_dim(&scores.broadcast_add(mask)?)?;
        let out = batched_matmul(&probs.reshape((b, nkv, groups * s, keys))?, v)?;
        return Ok((out, keep_probs.then_some(probs)));
    }
    let past = keys - s;
    let hd = q.dim(3)?;
    let blocks: Vec<(usize, usize)> = (0..s)
        .step_by(QUERY_BLOCK)
        .map(|a| (a, (a + QUERY_BLOCK).min(s)))
        .collect();
    let per_chunk = (CHUNK_SCORE_BYTES / (4 * groups * QUERY_BLOCK.min(s) * keys).max(1)).clamp(1, units);
    let tasks: Vec<(usize, usize, usize, usize)> = (0..units)
        .step_by(per_chunk)
        .flat_map(|u| {
            blocks
                .iter()
                .map(move |&(a, e)| (u, per_chunk.min(units - u), a, e))
        })
        .collect();
    let q = q.reshape((units, groups, s, hd))?;
    let (k, v) = (k.reshape((units, keys, hd))?, v.reshape((units, keys, hd))?);
    let mask = mask.squeeze(1)?;
    let mask_rows = mask.dim(0)?;
    let outputs = tasks
        .into_par_iter()
        .map(|(start, n, a, e)| {
            let (len, seen) = (e - a, past + e);
            let qb =
                q.narrow(0, start, n)?
                    .narrow(2, a, len)?
                    .contiguous()?
                    .reshape((n, groups * len, hd))?;
            let kb = k.narrow(0, start, n)?.narrow(1, 0, seen)?;
            let vb = v.narrow(0, start, n)?.narrow(1, 0, seen)?.contiguous()?;
            // each unit's mask is its row's (unit u belongs to row u / kv_heads), or the one mask all rows share
            let rows: Vec<u32> = (start..start + n)
                .map(|u| if mask_rows == 1 { 0 } else { (u / nkv) as u32 })
                .collect();
            let rows = Tensor::from_vec(rows, n, mask.device())?;
            // the block's part of the mask first, then the rows: selecting whole rows first copied every unit's
            // full (slots x keys) mask in every task, quadratic in the row length (most of the time at 1,000 slots)
            let unit_mask = mask
                .narrow(1, a, len)?
                .narrow(2, 0, seen)?
                .contiguous()?
                .index_select(&rows, 0)?
                .unsqueeze(1)?;
            let scores = batched_matmul(&qb, &kb.t()?)?.reshape((n, groups, len, seen))?;
            let probs = softmax_last_dim(&scores.broadcast_add(&unit_mask)?)?;
            Ok(batched_matmul(&probs.reshape((n, groups * len, seen))?, &vb)?
                .reshape((n, groups, len, hd))?)
        })
        .collect::<Result<Vec<Tensor>>>()?;
    // tasks run unit chunk by unit chunk, each chunk's query blocks in order
    let chunks = outputs
        .chunks(blocks.len())
        .map(|parts| Ok(Tensor::cat(parts, 2)?))
        .collect::<Result<Vec<Tensor>>>()?;
    let out = Tensor::cat(&chunks, 0)?;
    if out.dims() != [units, groups, s, hd] {
        return Err(ModelError::Internal(format!(
            "blocked attention produced {:?}, expected {:?}",
            out.dims(),
            [units, groups, s, hd]
        )));
    }
    Ok((out.reshape((b, nkv, groups * s, hd))?, None))
}
