//! One seed, the same numbers: every value of an explanation has the same bits with 1 or 2 threads and with
//! batches of 1, 7 or 64 coalitions, for exact, kernel, gp and partition on stories260K (issue 15).

mod common;

use common::*;
use serde_json::Value;

/// The explanation's numbers (phi, std_err, base and full values, residual) as JSON text, compared exactly.
fn numbers(method: &str, threads: usize, batch: usize) -> String {
    let dir = std::env::temp_dir().join(format!("whylm-determinism-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join(format!("{method}-{threads}-{batch}.json"));
    let model = shared("models/stories260K/stories260K.gguf");
    let out = whylm([
        "explain",
        "--model",
        model.to_str().unwrap(),
        "--prompt",
        "Once upon a time there was a girl",
        "--target",
        " named Lily",
        "--level",
        "word",
        "--method",
        method,
        "--max-evals",
        if method == "exact" { "256" } else { "100" },
        "--threads",
        &threads.to_string(),
        "--batch-size",
        &batch.to_string(),
        "--seed",
        "3",
        "--json",
        json.to_str().unwrap(),
        "--quiet",
    ]);
    assert_success(&out);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let level = &doc["levels"][0];
    let fields = [
        "phi",
        "std_err",
        "base_value",
        "full_value",
        "efficiency_residual",
        "evaluations",
    ];
    fields.map(|f| level[f].to_string()).join("\n")
}

#[test]
fn the_same_seed_gives_the_same_bits_on_any_thread_count_and_batch_size() {
    for method in ["exact", "kernel", "gp", "partition"] {
        let reference = numbers(method, 1, 1);
        for (threads, batch) in [(1, 7), (1, 64), (2, 64), (2, 7)] {
            assert_eq!(
                numbers(method, threads, batch),
                reference,
                "{method}: {threads} threads, batches of {batch} against 1 thread, batches of 1"
            );
        }
    }
}
