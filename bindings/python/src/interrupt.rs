//! Ctrl-C during an explanation. The explain pipeline's progress callback cannot fail, so the callback records the
//! `KeyboardInterrupt` (from `Python::check_signals`) and this backend wrapper refuses every later model call: the
//! pipeline then stops with an error at its next batch, and the binding raises the recorded exception instead.

use std::cell::RefCell;

use pyo3::PyErr;
use whylm_backend::{
    AttentionProbs, Backend, BackendError, BackendInfo, GenerateSettings, Generation, MaskedRow, Masker,
    ScoreKind, TextTokenizer,
};

/// `inner`, until `interrupt` records a Python exception.
pub struct InterruptibleBackend<'a> {
    inner: &'a dyn Backend,
    pending: RefCell<Option<PyErr>>,
}

impl<'a> InterruptibleBackend<'a> {
    pub fn new(inner: &'a dyn Backend) -> Self {
        InterruptibleBackend {
            inner,
            pending: RefCell::new(None),
        }
    }

    /// Records `error` (the first one wins); every later model call fails.
    pub fn interrupt(&self, error: PyErr) {
        self.pending.borrow_mut().get_or_insert(error);
    }

    /// The recorded exception, if the explanation was interrupted.
    pub fn take_interrupt(&self) -> Option<PyErr> {
        self.pending.borrow_mut().take()
    }

    fn check(&self) -> Result<(), BackendError> {
        match self.pending.borrow().as_ref() {
            Some(_) => Err(BackendError::Failed("interrupted".into())),
            None => Ok(()),
        }
    }
}

impl Backend for InterruptibleBackend<'_> {
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
        self.check()?;
        self.inner.score_rows(rows, target_ids, kind)
    }
    fn generate(
        &self,
        prompt: &[u32],
        settings: &GenerateSettings,
        on_token: &mut dyn FnMut(u32),
    ) -> Result<Generation, BackendError> {
        self.check()?;
        self.inner.generate(prompt, settings, on_token)
    }
    fn stop_tokens(&self) -> Vec<u32> {
        self.inner.stop_tokens()
    }
    // Forwarded, not left to the trait's default: that default says the backend has no attention.
    fn attention(&self, ids: &[u32]) -> Result<AttentionProbs, BackendError> {
        self.check()?;
        self.inner.attention(ids)
    }
}
