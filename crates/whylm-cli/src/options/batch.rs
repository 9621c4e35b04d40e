//! Many explanations in one run: `--batch prompts.jsonl --out results.jsonl`. Each input line is a JSON object
//! with the input (prompt, chat or user) and any per-row options; the command line gives the rest
//! (commands/batch_row.rs puts a row into the command line's arguments).

use std::path::PathBuf;

use clap::Args;
use serde::Deserialize;

#[derive(Args, Debug, Clone, Default)]
pub struct BatchOptions {
    /// Explain every line of a JSON-lines file: {"prompt": ...} or {"chat": [...]} or {"user": ...}, with optional
    /// "id", "target", "prefix", "suffix", "system", "level", "masker", "score", "method", "max_evals", "seed",
    /// "max_new_tokens", "explain_turns". Results go to --out, one line per row in input order.
    #[arg(long, value_name = "FILE", group = "PromptInput", requires = "out")]
    pub batch: Option<PathBuf>,
    /// Where --batch writes its results (one report document, or an error object, per line). When it exists, the
    /// run continues after its last complete row; rows already scored are taken from FILE.cache.
    #[arg(long, value_name = "FILE", requires = "batch")]
    pub out: Option<PathBuf>,
    /// Keep every scored coalition in FILE (a --batch run uses OUT.cache); a run stopped half way and started
    /// again with the same arguments scores only what is missing.
    #[arg(long, value_name = "FILE")]
    pub cache: Option<PathBuf>,
}

/// One line of a batch file. Unknown fields are refused, so a typo never falls back to a default silently.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BatchRow {
    pub id: Option<serde_json::Value>,
    pub prompt: Option<String>,
    pub chat: Option<serde_json::Value>,
    pub user: Option<String>,
    pub system: Option<String>,
    pub target: Option<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub level: Option<Levels>,
    pub masker: Option<String>,
    pub score: Option<String>,
    pub method: Option<String>,
    pub max_evals: Option<usize>,
    pub seed: Option<u64>,
    pub max_new_tokens: Option<usize>,
    pub explain_turns: Option<String>,
}

/// "word", "word,sentence" or ["word", "sentence"].
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Levels {
    One(String),
    Many(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(json: &str) -> Result<BatchRow, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn rows_parse_their_options_and_refuse_unknown_fields() {
        let r = row(r#"{"prompt": "a b", "level": ["word", "sentence"], "max_evals": 9, "id": 3}"#).unwrap();
        assert_eq!(r.prompt.as_deref(), Some("a b"));
        assert_eq!(r.max_evals, Some(9));
        let typo = row(r#"{"prompt": "a", "max_eval": 9}"#).unwrap_err().to_string();
        assert!(typo.contains("unknown field `max_eval`"), "{typo}");
    }
}
