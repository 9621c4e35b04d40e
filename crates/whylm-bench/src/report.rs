//! The suite's result: serde JSON and a markdown rendering, with each goal of the issue checked
//! against this run's numbers (reported, never asserted: timings depend on the machine).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::forward::ForwardReport;
pub use crate::goal::Goal;
use crate::real::RealReport;
use crate::stories::{ExplainCase, SharingCase};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    pub threads: usize,
    pub partition: ExplainCase,
    pub exact: ExplainCase,
    pub forward: Option<ForwardReport>,
    pub sharing: SharingCase,
    pub goals: Vec<Goal>,
    /// (e) Real models; `None` where the run left the section out.
    #[serde(default)]
    pub real: Option<RealReport>,
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn opt_mib(bytes: Option<usize>) -> String {
    bytes.map_or("n/a".into(), |b| format!("{:.0}", mib(b)))
}

impl BenchReport {
    pub fn new(
        partition: ExplainCase,
        exact: ExplainCase,
        forward: Option<ForwardReport>,
        sharing: SharingCase,
        threads: usize,
    ) -> Self {
        let mut goals = vec![Goal {
            name: "(a) partition explanation under 1 s".into(),
            measured: format!("{:.3} s", partition.seconds),
            met: partition.seconds < 1.0,
        }];
        if let Some(f) = &forward {
            if let Some(c) = f.cases.iter().find(|c| c.prompt_tokens == 256) {
                goals.push(Goal {
                    name: "(c) forward at length 256 reaches >= 50% of the matmul GFLOP/s".into(),
                    measured: format!(
                        "{:.1} of {:.1} GFLOP/s ({:.0}%)",
                        c.gflops,
                        f.matmul_gflops,
                        100.0 * c.matmul_fraction
                    ),
                    met: c.matmul_fraction >= 0.5,
                });
            }
            let worst = f.cases.iter().filter_map(|c| c.activation_peak_bytes()).max();
            goals.push(Goal {
                name: "(c) peak memory growth within the batch memory budget".into(),
                measured: format!(
                    "max {} MiB over {} MiB budget (weights {:.0} MiB)",
                    opt_mib(worst),
                    mib(f.memory_budget_bytes).round(),
                    mib(f.weight_bytes)
                ),
                met: worst.is_some_and(|w| w <= f.memory_budget_bytes),
            });
        }
        goals.push(Goal {
            name: "(d) prefix sharing >= 1.5x faster with identical values".into(),
            measured: format!(
                "{:.2}x, max abs dphi {:.1e}",
                sharing.speedup, sharing.max_abs_value_diff
            ),
            met: sharing.speedup >= 1.5 && sharing.max_abs_value_diff < 1e-5,
        });
        Self {
            threads,
            partition,
            exact,
            forward,
            sharing,
            goals,
            real: None,
        }
    }

    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self)
    }

    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# whylm bench ({} threads)\n", self.threads);
        self.write_explanations(&mut s);
        if let Some(f) = &self.forward {
            write_forward(&mut s, f);
        }
        self.write_sharing(&mut s);
        self.write_goals(&mut s);
        if let Some(r) = &self.real {
            s.push_str(&r.to_markdown());
        }
        s
    }

    /// Parts (a) and (b).
    fn write_explanations(&self, s: &mut String) {
        let _ = writeln!(s, "## Explanations (stories260K, delete masker, logprob)\n");
        let _ = writeln!(
            s,
            "| case | method | features | target tokens | evaluations | wall s | evals/s | efficiency residual |"
        );
        let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|");
        for c in [&self.partition, &self.exact] {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {:.3} | {:.0} | {:.1e} |",
                c.name,
                c.method,
                c.features,
                c.target_tokens,
                c.evaluations,
                c.seconds,
                c.evaluations_per_second,
                c.efficiency_residual
            );
        }
    }

    /// Part (d).
    fn write_sharing(&self, s: &mut String) {
        let d = &self.sharing;
        let _ = writeln!(s, "\n## Prefix sharing (stories260K)\n");
        let _ = writeln!(
            s,
            "| prompt | never-masked prefix | target | method | evaluations | off s | on s | speed-up | max abs dphi |"
        );
        let _ = writeln!(s, "|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.2}x | {:.1e} |",
            d.prompt_tokens,
            d.fixed_prefix_tokens,
            d.target_tokens,
            d.method,
            d.evaluations,
            d.seconds_off,
            d.seconds_on,
            d.speedup,
            d.max_abs_value_diff
        );
    }

    fn write_goals(&self, s: &mut String) {
        let _ = writeln!(s, "\n## Goals\n");
        let _ = writeln!(s, "| goal | measured | met |");
        let _ = writeln!(s, "|---|---|---|");
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
}

/// Part (c).
fn write_forward(s: &mut String, f: &ForwardReport) {
    let (m, k, n) = f.matmul_shape;
    let _ = writeln!(
        s,
        "\n## Forward (synthetic Llama, {:.1} M parameters, {:.0} MiB weights)\n",
        f.parameters as f64 / 1e6,
        mib(f.weight_bytes)
    );
    let _ = writeln!(
        s,
        "Plain matmul {m}x{k} . {k}x{n} f32: {:.1} GFLOP/s. GGUF vs HF copy: max |dlogit| {:.1e}. Memory budget per batch: {:.0} MiB. Files: {} and {}.\n",
        f.matmul_gflops,
        f.gguf_vs_hf_max_logit_diff,
        mib(f.memory_budget_bytes),
        f.files.gguf.display(),
        f.files.hf_dir.display()
    );
    let _ = writeln!(
        s,
        "| prompt | target | rows | pass s | tokens/s | GFLOP/pass | GFLOP/s | of matmul | RSS before MiB | peak MiB | growth MiB |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for c in &f.cases {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.3} | {:.0} | {:.1} | {:.1} | {:.0}% | {} | {} | {} |",
            c.prompt_tokens,
            c.target_tokens,
            c.rows,
            c.seconds,
            c.tokens_per_second,
            c.gflop_per_pass,
            c.gflops,
            100.0 * c.matmul_fraction,
            opt_mib(c.rss_before_bytes),
            opt_mib(c.peak_rss_bytes),
            opt_mib(c.activation_peak_bytes()),
        );
    }
}
