//! The whylm explanation document (`ReportDoc`, JSON schema version 2) and its renderers: terminal, HTML, SVG.
//!
//! This crate depends on no other whylm crate: whylm-explain builds a `ReportDoc`, the CLI renders or saves it,
//! and any program can load the JSON (see docs/report-schema.md).

mod attention;
mod attribution;
mod color;
mod conversation;
pub mod document;
mod error;
pub mod escape;
mod faithfulness;
mod format;
mod html;
mod interactions;
mod load;
pub mod refinement;
mod svg;
mod terminal;
mod validate;

pub use attention::{AgreementMeans, AttentionView, FullAttention, ViewLevel, ViewRemovalDrop};
pub use attribution::{RankedFeature, Selection};
pub use conversation::{message_features, message_totals};
pub use document::{
    AttentionSummary, ChatMessage, Conversation, Feature, InputToken, LevelExplanation, ModelInfo, ReportDoc,
    SummaryMatrix, SummarySentence, TargetToken, OLDEST_READABLE_SCHEMA_VERSION, SCHEMA_VERSION,
};
pub use error::ReportError;
pub use faithfulness::{FaithfulnessReport, RemovalDrop};
pub use html::render_html;
pub use interactions::{InteractionMatrix, PairValues, RankedPair};
pub use refinement::{LevelRefinement, RefinedUnit, RefinementPlan};
pub use svg::{render_svg, SvgOptions};
pub use terminal::{render_terminal, TerminalOptions};
