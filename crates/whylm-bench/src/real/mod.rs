//! (e) Real models: SmolLM2-135M-Instruct as shipped (Q4_1) and as Q4_K_M, Q8_0 and F16, the
//! exact explanation of the chat question (one feature per question token, the chat header
//! and the closing template kept and shared), whylm beside llama.cpp on the same files and rows.

mod files;
mod llama_cpp;
mod report;
mod whylm_side;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use llama_cpp::{LlamaCpp, LlamaCppTimes, ScoringJob, LLAMA_CPP_FTYPES};
pub use report::{RealCase, RealReport, WhylmTimes};

use crate::error::{BenchError, Result};

/// Where the section finds its inputs and writes its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealOptions {
    /// The shipped Q4_1 GGUF.
    pub model: PathBuf,
    /// golden_smollm2.json: its first item gives the chat prompt's ids and the target's.
    pub golden: PathBuf,
    /// The written files (F16, Q8_0, Q4_K_M) are cached here.
    pub cache_dir: PathBuf,
    /// A Python with `llama_cpp`; `None` measures whylm alone.
    pub llama_cpp: Option<PathBuf>,
    /// More llama.cpp quantization types to write from the F16 file and measure (names as in
    /// [`LLAMA_CPP_FTYPES`]); only with `llama_cpp`.
    pub extra_types: Vec<String>,
    pub gen_tokens: usize,
    /// Timed repetitions of scoring (the best counts).
    pub repeats: usize,
    /// Timed repetitions of generation (the best counts). Generation is short and its rate moves with the machine's
    /// load (llama.cpp's own rate moved by a third between two runs of 20 tokens), so it gets more tries.
    pub gen_repeats: usize,
}

impl Default for RealOptions {
    fn default() -> Self {
        let dir = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/models/smollm2-135m-instruct"
        ));
        Self {
            model: dir.join("SmolLM2-135M-Instruct.Q4_1.gguf"),
            golden: dir.join("golden_smollm2.json"),
            cache_dir: std::env::temp_dir().join("whylm-bench-real-models"),
            llama_cpp: None,
            extra_types: Vec::new(),
            // 64 new tokens after the 37-token chat prompt: the prompt's one pass is then a small share of the time,
            // as it is in real use, where answers run longer than 20 tokens.
            gen_tokens: 64,
            repeats: 2,
            gen_repeats: 3,
        }
    }
}

/// The rows both engines score: the chat prompt, which of its tokens are features, the target.
#[derive(Debug, Clone)]
pub struct ChatCase {
    pub prompt: Vec<u32>,
    /// Positions in `prompt` of the question's tokens (the features); all before them is the
    /// header, all after the closing template.
    pub features: Vec<usize>,
    pub target: Vec<u32>,
}

impl ChatCase {
    /// The header (tokens before the first feature).
    pub fn header(&self) -> &[u32] {
        &self.prompt[..self.features.first().copied().unwrap_or(0)]
    }

    /// Every coalition's row after the header (kept question tokens, closing template,
    /// target), the full one first, as llama.cpp evaluates them.
    pub fn rows_after_header(&self) -> Vec<Vec<u32>> {
        let n = self.features.len();
        let start = self.header().len();
        (0..1u32 << n)
            .rev()
            .map(|mask| {
                let mut row: Vec<u32> = self.prompt[start..]
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        let feature = self.features.iter().position(|&p| p == start + i);
                        feature.is_none_or(|f| mask & (1 << f) != 0)
                    })
                    .map(|(_, &t)| t)
                    .collect();
                row.extend(&self.target);
                row
            })
            .collect()
    }
}

/// Reads the first golden item and finds its question's tokens in the prompt.
fn chat_case(options: &RealOptions, tokenizer: &whylm_tokenize::Tokenizer) -> Result<ChatCase> {
    let bad = |m: String| BenchError::RealModel(format!("{}: {m}", options.golden.display()));
    let text = std::fs::read_to_string(&options.golden).map_err(|e| bad(e.to_string()))?;
    let golden: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let item = &golden["items"][0];
    let ids = |key: &str| -> Result<Vec<u32>> {
        serde_json::from_value(item[key].clone())
            .map_err(|_| bad(format!("items[0].{key} is not a list of token ids")))
    };
    let (prompt, target) = (ids("prompt_ids")?, ids("target_ids")?);
    let question = item["question"]
        .as_str()
        .ok_or_else(|| bad("items[0].question is missing".into()))?;
    let q = tokenizer
        .encode(question, false)
        .map_err(|e| bad(format!("cannot tokenize the question: {e}")))?
        .ids;
    let at = prompt
        .windows(q.len().max(1))
        .position(|w| w == &q[..])
        .ok_or_else(|| bad("the question's tokens are not in prompt_ids".into()))?;
    Ok(ChatCase {
        prompt,
        features: (at..at + q.len()).collect(),
        target,
    })
}

/// Runs the section, or says why it cannot.
pub fn run_real(options: &RealOptions, threads: usize) -> Result<RealReport> {
    for p in [&options.model, &options.golden] {
        if !p.is_file() {
            return Ok(RealReport::skipped(format!("{} is missing", p.display())));
        }
    }
    std::fs::create_dir_all(&options.cache_dir)
        .map_err(|e| BenchError::RealModel(format!("cannot create {}: {e}", options.cache_dir.display())))?;
    let llama = match &options.llama_cpp {
        Some(python) => Some(LlamaCpp::new(python, &options.cache_dir)?),
        None => None,
    };
    let (variants, mut notes) = files::variants(options, llama.as_ref(), threads)?;
    let case = {
        let loaded = whylm_model::load(&options.model)?;
        chat_case(options, &loaded.tokenizer)?
    };
    let rows = case.rows_after_header();
    let job = ScoringJob {
        threads,
        header: case.header(),
        rows: &rows,
        target_len: case.target.len(),
        gen_prompt: &case.prompt,
        gen_tokens: options.gen_tokens,
        repeats: options.repeats,
        gen_repeats: options.gen_repeats,
    };
    let mut cases = Vec::new();
    for v in &variants {
        let whylm = whylm_side::measure(v, &case, options)?;
        let llama_times = match &llama {
            Some(l) => Some(l.time(&v.path, &job)?),
            None => None,
        };
        cases.push(RealCase::new(v, whylm, llama_times));
    }
    if llama.is_none() {
        notes.push("llama.cpp not measured: pass --llama-cpp PYTHON (a Python with llama_cpp)".into());
    }
    notes.push(format!(
        "generation: {} new tokens after the {}-token chat prompt, the best of {} runs on each side",
        options.gen_tokens,
        case.prompt.len(),
        options.gen_repeats
    ));
    Ok(RealReport::new(threads, &case, cases, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_cover_every_coalition_with_the_full_row_first() {
        // header [1, 2], features at 2..5 (10, 11, 12), closing template [3], target [7, 8]
        let case = ChatCase {
            prompt: vec![1, 2, 10, 11, 12, 3],
            features: vec![2, 3, 4],
            target: vec![7, 8],
        };
        assert_eq!(case.header(), &[1, 2]);
        let rows = case.rows_after_header();
        assert_eq!(rows.len(), 8);
        assert_eq!(rows[0], vec![10, 11, 12, 3, 7, 8]);
        assert_eq!(rows[7], vec![3, 7, 8]);
        // mask 0b101 keeps features 0 and 2
        assert_eq!(rows[7 - 0b101], vec![10, 12, 3, 7, 8]);
        let distinct: std::collections::BTreeSet<_> = rows.iter().collect();
        assert_eq!(distinct.len(), 8);
    }
}
