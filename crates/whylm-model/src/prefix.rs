//! Prefix sharing for scoring: the slots before a batch's first masked position are the same in
//! every row (same ids, visible, same positions), so their keys/values are computed once with
//! batch 1 and broadcast over the rows, which then run only their own suffix. The latest prefix
//! is cached by its ids and positions, so the batches of one explanation reuse it; a longer
//! cached prefix also serves any shorter one (causal attention: slot i depends on slots <= i).

use std::sync::{Arc, Mutex};

use candle_core::Tensor;

use crate::error::{ModelError, Result};
use crate::forward::{ForwardOptions, Prepared};
use crate::layers::LayerKv;
use crate::llama::Llama;
use whylm_backend::MaskedRow;

/// What a prefix leaves behind: every layer's keys/values (batch 1) and its final hidden states
/// (len, hidden), which predict the first target token when a row's last visible slot is in it.
#[derive(Debug, Clone)]
pub(crate) struct SharedPrefix {
    pub kv: Vec<LayerKv>,
    pub hidden: Tensor,
}

#[derive(Debug)]
struct Entry {
    ids: Vec<u32>,
    positions: Vec<u32>,
    state: SharedPrefix,
}

/// The cached prefix of the latest scoring batches.
#[derive(Debug, Clone, Default)]
pub(crate) struct PrefixCache(Arc<Mutex<Option<Arc<Entry>>>>);

impl PrefixCache {
    pub fn clear(&self) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = None;
        }
    }

    fn get(&self) -> Option<Arc<Entry>> {
        self.0.lock().ok().and_then(|slot| slot.clone())
    }

    fn put(&self, entry: Entry) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(Arc::new(entry));
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
    /// Keys/values and hidden states of the visible slots `ids` at `positions`: taken from the
    /// cache as far as it agrees, the rest computed after it (and cached).
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
        let cached = self.get();
        let reuse = cached.as_ref().map_or(0, |e| {
            e.ids
                .iter()
                .zip(&e.positions)
                .zip(ids.iter().zip(positions))
                .take_while(|(a, b)| a == b)
                .count()
        });
        let narrowed = |e: &Entry, len: usize| -> Result<SharedPrefix> {
            Ok(SharedPrefix {
                kv: e
                    .state
                    .kv
                    .iter()
                    .map(|kv| kv.narrow(len))
                    .collect::<Result<_>>()?,
                hidden: e.state.hidden.narrow(0, 0, len)?,
            })
        };
        let head = match &cached {
            Some(e) if reuse == n => return narrowed(e, n),
            Some(e) if reuse > 0 => Some(narrowed(e, reuse)?),
            _ => None,
        };
        let tail = MaskedRow {
            token_ids: ids[reuse..].to_vec(),
            attend: vec![true; n - reuse],
            position_ids: positions[reuse..].to_vec(),
        };
        let prepared = Prepared::rows(&[tail], reuse, &llama.config, &llama.device)?;
        let out = llama.forward(
            &prepared,
            ForwardOptions {
                past: head.as_ref().map(|h| h.kv.as_slice()),
                keep_kv: true,
                ..ForwardOptions::default()
            },
        )?;
        let (hidden, kv) = (out.hidden, out.kv);
        let hidden = match &head {
            Some(h) => Tensor::cat(&[&h.hidden, &hidden], 0)?,
            None => hidden,
        };
        let state = SharedPrefix { kv, hidden };
        self.put(Entry {
            ids: ids.to_vec(),
            positions: positions.to_vec(),
            state: state.clone(),
        });
        Ok(state)
    }
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
