//! whylm-backend: the seam between the explanation layers and whatever runs the model.
//!
//! Everything above this crate (features, the language-model game, the estimators' driver, reports) talks to a
//! model only through [`Backend`]: score a batch of [`MaskedRow`]s for given target ids, generate, tokenize with
//! byte spans ([`TextTokenizer`]), and say how long a context it has and how many rows a batch should hold. The
//! embedded candle runtime (whylm-model) is one implementation; a remote serving engine is another. This crate
//! depends on no tensor library, so nothing above it does either.

mod attention;
mod backend;
mod cached;
mod error;
mod generation;
mod line_file;
mod row;
mod score;
mod score_file;
mod tokenizer;

pub use attention::AttentionProbs;
pub use backend::{Backend, BackendInfo};
pub use cached::CachedBackend;
pub use error::BackendError;
pub use generation::{stop_tokens, GenerateSettings, Generation, Sampling, StopReason};
pub use line_file::LineFile;
pub use row::{masked_row, MaskedRow, Masker};
pub use score::ScoreKind;
pub use score_file::{fingerprint, row_key, ScoreFile};
pub use tokenizer::{Encoding, TextTokenizer};
