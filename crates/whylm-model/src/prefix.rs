//! Prefix sharing for scoring: the slots before a batch's first masked position are the same in
//! every row (same ids, visible, same positions), so their keys/values are computed once with
//! batch 1 and broadcast over the rows, which then run only their own suffix.
//!
//! A prefix is computed block by block ([`BLOCK`] slots, each block one forward pass after the
//! blocks before it), then its last partial block. So its keys/values depend only on its own ids
//! and positions, never on which prefixes were computed before it: a resumed run, another batch
//! size or another order of batches gives the same bits. The complete blocks of the latest prefix
//! are cached (a longer cached prefix serves the blocks of a shorter one: causal attention, slot i
//! depends on slots <= i), and so is the latest whole prefix, which the batches of one
//! explanation mostly share.

use std::sync::{Arc, Mutex};

use candle_core::Tensor;

use crate::error::{ModelError, Result};
use crate::forward::{ForwardOptions, Prepared};
use crate::layers::LayerKv;
use crate::llama::Llama;
use whylm_backend::MaskedRow;

/// Slots per cached block of a prefix.
pub(crate) const BLOCK: usize = 32;

/// What a prefix leaves behind: every layer's keys/values (batch 1) and its final hidden states
/// (len, hidden), which predict the first target token when a row's last visible slot is in it.
#[derive(Debug, Clone)]
pub(crate) struct SharedPrefix {
    pub kv: Vec<LayerKv>,
    pub hidden: Tensor,
}

impl SharedPrefix {
    fn narrowed(&self, len: usize) -> Result<SharedPrefix> {
        Ok(SharedPrefix {
            kv: self.kv.iter().map(|kv| kv.narrow(len)).collect::<Result<_>>()?,
            hidden: self.hidden.narrow(0, 0, len)?,
        })
    }
}

#[derive(Debug)]
struct Entry {
    ids: Vec<u32>,
    positions: Vec<u32>,
    state: SharedPrefix,
}

impl Entry {
    /// Leading slots this entry shares with `ids` at `positions`.
    fn agreement(&self, ids: &[u32], positions: &[u32]) -> usize {
        self.ids
            .iter()
            .zip(&self.positions)
            .zip(ids.iter().zip(positions))
            .take_while(|(a, b)| a == b)
            .count()
    }

    fn is(&self, ids: &[u32], positions: &[u32]) -> bool {
        self.ids == ids && self.positions == positions
    }
}

#[derive(Debug, Default)]
struct Cached {
    /// The complete blocks of the latest prefix.
    blocks: Option<Arc<Entry>>,
    /// The latest whole prefix.
    last: Option<Arc<Entry>>,
}

/// The cached prefix of the latest scoring batches.
#[derive(Debug, Clone, Default)]
pub(crate) struct PrefixCache(Arc<Mutex<Cached>>);

impl PrefixCache {
    pub fn clear(&self) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Cached::default();
        }
    }

    fn get(&self) -> (Option<Arc<Entry>>, Option<Arc<Entry>>) {
        self.0
            .lock()
            .map(|c| (c.blocks.clone(), c.last.clone()))
            .unwrap_or_default()
    }

    fn put_blocks(&self, entry: Entry) {
        if let Ok(mut slot) = self.0.lock() {
            slot.blocks = Some(Arc::new(entry));
        }
    }

    fn put_last(&self, entry: Arc<Entry>) {
        if let Ok(mut slot) = self.0.lock() {
            slot.last = Some(entry);
        }
    }
}

/// Number of leading slots that every row shares: visible, same token id, same position.
pub(crate) fn shared_prefix_len(rows: &[MaskedRow]) -> usize {
    let Some(first) = rows.first() else { return 0 };
    let width = rows.iter().map(MaskedRow::len).min().unwrap_or(0);
    (0..width)
        .take_while(|&i| {
            rows.iter().all(|r| {
                r.attend[i]
                    && r.token_ids[i] == first.token_ids[i]
                    && r.position_ids[i] == first.position_ids[i]
            })
        })
        .count()
}

impl PrefixCache {
    /// Keys/values and hidden states of the visible slots `ids` at `positions`: the complete
    /// blocks from the cache as far as it agrees, the other blocks and the last partial block
    /// computed after them (and cached).
    pub(crate) fn shared_prefix(
        &self,
        llama: &Llama,
        ids: &[u32],
        positions: &[u32],
    ) -> Result<SharedPrefix> {
        let n = ids.len();
        if n == 0 || positions.len() != n {
            return Err(ModelError::Internal(format!(
                "a shared prefix needs one position per token: {n} tokens, {} positions",
                positions.len()
            )));
        }
        let (blocks, last) = self.get();
        if let Some(last) = last.filter(|e| e.is(ids, positions)) {
            return Ok(last.state.clone());
        }
        let whole_blocks = n / BLOCK * BLOCK;
        let reuse = blocks.as_ref().map_or(0, |e| {
            (e.agreement(ids, positions) / BLOCK * BLOCK).min(whole_blocks)
        });
        let mut state = match &blocks {
            Some(e) if reuse > 0 => Some(e.state.narrowed(reuse)?),
            _ => None,
        };
        for start in (reuse..whole_blocks).step_by(BLOCK) {
            state = Some(extend(
                llama,
                state.as_ref(),
                ids,
                positions,
                start,
                start + BLOCK,
            )?);
        }
        if whole_blocks > reuse {
            if let Some(state) = &state {
                self.put_blocks(Entry {
                    ids: ids[..whole_blocks].to_vec(),
                    positions: positions[..whole_blocks].to_vec(),
                    state: state.clone(),
                });
            }
        }
        let state = match state {
            Some(done) if whole_blocks == n => done,
            before => extend(llama, before.as_ref(), ids, positions, whole_blocks, n)?,
        };
        self.put_last(Arc::new(Entry {
            ids: ids.to_vec(),
            positions: positions.to_vec(),
            state: state.clone(),
        }));
        Ok(state)
    }
}

/// The prefix `before` (slots ..start, or none) extended by slots start..end in one forward pass.
fn extend(
    llama: &Llama,
    before: Option<&SharedPrefix>,
    ids: &[u32],
    positions: &[u32],
    start: usize,
    end: usize,
) -> Result<SharedPrefix> {
    let tail = MaskedRow {
        token_ids: ids[start..end].to_vec(),
        attend: vec![true; end - start],
        position_ids: positions[start..end].to_vec(),
    };
    let prepared = Prepared::rows(&[tail], start, &llama.config, &llama.device)?;
    let out = llama.forward(
        &prepared,
        ForwardOptions {
            past: before.map(|h| h.kv.as_slice()),
            keep_kv: true,
            ..ForwardOptions::default()
        },
    )?;
    let hidden = match before {
        Some(h) => Tensor::cat(&[&h.hidden, &out.hidden], 0)?,
        None => out.hidden,
    };
    Ok(SharedPrefix { kv: out.kv, hidden })
}

#[cfg(test)]
mod tests {
    use super::*;
    use whylm_backend::{masked_row, Masker};

    #[test]
    fn shared_prefix_stops_at_the_first_difference() {
        let ids = [1, 5, 6, 7, 8];
        let a = masked_row(&ids, &[true, true, true, false, true], &Masker::Delete);
        let b = masked_row(&ids, &[true, true, false, true, true], &Masker::Delete);
        assert_eq!(shared_prefix_len(&[a.clone(), b]), 2);
        assert_eq!(shared_prefix_len(std::slice::from_ref(&a)), 3);
        let hidden_first = masked_row(&ids, &[false, true, true, true, true], &Masker::Hide);
        assert_eq!(shared_prefix_len(&[a, hidden_first]), 0);
        assert_eq!(shared_prefix_len(&[]), 0);
    }
}
