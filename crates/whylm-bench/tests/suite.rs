//! The suite end to end with a small synthetic model: the parts fit together, prefix sharing
//! leaves the values unchanged, and the report renders and round-trips through JSON.

use whylm_bench::{run_suite, BenchOptions, BenchReport, SyntheticSpec};
use whylm_shapley::Method;

#[test]
fn small_suite_runs_and_reports_consistent_numbers() {
    let dir = std::env::temp_dir().join(format!("whylm-bench-suite-{}", std::process::id()));
    let options = BenchOptions {
        exact_features: 6,
        partition_evals: 60,
        target_tokens: 5,
        synthetic: Some(SyntheticSpec {
            hidden: 64,
            layers: 2,
            heads: 4,
            kv_heads: 2,
            ffn: 96,
            vocab: 300,
            context: 128,
            seed: 1,
        }),
        synthetic_dir: Some(dir.clone()),
        forward_lengths: vec![8, 32],
        forward_target_tokens: 4,
        forward_memory_budget: 4 << 20,
        repeats: 1,
        matmul_shape: (16, 64, 64),
        sharing_prompt_tokens: 60,
        sharing_fixed_tokens: 40,
        sharing_target_tokens: 3,
        sharing_method: Method::Kernel,
        sharing_evals: 60,
        real: None,
        ..BenchOptions::default()
    };
    let report = run_suite(&options).unwrap();

    assert_eq!(report.exact.features, 6);
    assert_eq!(report.exact.evaluations, 1 << 6);
    assert!(report.exact.efficiency_residual < 1e-6);
    assert_eq!(report.partition.target_tokens, 5);
    assert!(report.partition.evaluations <= 60);
    assert!(report.partition.efficiency_residual < 1e-6);

    let d = &report.sharing;
    assert_eq!(
        (d.prompt_tokens, d.fixed_prefix_tokens, d.target_tokens),
        (60, 40, 3)
    );
    assert!(d.max_abs_value_diff < 1e-5, "{}", d.max_abs_value_diff);

    let f = report.forward.as_ref().unwrap();
    assert!(f.gguf_vs_hf_max_logit_diff < 1e-4);
    assert!(f.files.gguf.is_file() && f.files.hf_dir.join("config.json").is_file());
    let lengths: Vec<usize> = f.cases.iter().map(|c| c.prompt_tokens).collect();
    assert_eq!(lengths, vec![8, 32]);
    assert!(f.cases.iter().all(|c| c.rows >= 1 && c.gflops > 0.0));

    let md = report.to_markdown();
    for heading in ["## Explanations", "## Forward", "## Prefix sharing", "## Goals"] {
        assert!(md.contains(heading), "missing {heading}");
    }
    let back: BenchReport = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert_eq!(back.sharing.evaluations, report.sharing.evaluations);
    assert_eq!(back.goals.len(), report.goals.len());
    let _ = std::fs::remove_dir_all(&dir);
}
