//! The user's choices, one type each, with `FromStr` and `Display` that round-trip: `parse(x.to_string()) == x`.
//! These are the types the command line (clap's `value_parser` through `FromStr`), the report and other front
//! ends share, so that no crate keeps its own copy of the syntax.
//!
//! - [`Level`]: which features (`token`, `word`, `clause`, `sentence`, `turn`, `custom`).
//! - [`MaskerSpec`]: what "feature absent" means (`delete`, `hide`, `replace[:TOKEN][:collapse]`, `shap[:MASK]`).
//!   It is resolved against the tokenizer into the game's masker ([`crate::GameMasker`]), whose token maskers are
//!   [`whylm_backend::Masker`] row rules.
//! - [`ScoreSpec`]: the number explained per target token (`logprob`, `prob`, `logit`, `logodds`,
//!   `contrast:TEXT`).
//! - [`MethodChoice`]: `auto` or an estimator name (`exact`, `permutation`, `kernel`, `msr`, `gp`, `partition`,
//!   `loo`).
//!
//! `Display` writes the names the report document uses (its `masker`, `score`, `level` and `method` fields).

mod level;
mod masker;
mod method;
mod score;

pub use level::Level;
pub use masker::MaskerSpec;
pub use method::MethodChoice;
pub use score::ScoreSpec;

/// A choice that does not parse; the message names the valid forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseOptionError(pub String);
