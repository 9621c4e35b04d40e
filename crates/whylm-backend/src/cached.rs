//! A backend that remembers: rows already in the score file are answered from it, the others are scored by the
//! backend it wraps and appended to the file before they are returned. Nothing above the [`Backend`] trait knows
//! it is there, so every estimator, level and command gets resumable runs at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::attention::AttentionProbs;
use crate::backend::{Backend, BackendInfo};
use crate::error::BackendError;
use crate::generation::{GenerateSettings, Generation};
use crate::row::{MaskedRow, Masker};
use crate::score::ScoreKind;
use crate::score_file::{row_key, ScoreFile};
use crate::tokenizer::TextTokenizer;

pub struct CachedBackend<'a> {
    inner: &'a dyn Backend,
    file: Mutex<ScoreFile>,
    scored: AtomicUsize,
    reused: AtomicUsize,
}

impl<'a> CachedBackend<'a> {
    pub fn new(inner: &'a dyn Backend, file: ScoreFile) -> Self {
        CachedBackend {
            inner,
            file: Mutex::new(file),
            scored: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
        }
    }

    /// Rows scored by the wrapped backend so far (each once: repeats come from the file).
    pub fn scored(&self) -> usize {
        self.scored.load(Ordering::Relaxed)
    }

    /// Rows answered from the file so far.
    pub fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }
}

impl Backend for CachedBackend<'_> {
    fn info(&self) -> BackendInfo {
        self.inner.info()
    }

    fn tokenizer(&self) -> &dyn TextTokenizer {
        self.inner.tokenizer()
    }

    fn context_length(&self) -> usize {
        self.inner.context_length()
    }

    fn batch_hint(&self, seq: usize, targets: usize) -> usize {
        self.inner.batch_hint(seq, targets)
    }

    fn supports_masker(&self, masker: &Masker) -> bool {
        self.inner.supports_masker(masker)
    }

    fn score_rows(
        &self,
        rows: &[MaskedRow],
        target_ids: &[u32],
        kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>, BackendError> {
        let keys: Vec<u128> = rows.iter().map(|r| row_key(r, target_ids, kind)).collect();
        let mut file = self
            .file
            .lock()
            .map_err(|_| BackendError::Failed("the score cache was poisoned by a failed thread".into()))?;
        let mut out: Vec<Option<Vec<f32>>> = keys.iter().map(|k| file.get(*k).cloned()).collect();
        // a row twice in one call is scored once
        let mut missing: Vec<usize> = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            if out[i].is_none() && !missing.iter().any(|&m| keys[m] == *key) {
                missing.push(i);
            }
        }
        self.reused
            .fetch_add(rows.len() - missing.len(), Ordering::Relaxed);
        if !missing.is_empty() {
            let batch: Vec<MaskedRow> = missing.iter().map(|&i| rows[i].clone()).collect();
            let scores = self.inner.score_rows(&batch, target_ids, kind)?;
            if scores.len() != batch.len() {
                return Err(BackendError::Failed(format!(
                    "the backend returned {} score rows for {} rows",
                    scores.len(),
                    batch.len()
                )));
            }
            let fresh: Vec<(u128, Vec<f32>)> = missing.iter().map(|&i| keys[i]).zip(scores).collect();
            file.append(&fresh)?;
            self.scored.fetch_add(fresh.len(), Ordering::Relaxed);
        }
        keys.iter()
            .zip(out.iter_mut())
            .map(|(key, slot)| {
                slot.take().or_else(|| file.get(*key).cloned()).ok_or_else(|| {
                    BackendError::Failed("a scored row is missing from the score cache".into())
                })
            })
            .collect()
    }

    fn generate(
        &self,
        prompt: &[u32],
        settings: &GenerateSettings,
        on_token: &mut dyn FnMut(u32),
    ) -> Result<Generation, BackendError> {
        self.inner.generate(prompt, settings, on_token)
    }

    fn stop_tokens(&self) -> Vec<u32> {
        self.inner.stop_tokens()
    }

    fn attention(&self, ids: &[u32]) -> Result<AttentionProbs, BackendError> {
        self.inner.attention(ids)
    }
}
