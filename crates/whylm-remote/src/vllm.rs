//! The vLLM dialect: token-id prompts, many per request, and the log-probability of every prompt token.
//!
//! Request and answer follow vLLM's `vllm/entrypoints/openai/completion/protocol.py`: `CompletionRequest.prompt`
//! may be `list[list[int]]`, `prompt_logprobs: 0` asks for the log-probability of each prompt token itself, and
//! each `CompletionResponseChoice` (matched to its prompt by `index`) has `prompt_logprobs: list[dict[int,
//! Logprob] | None]`, one entry per prompt token, entry 0 null, keyed by the token id (a string in JSON), each
//! `{"logprob", "rank", "decoded_token"}`; with `return_token_ids` it also echoes `prompt_token_ids`.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Value};
use whylm_backend::BackendError;

#[derive(Deserialize)]
struct Answer {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    index: usize,
    #[serde(default)]
    prompt_logprobs: Option<Vec<Option<HashMap<String, Entry>>>>,
    #[serde(default)]
    prompt_token_ids: Option<Vec<u32>>,
}

#[derive(Deserialize)]
struct Entry {
    logprob: f64,
}

/// The request body scoring `prompts` (each a row's visible tokens followed by the targets).
pub fn request_body(model: &str, prompts: &[Vec<u32>]) -> Value {
    json!({
        "model": model,
        "prompt": prompts,
        "max_tokens": 1,
        "temperature": 0,
        "prompt_logprobs": 0,
        "return_token_ids": true,
    })
}

/// The log-probabilities of the last `targets` tokens of each prompt, from the engine's answer.
pub fn read_answer(
    answer: Value,
    prompts: &[Vec<u32>],
    targets: usize,
    url: &str,
) -> Result<Vec<Vec<f64>>, BackendError> {
    let bad = |what: String| BackendError::Engine(format!("the engine {url} sent a wrong answer: {what}"));
    let answer: Answer = serde_json::from_value(answer).map_err(|e| {
        bad(format!(
            "it is not a completions response with prompt log-probs ({e})"
        ))
    })?;
    if answer.choices.len() != prompts.len() {
        return Err(bad(format!(
            "{} choices for {} prompts",
            answer.choices.len(),
            prompts.len()
        )));
    }
    let mut out: Vec<Option<Vec<f64>>> = vec![None; prompts.len()];
    for choice in answer.choices {
        let prompt = prompts.get(choice.index).ok_or_else(|| {
            bad(format!(
                "a choice has index {} of {} prompts",
                choice.index,
                prompts.len()
            ))
        })?;
        if let Some(ids) = &choice.prompt_token_ids {
            if ids != prompt {
                return Err(bad(format!(
                    "prompt {} came back as other token ids than were sent: the engine changed the prompt",
                    choice.index
                )));
            }
        }
        let logprobs = choice
            .prompt_logprobs
            .as_ref()
            .ok_or_else(|| bad("no prompt_logprobs (is this a vLLM server?)".into()))?;
        out[choice.index] = Some(target_logprobs(logprobs, prompt, targets).map_err(bad)?);
    }
    out.into_iter()
        .enumerate()
        .map(|(i, scores)| scores.ok_or_else(|| bad(format!("no choice for prompt {i}"))))
        .collect()
}

/// The log-probabilities of the last `targets` tokens of `prompt`.
fn target_logprobs(
    logprobs: &[Option<HashMap<String, Entry>>],
    prompt: &[u32],
    targets: usize,
) -> Result<Vec<f64>, String> {
    if logprobs.len() != prompt.len() {
        return Err(format!(
            "{} prompt log-probs for a prompt of {} tokens",
            logprobs.len(),
            prompt.len()
        ));
    }
    let first = prompt
        .len()
        .checked_sub(targets)
        .filter(|&f| f > 0)
        .ok_or_else(|| {
            format!(
                "a prompt of {} tokens cannot score {targets} targets",
                prompt.len()
            )
        })?;
    (first..prompt.len())
        .map(|p| {
            let id = prompt[p];
            logprobs[p]
                .as_ref()
                .and_then(|entry| entry.get(&id.to_string()))
                .map(|e| e.logprob)
                .filter(|lp| !lp.is_nan() && *lp <= 1e-4)
                .ok_or_else(|| format!("no valid log-prob of token {id} at prompt position {p}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(choices: Value) -> Value {
        json!({"id": "cmpl-1", "object": "text_completion", "model": "m", "choices": choices})
    }

    fn entry(id: u32, logprob: f64) -> Value {
        json!({ id.to_string(): {"logprob": logprob, "rank": 1, "decoded_token": "x"} })
    }

    #[test]
    fn reads_each_prompts_targets_by_index_and_token_id() {
        let prompts = vec![vec![1, 5, 7], vec![1, 7]];
        let choices = json!([
            {"index": 1, "text": "", "prompt_logprobs": [null, entry(7, -0.5)]},
            {"index": 0, "text": "", "prompt_logprobs": [null, entry(5, -1.0), entry(7, -2.0)],
             "prompt_token_ids": [1, 5, 7]},
        ]);
        let scores = read_answer(answer(choices), &prompts, 1, "u").unwrap();
        assert_eq!(scores, vec![vec![-2.0], vec![-0.5]]);
    }

    #[test]
    fn wrong_counts_missing_tokens_and_changed_prompts_are_errors() {
        let prompts = vec![vec![1, 5, 7]];
        let short = json!([{"index": 0, "prompt_logprobs": [null, entry(7, -2.0)]}]);
        let other = json!([{"index": 0, "prompt_logprobs": [null, entry(5, -1.0), entry(8, -2.0)]}]);
        let changed = json!([{"index": 0, "prompt_logprobs": [null, entry(5, -1.0), entry(7, -2.0)],
                              "prompt_token_ids": [1, 5, 8]}]);
        for (choices, says) in [
            (short, "2 prompt log-probs for a prompt of 3 tokens"),
            (other, "no valid log-prob of token 7"),
            (changed, "other token ids"),
            (json!([]), "0 choices for 1 prompts"),
        ] {
            let error = read_answer(answer(choices), &prompts, 1, "u")
                .unwrap_err()
                .to_string();
            assert!(error.contains(says), "{error}");
        }
    }
}
