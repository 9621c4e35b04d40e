//! The target's token ids.
//!
//! A target is encoded on its own, as shap's TeacherForcing does, except when it starts with
//! whitespace: a SentencePiece tokenizer that adds a dummy-prefix space (llama.cpp's GGUF Llama
//! vocabularies do) turns a leading space into a bare "▁" token, so " She was happy." would start
//! with a space the model never has to predict after "...day", and that token's log-probability
//! would dominate the attributions (the Hugging Face conversion of the same vocabulary does not do
//! this, so the two files disagreed). Such a target is encoded together with the text before it and
//! its ids are what follows that text's own ids: the tokens the model would read. When the two
//! cannot be split that way (the target's first characters merge with the end of the text into one
//! token), it is encoded on its own and a warning says so.

use whylm_backend::{Encoding, TextTokenizer};

use crate::error::ExplainError;
use crate::warnings::Warning;

/// The target's ids (empty when the text has no tokens: the caller says what that means), with a
/// warning when they had to be encoded apart from the text before them.
pub struct TargetTokens {
    pub ids: Vec<u32>,
    pub warning: Option<Warning>,
}

/// `context` is everything the model reads before the target (prefix, prompt, suffix) and
/// `context_encoding` its encoding, with the model's special tokens (BOS) added when `add_special` (a rendered
/// chat holds its own).
pub fn target_tokens(
    tokenizer: &dyn TextTokenizer,
    context: &str,
    context_encoding: &Encoding,
    add_special: bool,
    target: &str,
) -> Result<TargetTokens, ExplainError> {
    let alone = |warning: Option<Warning>| -> Result<TargetTokens, ExplainError> {
        let ids = tokenizer.encode(target, false)?.ids;
        Ok(TargetTokens { ids, warning })
    };
    if !target.starts_with(char::is_whitespace) {
        return alone(None);
    }
    let joint = tokenizer.encode(&format!("{context}{target}"), add_special)?;
    let before = &context_encoding.ids;
    if joint.ids.len() > before.len() && joint.ids.starts_with(before) {
        return Ok(TargetTokens {
            ids: joint.ids[before.len()..].to_vec(),
            warning: None,
        });
    }
    let warning = (!joint.ids.starts_with(before)).then(|| Warning::TargetTokenizedAlone {
        target: target.to_string(),
    });
    alone(warning)
}
