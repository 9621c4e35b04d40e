//! The echo dialect: a text prompt with `"echo": true, "logprobs": 0, "max_tokens": 1`, read from
//! `choices[0].logprobs.{tokens, token_logprobs}` and `usage`.
//!
//! The server tokenizes the text itself, so whylm checks that it got the very tokens whylm scored: as many prompt
//! tokens (`usage.prompt_tokens`) and the same pieces. A row whose text tokenizes differently (a masked word that
//! merges with its neighbour, say) would otherwise be a silent wrong number.
//!
//! llama-cpp-python 0.3.36 (`Llama._create_completion`) drops a leading BOS from the echoed tokens and pairs the
//! log-probabilities with the tokens correctly only then: without a leading BOS it pairs token i with the
//! distribution after token i. So every row must start with the model's BOS (added, or the first token of a chat
//! template that is the BOS, as SmolLM2's `<|im_start|>`); rows that do not are refused.

use serde::Deserialize;
use serde_json::{json, Value};
use whylm_backend::BackendError;

#[derive(Deserialize)]
struct Answer {
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    logprobs: Option<Logprobs>,
}

#[derive(Deserialize)]
struct Logprobs {
    tokens: Vec<String>,
    token_logprobs: Vec<Option<f64>>,
}

#[derive(Deserialize)]
struct Usage {
    prompt_tokens: usize,
    #[serde(default)]
    completion_tokens: usize,
}

/// One row as the echo dialect sends it: the token ids whylm scores and how each reads.
pub struct EchoRow {
    pub ids: Vec<u32>,
    /// Each id's piece as text (`▁` as a space), for the token check.
    pub pieces: Vec<Option<String>>,
    /// The text sent (the ids decoded, without a BOS the server adds itself).
    pub text: String,
    /// The model's BOS id, which llama-cpp-python leaves out of the echoed tokens wherever it is.
    pub bos: Option<u32>,
}

pub fn request_body(model: &str, text: &str) -> Value {
    json!({
        "model": model,
        "prompt": text,
        "echo": true,
        "logprobs": 0,
        "max_tokens": 1,
        "temperature": 0,
    })
}

/// Refuses a row that does not start with the BOS (see the module documentation).
pub fn check_starts_with_bos(ids: &[u32], bos: Option<u32>) -> Result<(), BackendError> {
    if bos.is_some() && ids.first().copied() == bos {
        return Ok(());
    }
    Err(BackendError::Unsupported(
        "the echo dialect needs every row to start with the model's BOS token (llama-cpp-python's server pairs \
         prompt log-probs with the wrong tokens otherwise), and this input does not; use a chat template that \
         starts with it (--user), or a vLLM engine (--engine-dialect vllm)"
            .into(),
    ))
}

/// The log-probabilities of the last `targets` ids of `row`, from the engine's answer.
pub fn read_answer(
    answer: Value,
    row: &EchoRow,
    targets: usize,
    url: &str,
) -> Result<Vec<f64>, BackendError> {
    let bad = |what: String| BackendError::Engine(format!("the engine {url} sent a wrong answer: {what}"));
    let answer: Answer = serde_json::from_value(answer).map_err(|e| {
        bad(format!(
            "it is not a completions response with echoed log-probs ({e})"
        ))
    })?;
    let usage = answer
        .usage
        .ok_or_else(|| bad("no usage (prompt token count)".into()))?;
    let logprobs = answer
        .choices
        .into_iter()
        .next()
        .and_then(|c| c.logprobs)
        .ok_or_else(|| bad("no choices[0].logprobs (does the engine support echo with logprobs?)".into()))?;
    let n = row.ids.len();
    if usage.prompt_tokens != n {
        return Err(mismatch(
            url,
            row,
            format!("{} tokens where whylm scored {n}", usage.prompt_tokens),
        ));
    }
    if logprobs.tokens.len() != logprobs.token_logprobs.len() {
        return Err(bad(format!(
            "{} tokens with {} log-probs",
            logprobs.tokens.len(),
            logprobs.token_logprobs.len()
        )));
    }
    // the echoed prompt tokens: all of them (vLLM), or all but the BOS ids (llama-cpp-python skips every BOS,
    // the leading one and any a chat template writes later, and pairs the others with their own log-probs)
    let echoed = logprobs.tokens.len().saturating_sub(usage.completion_tokens);
    let positions: Vec<usize> = match echoed == n {
        true => (0..n).collect(),
        false => (0..n).filter(|&p| Some(row.ids[p]) != row.bos).collect(),
    };
    if positions.len() != echoed {
        return Err(bad(format!(
            "{echoed} echoed prompt log-probs for a prompt of {n} tokens"
        )));
    }
    for (got, &p) in logprobs.tokens.iter().zip(&positions) {
        if let Some(Some(expected)) = row.pieces.get(p) {
            if !same_piece(got, expected) {
                let what = format!("token {p} as {got:?} where whylm has {expected:?}");
                return Err(mismatch(url, row, what));
            }
        }
    }
    let first = n
        .checked_sub(targets)
        .filter(|&f| f > 0)
        .ok_or_else(|| bad(format!("a prompt of {n} tokens cannot score {targets} targets")))?;
    (first..n)
        .map(|p| {
            let entry = positions.iter().position(|&q| q == p).ok_or_else(|| {
                bad(format!(
                    "no log-prob for the target at prompt position {p} (a BOS id?)"
                ))
            })?;
            if entry == 0 {
                return Err(first_entry_is_null());
            }
            logprobs.token_logprobs[entry]
                .filter(|lp| !lp.is_nan() && *lp <= 1e-4)
                .ok_or_else(|| bad(format!("no valid log-prob at prompt position {p}")))
        })
        .collect()
}

fn first_entry_is_null() -> BackendError {
    BackendError::Unsupported(
        "the engine returns no log-prob for the first token it echoes (the echo API leaves it null), and a \
         coalition with every feature absent puts the target there; give text that is never a feature between \
         the prompt and the target (--suffix), or use a vLLM engine (--engine-dialect vllm)"
            .into(),
    )
}

/// Whether the server's text of a token is whylm's piece. Empty texts (special tokens and partial UTF-8, which
/// llama-cpp-python renders as nothing) and leading spaces (dropped at the start of a text) are not compared.
fn same_piece(got: &str, expected: &str) -> bool {
    let (got, expected) = (got.trim_start(), expected.trim_start());
    got.is_empty() || expected.is_empty() || got == expected
}

fn mismatch(url: &str, row: &EchoRow, what: String) -> BackendError {
    BackendError::Unsupported(format!(
        "the engine {url} tokenized the text {:?} differently from whylm ({what}), so its log-probs would belong \
         to other tokens; use --engine-dialect vllm (token-id prompts), a coarser --level, or the tokenizer the \
         engine runs (--model)",
        crate::http::quote(&row.text)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> EchoRow {
        EchoRow {
            ids: vec![1, 10, 11, 12],
            pieces: vec![
                Some("<s>".into()),
                Some(" Tom".into()),
                Some(" had".into()),
                Some(" a".into()),
            ],
            text: "Tom had a".into(),
            bos: Some(1),
        }
    }

    fn answer(tokens: &[&str], logprobs: &[Option<f64>], prompt_tokens: usize) -> Value {
        json!({"choices": [{"text": "Tom had a ball", "logprobs": {"tokens": tokens, "token_logprobs": logprobs,
               "text_offset": [], "top_logprobs": []}}],
               "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1, "total_tokens": prompt_tokens + 1}})
    }

    #[test]
    fn reads_targets_after_a_dropped_bos_and_after_a_kept_one() {
        // llama-cpp-python: BOS dropped, one completion token echoed after the prompt
        let dropped = answer(
            &["Tom", " had", " a", " ball"],
            &[None, Some(-1.0), Some(-2.0), Some(-3.0)],
            4,
        );
        assert_eq!(read_answer(dropped, &row(), 2, "u").unwrap(), vec![-1.0, -2.0]);
        // vLLM: BOS echoed
        let kept = answer(
            &["<s>", "Tom", " had", " a", " ball"],
            &[None, Some(-0.5), Some(-1.0), Some(-2.0), Some(-3.0)],
            4,
        );
        assert_eq!(read_answer(kept, &row(), 1, "u").unwrap(), vec![-2.0]);
    }

    #[test]
    fn other_tokens_or_counts_are_refused() {
        let merged = answer(&["Tom", " hada", " ball"], &[None, Some(-1.0), Some(-3.0)], 3);
        let error = read_answer(merged, &row(), 1, "http://e").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("tokenized the text \"Tom had a\" differently"),
            "{error}"
        );
        let renamed = answer(
            &["Tom", " has", " a", " ball"],
            &[None, Some(-1.0), Some(-2.0), Some(-3.0)],
            4,
        );
        assert!(read_answer(renamed, &row(), 1, "u")
            .unwrap_err()
            .to_string()
            .contains("\" has\""));
        let short = answer(&["Tom", " had"], &[None, Some(-1.0)], 4);
        let error = read_answer(short, &row(), 1, "u").unwrap_err().to_string();
        assert!(
            error.contains("1 echoed prompt log-probs for a prompt of 4 tokens"),
            "{error}"
        );
        // a BOS inside the prompt (a chat template's second <|im_start|>) is skipped too, the rest stay paired
        let mut chat = row();
        chat.ids = vec![1, 10, 1, 12];
        chat.pieces[2] = None;
        let skipped = answer(&["Tom", " a", " ball"], &[None, Some(-2.0), Some(-3.0)], 4);
        assert_eq!(read_answer(skipped, &chat, 1, "u").unwrap(), vec![-2.0]);
        assert!(check_starts_with_bos(&[5, 6], Some(1)).is_err());
        let bos_only = EchoRow {
            ids: vec![1, 10],
            pieces: vec![None, Some(" Tom".into())],
            text: "Tom".into(),
            bos: Some(1),
        };
        let nulled = answer(&["Tom", " x"], &[None, Some(-1.0)], 2);
        let error = read_answer(nulled, &bos_only, 1, "u").unwrap_err().to_string();
        assert!(error.contains("--suffix"), "{error}");
        assert!(check_starts_with_bos(&[1, 6], Some(1)).is_ok());
    }
}
