//! whylm-explain: explains a language model's target with Shapley values over features of its input.
//!
//! The pipeline: the input (segments: text the user explains and fixed text around it, [`input`]) is tokenized
//! and the target found or generated ([`prepare`]); each requested level builds its features ([`features`],
//! [`feature_sources`]: token, word, clause, sentence, paragraph, document, turn, custom spans), chooses a method
//! ([`method_choice`]) and runs the Shapley engine on the language-model game ([`game`]: coalition -> masked
//! rows -> scores, through `whylm_backend::Backend` only) ([`level`]); the domain result ([`Explanation`]) becomes
//! the report document ([`document`]). With `refine`, the levels refine one another from coarse to fine
//! ([`refine`]).
//!
//! Entry points: [`explain()`] (the report document) and [`explain_levels`] (the domain result), with an
//! [`ExplainModel`] (backend and model info) and an [`ExplainRequest`]. The user's choices are the types of
//! [`options`], which parse and print the command line's syntax.

pub mod attention;
pub mod chat;
pub mod chat_conversation;
pub mod chat_setup;
pub mod document;
pub mod document_faithfulness;
pub mod error;
pub mod explain;
pub mod explanation;
pub mod faithfulness;
pub mod feature_sources;
pub mod features;
pub mod game;
pub mod generate;
pub mod hierarchy;
pub mod input;
pub mod interactions;
pub mod level;
pub mod method_choice;
pub mod model;
pub mod options;
pub mod prepare;
pub mod refine;
pub mod refine_check;
pub mod request;
pub mod resolve;
pub mod shap_masker;
pub mod summary;
pub mod target_tokens;
mod text_pos;
pub mod text_units;
pub mod warnings;

pub use chat::{ChatInput, ChatTurn, TurnSelection};
pub use chat_conversation::{conversation_input, TurnOptions};
pub use chat_setup::{ChatSetup, ChatSetupError, ChatSource};
pub use error::ExplainError;
pub use explain::{explain, explain_levels};
pub use explanation::Explanation;
pub use features::{Feature, PromptToken, TokenLayout};
pub use game::{GameMasker, LanguageModelGame};
pub use hierarchy::{feature_groups, feature_hierarchy};
pub use input::{RenderedInput, Segment};
pub use level::LevelResult;
pub use method_choice::{choose_method, ChosenMethod};
pub use model::{ExplainModel, ExplainProgress};
pub use options::{Level, MaskerSpec, MethodChoice, ParseOptionError, ScoreSpec};
pub use prepare::Prepared;
pub use request::{ExplainRequest, GenerationOptions, DEFAULT_AUTO_BUDGET, DEFAULT_EXACT_LIMIT};
pub use shap_masker::ShapTextMasker;
pub use summary::summary_matrix;
pub use text_units::Span;
pub use warnings::Warning;
