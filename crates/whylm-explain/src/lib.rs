//! whylm-explain: features (token / word / sentence) and their hierarchy from byte spans, the language-model game
//! (coalition -> masked rows -> scores), shap's Text masker, the auto method choice, and the report document.
//!
//! Entry point: [`explain`] with an [`ExplainModel`] (model, tokenizer, model info) and an [`ExplainRequest`].

pub mod error;
pub mod explain;
pub mod features;
pub mod game;
pub mod hierarchy;
pub mod method_choice;
pub mod options;
pub mod request;
pub mod shap_masker;
pub mod target_tokens;
pub mod text_units;
pub mod warnings;

pub use error::ExplainError;
pub use explain::{explain, masker_name, ExplainModel, ExplainProgress};
pub use features::{Feature, PromptToken, TokenLayout};
pub use game::{GameMasker, LanguageModelGame};
pub use hierarchy::{feature_groups, feature_hierarchy};
pub use method_choice::{choose_method, ChosenMethod};
pub use options::{Level, MaskerSpec, MethodChoice, ParseOptionError, ScoreSpec};
pub use request::{ExplainRequest, GenerationOptions, DEFAULT_AUTO_BUDGET, DEFAULT_EXACT_LIMIT};
pub use shap_masker::ShapTextMasker;
