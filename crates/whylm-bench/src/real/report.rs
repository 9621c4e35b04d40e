//! The real-model section's result, with the goals checked on this run's numbers.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::files::Variant;
use super::llama_cpp::LlamaCppTimes;
use super::ChatCase;
use crate::goal::Goal;

/// whylm on one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhylmTimes {
    /// Share of parameters per storage type, as loaded.
    pub weight_types: String,
    pub explanation_seconds: f64,
    pub evaluations: usize,
    pub s_per_eval: f64,
    pub gen_tokens_per_s: f64,
    pub gen_ids: Vec<u32>,
    /// Peak resident memory from loading to the end of the measurements.
    pub peak_rss_bytes: Option<usize>,
    /// The full prompt's target log-probs.
    pub logprobs: Vec<f32>,
}

/// One file: whylm, and llama.cpp when it was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealCase {
    pub file: String,
    pub made_by: String,
    pub file_bytes: u64,
    pub whylm: WhylmTimes,
    pub llama_cpp: Option<LlamaCppTimes>,
    /// mean |whylm − llama.cpp| over the full prompt's target log-probs (nats).
    pub mean_abs_logprob_diff: Option<f64>,
    pub same_greedy_tokens: Option<bool>,
}

impl RealCase {
    pub fn new(v: &Variant, whylm: WhylmTimes, llama_cpp: Option<LlamaCppTimes>) -> Self {
        let diff = llama_cpp.as_ref().and_then(|l| l.logprobs.first()).map(|theirs| {
            let n = theirs.len().min(whylm.logprobs.len()).max(1);
            let sum: f64 = theirs
                .iter()
                .zip(&whylm.logprobs)
                .map(|(a, b)| (a - *b as f64).abs())
                .sum();
            sum / n as f64
        });
        Self {
            file: v.name.clone(),
            made_by: v.made_by.clone(),
            file_bytes: std::fs::metadata(&v.path).map(|m| m.len()).unwrap_or(0),
            same_greedy_tokens: llama_cpp.as_ref().map(|l| l.gen_ids == whylm.gen_ids),
            mean_abs_logprob_diff: diff,
            whylm,
            llama_cpp,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealReport {
    pub threads: usize,
    /// Why the section did not run, if it did not.
    pub skipped: Option<String>,
    pub header_tokens: usize,
    pub features: usize,
    pub prompt_tokens: usize,
    pub target_tokens: usize,
    pub cases: Vec<RealCase>,
    pub notes: Vec<String>,
    pub goals: Vec<Goal>,
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

impl RealReport {
    pub fn skipped(why: String) -> Self {
        Self {
            threads: 0,
            skipped: Some(why),
            header_tokens: 0,
            features: 0,
            prompt_tokens: 0,
            target_tokens: 0,
            cases: Vec::new(),
            notes: Vec::new(),
            goals: Vec::new(),
        }
    }

    pub fn new(threads: usize, case: &ChatCase, cases: Vec<RealCase>, notes: Vec<String>) -> Self {
        let goals = goals(&cases);
        Self {
            threads,
            skipped: None,
            header_tokens: case.header().len(),
            features: case.features.len(),
            prompt_tokens: case.prompt.len(),
            target_tokens: case.target.len(),
            cases,
            notes,
            goals,
        }
    }

    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "\n## Real models (SmolLM2-135M-Instruct, {} threads)\n",
            self.threads
        );
        if let Some(why) = &self.skipped {
            let _ = writeln!(s, "Skipped: {why}.");
            return s;
        }
        let _ = writeln!(
            s,
            "Exact explanation of the chat question: {} features, {} prompt tokens ({} of them the header, shared), \
             {} target tokens. s/eval = explanation seconds / evaluations; llama.cpp: f32 KV cache, logits for \
             every token, \"reused\" = the header's KV cache kept across rows. Generation: greedy, tokens/s over \
             the whole call (prompt included).\n",
            self.features, self.prompt_tokens, self.header_tokens, self.target_tokens
        );
        let _ = writeln!(
            s,
            "| file | weights | MiB | whylm s/eval | llama.cpp s/eval reused | fresh | whylm explanation s | \
             whylm gen tok/s | llama.cpp gen tok/s | whylm peak RSS MiB | mean abs Δ log-prob | same tokens |"
        );
        let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for c in &self.cases {
            let l = c.llama_cpp.as_ref();
            let opt = |v: Option<f64>, digits: usize| v.map_or("n/a".into(), |v| format!("{v:.digits$}"));
            let _ = writeln!(
                s,
                "| {} | {} | {:.0} | {:.3} | {} | {} | {:.2} | {:.1} | {} | {} | {} | {} |",
                c.file,
                c.whylm.weight_types,
                mib(c.file_bytes),
                c.whylm.s_per_eval,
                opt(l.map(|l| l.s_per_eval_reused), 3),
                opt(l.map(|l| l.s_per_eval_fresh), 3),
                c.whylm.explanation_seconds,
                c.whylm.gen_tokens_per_s,
                opt(l.map(|l| l.gen_tokens_per_s), 1),
                opt(c.whylm.peak_rss_bytes.map(|b| mib(b as u64)), 0),
                opt(c.mean_abs_logprob_diff, 4),
                c.same_greedy_tokens
                    .map_or("n/a".into(), |b| if b { "yes" } else { "no" }.to_string()),
            );
        }
        s.push('\n');
        for c in &self.cases {
            let _ = writeln!(s, "- {}: written by {}", c.file, c.made_by);
        }
        for n in &self.notes {
            let _ = writeln!(s, "- {n}");
        }
        if !self.goals.is_empty() {
            let _ = writeln!(s, "\n| goal (real models) | measured | met |\n|---|---|---|");
            for g in &self.goals {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} |",
                    g.name,
                    g.measured,
                    if g.met { "yes" } else { "no" }
                );
            }
        }
        s
    }
}

/// The speed goals: s/eval at most llama.cpp's with the header reused (Q4_1, Q4_K_M,
/// Q8_0), the Q4_1 explanation under 15 s, generation at least llama.cpp's tokens/s.
fn goals(cases: &[RealCase]) -> Vec<Goal> {
    let mut out = Vec::new();
    for c in cases {
        if c.file.starts_with("Q4_1") {
            out.push(Goal {
                name: format!("{}: exact explanation under 15 s", c.file),
                measured: format!("{:.2} s", c.whylm.explanation_seconds),
                met: c.whylm.explanation_seconds < 15.0,
            });
        }
        let Some(l) = &c.llama_cpp else { continue };
        if !c.file.starts_with("F16") {
            out.push(Goal {
                name: format!("{}: s/eval at most llama.cpp's with the header reused", c.file),
                measured: format!("{:.3} vs {:.3}", c.whylm.s_per_eval, l.s_per_eval_reused),
                met: c.whylm.s_per_eval <= l.s_per_eval_reused,
            });
        }
        out.push(Goal {
            name: format!("{}: generation at least llama.cpp's tokens/s", c.file),
            measured: format!("{:.1} vs {:.1}", c.whylm.gen_tokens_per_s, l.gen_tokens_per_s),
            met: c.whylm.gen_tokens_per_s >= l.gen_tokens_per_s,
        });
    }
    out
}
