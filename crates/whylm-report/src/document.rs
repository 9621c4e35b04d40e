//! The explanation document: what whylm-explain builds, what `whylm render` reads, and what other programs load as
//! JSON. Field names are a contract (docs/report-schema.md): rename nothing without bumping `SCHEMA_VERSION`.

use serde::{Deserialize, Serialize};

/// The schema version this crate writes. Version 2 added `task`, `conversation` and `summary`; documents of
/// version 1 (which have none of them) are still read.
pub const SCHEMA_VERSION: u32 = 2;

/// The oldest schema version this crate reads.
pub const OLDEST_READABLE_SCHEMA_VERSION: u32 = 1;

/// One explanation of a target text given a prompt, at one or more feature levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDoc {
    /// Always `SCHEMA_VERSION` when written by this crate; checked on load.
    pub schema_version: u32,
    /// Version of whylm that produced the document (e.g. "0.1.0").
    pub whylm_version: String,
    pub model: ModelInfo,
    /// The explained text: every byte span in `input_tokens` and `features` refers to it.
    pub prompt: String,
    /// Text the model saw before the prompt that is not explained (e.g. a chat template header). May be empty.
    #[serde(default)]
    pub prefix: String,
    /// Text the model saw after the prompt and before the target (e.g. a chat template footer). May be empty.
    #[serde(default)]
    pub suffix: String,
    /// The prompt's tokens in model order, special tokens (BOS, template control tokens) included.
    pub input_tokens: Vec<InputToken>,
    /// The target tokens whose scores are explained, in order.
    pub target_tokens: Vec<TargetToken>,
    /// The score per target token: "logprob", "prob", "logit", "logodds" or `"contrast:<alternative>"`.
    pub score: String,
    /// What "feature absent" means: "delete", "hide", `"replace:<token>"`, "shap", ...
    pub masker: String,
    /// One explanation per feature level, finest first by convention (token, word, sentence).
    pub levels: Vec<LevelExplanation>,
    /// Wall time of the whole explanation in seconds.
    #[serde(default)]
    pub wall_seconds: f64,
    /// Anything the reader should know (budget exhausted, large residual, truncated prompt, ...).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Attention from the target positions to the input tokens, when it was captured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention: Option<AttentionSummary>,
    /// What was explained: "explain" (a target given a prompt) or "summarise" (a summary given a document).
    #[serde(default = "default_task")]
    pub task: String,
    /// The conversation, when the input was chat messages rendered by a chat template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Conversation>,
    /// The source-sentence x summary-sentence matrix, when `task` is "summarise".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<SummaryMatrix>,
    /// How the levels refined one another (`--refine K`); absent when each level was explained on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refinement: Option<crate::refinement::RefinementPlan>,
}

fn default_task() -> String {
    "explain".to_string()
}

/// A conversation rendered by a chat template: the messages and where each one's content lies in the rendered text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// Everything the model read before the target: `prefix + prompt + suffix` of the document, template markup
    /// and control tokens' text included.
    pub rendered: String,
    /// Where the template came from: "gguf tokenizer.chat_template", "tokenizer_config.json", a file path, ...
    #[serde(default)]
    pub template_source: String,
    /// The messages in order, the answered reply not included (it is the target).
    pub messages: Vec<ChatMessage>,
}

/// One message of a [`Conversation`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// "system", "user", "assistant", ...
    pub role: String,
    pub content: String,
    /// Byte span `[start, end)` of `content` in `Conversation::rendered`. The document's `prompt` starts at byte
    /// `prefix.len()` of `rendered`, so a feature's span in `rendered` is its span plus `prefix.len()`.
    pub start: usize,
    pub end: usize,
    /// Whether the message's content was explained (its text holds features) or kept fixed.
    pub explained: bool,
}

/// Which source sentence each summary sentence came from: the summary is the target, split into sentences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryMatrix {
    /// The level (in `levels`) whose features are the source sentences; usually "sentence".
    pub level: String,
    pub summary_sentences: Vec<SummarySentence>,
    /// `matrix[feature][sentence]`: the sum of `phi[feature][t]` over the sentence's target tokens.
    pub matrix: Vec<Vec<f64>>,
}

/// One sentence of the summary: a run of target tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummarySentence {
    pub text: String,
    /// Target-token indices `[first_target, end_target)`.
    pub first_target: usize,
    pub end_target: usize,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Human-readable name (e.g. "stories260K").
    pub name: String,
    /// Where the model was loaded from (file or directory), as given by the user.
    #[serde(default)]
    pub path: String,
    /// Architecture as reported by the loader (e.g. "llama").
    #[serde(default)]
    pub architecture: String,
    /// How the weight matrices were stored ("f32", "f16", "bf16", "native"); empty when not recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub dtype: String,
    /// Why that dtype ran ("as asked", "asked auto: the fastest, and it fits in ...").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub dtype_reason: String,
    /// Bytes of weight storage as loaded; 0 when not recorded.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub weight_bytes: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputToken {
    pub id: u32,
    /// The token's piece as the tokenizer shows it (for display; may differ from `prompt[start..end]`).
    pub text: String,
    /// Byte span `[start, end)` in `prompt`; empty (start == end) for special tokens that have no text.
    pub start: usize,
    pub end: usize,
    /// Special tokens are never features and are always kept.
    #[serde(default)]
    pub special: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetToken {
    pub id: u32,
    /// The decoded text of the token (e.g. " ran").
    pub text: String,
}

/// The explanation at one feature level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelExplanation {
    /// "token", "word", "clause", "sentence", "paragraph", "document", "custom", "turn", ...
    pub level: String,
    pub features: Vec<Feature>,
    /// Attribution of each feature to each target token's score: `phi[feature][target]`.
    pub phi: Vec<Vec<f64>>,
    /// Standard error of each `phi` entry when the method estimates it (same shape as `phi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std_err: Option<Vec<Vec<f64>>>,
    /// Score of each target token with every feature masked: v(∅).
    pub base_value: Vec<f64>,
    /// Score of each target token with every feature kept: v(N).
    pub full_value: Vec<f64>,
    /// max over targets of `|Σ_i phi[i][t] − (full_value[t] − base_value[t])|`.
    pub efficiency_residual: f64,
    /// Coalitions evaluated (model forward rows) for this level.
    pub evaluations: usize,
    /// "exact", "permutation", "kernel", "msr", "gp", "partition", "loo", "banzhaf", "contextcite", "sparse"
    pub method: String,
    /// Why this method was chosen (e.g. "auto: 7 features <= exact limit 20").
    #[serde(default)]
    pub method_reason: String,
    #[serde(default)]
    pub seed: u64,
    /// Pairwise interactions of the top features (`--interactions K`); absent when not asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interactions: Option<crate::interactions::InteractionMatrix>,
    /// Top-k removal drops and the LDS of the values (`--faithfulness N`, `whylm faithfulness`); absent when not
    /// measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faithfulness: Option<crate::faithfulness::FaithfulnessReport>,
    /// With `--refine K`, for every level after the first: which coarser unit each feature lies in, and how far
    /// the split units' parts sum to the unit's value. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refinement: Option<crate::refinement::LevelRefinement>,
}

/// A group of prompt tokens kept or masked together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// `prompt[start..end]`, stored so that readers need not slice bytes.
    pub text: String,
    /// Byte span `[start, end)` in `prompt`.
    pub start: usize,
    pub end: usize,
    /// Indices into `input_tokens`.
    pub tokens: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AttentionSummary {
    /// Which layer (0-based) the attention comes from.
    pub layer: usize,
    /// Mean over heads of the attention from the position predicting each target token to each input token:
    /// `target_to_input[target][input_token]`.
    pub target_to_input: Vec<Vec<f64>>,
    /// Layers and heads of the model (0 in documents written before the views existed).
    #[serde(default)]
    pub num_layers: usize,
    #[serde(default)]
    pub num_heads: usize,
    /// Rollout, each layer's mean over heads, then every head, each aggregated to every level's features with
    /// its agreement (`--attention`); empty in older documents.
    #[serde(default)]
    pub views: Vec<crate::attention::AttentionView>,
    /// Per level: the top-k removal drops of the Shapley values' own top features, the yardstick for the views'.
    #[serde(default)]
    pub shapley_removal_drop: Vec<Vec<crate::attention::ViewRemovalDrop>>,
    /// The whole tensor (`--attention-full`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<crate::attention::FullAttention>,
}
