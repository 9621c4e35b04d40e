//! The explanation request of a long held-out prompt (the long examples share it).

use whylm_explain::{ExplainRequest, Level};
use whylm_toy::Example;

/// The context's units are the features; the query (`the red box has`) is a never-masked suffix (it is the
/// question, not evidence); the target is the answer.
pub fn long_request(ex: &Example, levels: Vec<Level>, max_evals: usize) -> ExplainRequest {
    let words = ex.words();
    let query_start = ex.cue[0] - 1;
    ExplainRequest {
        prompt: words[..query_start].join(" "),
        suffix: format!(" {}", words[query_start..].join(" ")),
        target: Some(ex.answer.clone()),
        levels,
        max_evals: Some(max_evals),
        ..Default::default()
    }
}
