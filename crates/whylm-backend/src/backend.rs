//! The backend trait: what the language-model game, generation and the report need from a model.

use crate::attention::AttentionProbs;
use crate::error::BackendError;
use crate::generation::{GenerateSettings, Generation};
use crate::row::{MaskedRow, Masker};
use crate::score::ScoreKind;
use crate::tokenizer::TextTokenizer;

/// What a backend says about the model it runs, for messages and reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BackendInfo {
    /// The model's name (file or directory name, or the served model's name).
    pub name: String,
    /// Its architecture as the backend read it (llama, mistral, qwen2, ...).
    pub architecture: String,
    /// What runs it: "candle (cpu)", an engine URL and dialect, ...
    pub runtime: String,
}

/// A model that scores masked rows. Implementations: whylm-model's embedded candle runtime; remote engines.
pub trait Backend {
    fn info(&self) -> BackendInfo;

    fn tokenizer(&self) -> &dyn TextTokenizer;

    /// Most positions one row plus its target may use.
    fn context_length(&self) -> usize;

    /// How many rows of `seq` slots with `targets` scored positions one call to [`Backend::score_rows`] should
    /// carry for good throughput (a memory budget for an embedded model, the engine's batch for a remote one).
    fn batch_hint(&self, seq: usize, targets: usize) -> usize;

    /// Whether rows built by `masker` can be scored (a text-only engine cannot hide slots from attention).
    fn supports_masker(&self, masker: &Masker) -> bool {
        let _ = masker;
        true
    }

    /// Scores `target_ids` after every row: `result[r][t]` is the score of target token t given row r and the
    /// target tokens before t.
    fn score_rows(
        &self,
        rows: &[MaskedRow],
        target_ids: &[u32],
        kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>, BackendError>;

    /// Generates up to `settings.max_new_tokens` after `prompt`; `on_token` sees each new token.
    fn generate(
        &self,
        prompt: &[u32],
        settings: &GenerateSettings,
        on_token: &mut dyn FnMut(u32),
    ) -> Result<Generation, BackendError>;

    /// The ids that end a generated answer: the model's end-of-sequence ids (config, generation config or GGUF
    /// metadata) plus the tokenizer's; see [`crate::stop_tokens`].
    fn stop_tokens(&self) -> Vec<u32>;

    /// The attention probabilities of one forward pass of `ids` with nothing masked (every layer and head), for
    /// showing attention beside the attributions. A backend that cannot capture them (a remote engine) keeps this
    /// default, which says so with [`BackendError::Unsupported`].
    fn attention(&self, ids: &[u32]) -> Result<AttentionProbs, BackendError> {
        let _ = ids;
        Err(BackendError::Unsupported(format!(
            "the {} backend cannot return attention probabilities",
            self.info().runtime
        )))
    }
}
