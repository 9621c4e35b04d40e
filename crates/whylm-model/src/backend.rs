//! The embedded candle runtime as a [`Backend`]: a model with its tokenizer.

use whylm_backend::{
    AttentionProbs, Backend, BackendError, BackendInfo, GenerateSettings, Generation, MaskedRow, ScoreKind,
    TextTokenizer,
};

use whylm_tokenize::Tokenizer;

use crate::error::ModelError;
use crate::loaded::LoadedModel;
use crate::model::Model;

/// A model and the tokenizer to use with it, borrowed, as a backend. [`LoadedModel::backend`] gives the one a
/// file was loaded with; tests pair a model with another tokenizer.
#[derive(Debug, Clone, Copy)]
pub struct Embedded<'a> {
    pub model: &'a Model,
    pub tokenizer: &'a Tokenizer,
    /// Where the model came from, for messages ("" when unknown).
    pub name: &'a str,
}

impl<'a> Embedded<'a> {
    pub fn new(model: &'a Model, tokenizer: &'a Tokenizer) -> Self {
        Embedded {
            model,
            tokenizer,
            name: "",
        }
    }
}

impl LoadedModel {
    /// This model and its tokenizer as a [`Backend`].
    pub fn backend(&self) -> Embedded<'_> {
        Embedded {
            model: &self.model,
            tokenizer: &self.tokenizer,
            name: &self.name,
        }
    }
}

impl From<ModelError> for BackendError {
    fn from(e: ModelError) -> Self {
        // The caller's request is at fault (Input) or whylm / the model files are (Failed,
        // which includes ModelError::Internal).
        if e.is_input_error() {
            BackendError::Input(e.to_string())
        } else {
            BackendError::Failed(e.to_string())
        }
    }
}

impl Backend for Embedded<'_> {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            name: self.name.to_string(),
            architecture: self.model.config().architecture.name().to_string(),
            runtime: "candle (cpu)".into(),
        }
    }

    fn tokenizer(&self) -> &dyn TextTokenizer {
        self.tokenizer
    }

    fn context_length(&self) -> usize {
        self.model.config().context_length
    }

    fn batch_hint(&self, seq: usize, targets: usize) -> usize {
        self.model.batch_size_for(seq, targets)
    }

    fn score_rows(
        &self,
        rows: &[MaskedRow],
        target_ids: &[u32],
        kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>, BackendError> {
        Ok(self.model.score_rows(rows, target_ids, kind)?)
    }

    fn generate(
        &self,
        prompt: &[u32],
        settings: &GenerateSettings,
        on_token: &mut dyn FnMut(u32),
    ) -> Result<Generation, BackendError> {
        Ok(self.model.generate(prompt, settings, on_token)?)
    }

    fn attention(&self, ids: &[u32]) -> Result<AttentionProbs, BackendError> {
        let maps = self.model.attention_probs(ids)?;
        Ok(AttentionProbs {
            layers: maps.layers,
            heads: maps.heads,
            len: maps.len,
            data: maps.data,
        })
    }

    fn stop_tokens(&self) -> Vec<u32> {
        whylm_backend::stop_tokens(
            &self.model.config().eos_token_ids,
            self.tokenizer.eos_id(),
            self.tokenizer.bos_id(),
        )
    }
}

/// A loaded model is the backend of its own model and tokenizer (see [`Embedded`]).
impl Backend for LoadedModel {
    fn info(&self) -> BackendInfo {
        self.backend().info()
    }

    fn tokenizer(&self) -> &dyn TextTokenizer {
        &self.tokenizer
    }

    fn context_length(&self) -> usize {
        self.backend().context_length()
    }

    fn batch_hint(&self, seq: usize, targets: usize) -> usize {
        self.backend().batch_hint(seq, targets)
    }

    fn score_rows(
        &self,
        rows: &[MaskedRow],
        target_ids: &[u32],
        kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>, BackendError> {
        self.backend().score_rows(rows, target_ids, kind)
    }

    fn generate(
        &self,
        prompt: &[u32],
        settings: &GenerateSettings,
        on_token: &mut dyn FnMut(u32),
    ) -> Result<Generation, BackendError> {
        self.backend().generate(prompt, settings, on_token)
    }

    fn stop_tokens(&self) -> Vec<u32> {
        self.backend().stop_tokens()
    }

    fn attention(&self, ids: &[u32]) -> Result<AttentionProbs, BackendError> {
        self.backend().attention(ids)
    }
}
