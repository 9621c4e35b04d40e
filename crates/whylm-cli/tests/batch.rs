//! `whylm explain --batch`: one result line per row in input order, error lines for bad rows, and a batch killed
//! with SIGKILL at three moments and resumed each time ends with the file an uninterrupted run writes, scoring at
//! most 5% more coalitions (issue 15).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::*;
use serde_json::Value;

const COLOURS: [&str; 6] = ["red", "blue", "green", "white", "black", "pink"];
const METHODS: [&str; 4] = ["exact", "kernel", "partition", "permutation"];
const BATCH_SIZE: usize = 8;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("whylm-batch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// 50 key-value prompts of the built-in model's language, each asking for one of its boxes, with several methods.
fn rows_file(dir: &Path) -> PathBuf {
    let mut lines = String::new();
    for i in 0..50usize {
        let boxes: Vec<(usize, usize)> = (0..3).map(|b| ((i + 2 * b) % 6, (i * 7 + b * 3) % 10)).collect();
        let prompt: Vec<String> = boxes
            .iter()
            .map(|(c, v)| format!("the {} box has {v} .", COLOURS[*c]))
            .collect();
        let (asked, value) = boxes[i % 3];
        let row = serde_json::json!({
            "id": format!("p{i}"),
            "prompt": prompt.join(" "),
            "suffix": format!(" the {} box has", COLOURS[asked]),
            "target": format!(" {value}"),
            "method": METHODS[i % 4],
            "max_evals": 48,
            "seed": i,
        });
        lines.push_str(&format!("{row}\n"));
    }
    let path = dir.join("rows.jsonl");
    std::fs::write(&path, lines).unwrap();
    path
}

fn batch_args(rows: &Path, out: &Path) -> Vec<String> {
    [
        "explain",
        "--batch",
        rows.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--batch-size",
        &BATCH_SIZE.to_string(),
        "--quiet",
    ]
    .map(String::from)
    .to_vec()
}

/// Each result line as JSON, without the wall time (the one field that differs between two runs).
fn results(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|line| {
            let mut value: Value = serde_json::from_str(line).expect("every result line is complete JSON");
            value.as_object_mut().unwrap().remove("wall_seconds");
            value
        })
        .collect()
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

#[test]
fn a_batch_killed_three_times_and_resumed_equals_an_uninterrupted_run() {
    let dir = temp_dir("kill");
    let rows = rows_file(&dir);
    let whole = dir.join("whole.jsonl");
    let started = Instant::now();
    assert_success(&whylm(batch_args(&rows, &whole)));
    let wall = started.elapsed();
    let expected = results(&whole);
    assert_eq!(expected.len(), 50);
    let uninterrupted = lines(&dir.join("whole.jsonl.cache"));

    // three kills at seeded random moments (each 10-28% of a whole run, so that together they stay inside one),
    // each run resuming the one before
    let killed = dir.join("killed.jsonl");
    let mut state = 0x5eed_u64;
    for kill in 0..3 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let fraction = 0.1 + 0.18 * ((state >> 33) as f64 / (1u64 << 31) as f64);
        let mut child = Command::new(env!("CARGO_BIN_EXE_whylm"))
            .args(batch_args(&rows, &killed))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(wall.mul_f64(fraction));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        eprintln!(
            "kill {kill} at {fraction:.2} of the run: {} rows done",
            lines(&killed)
        );
    }
    assert!(
        lines(&killed) < 50,
        "the kills came after the batch had finished; nothing was tested"
    );
    assert_success(&whylm(batch_args(&rows, &killed)));
    assert_eq!(results(&killed), expected);
    // Every coalition a run scored is in the cache file once; a kill loses at most the batch it was scoring.
    let scored = lines(&dir.join("killed.jsonl.cache")) + 3 * BATCH_SIZE;
    eprintln!("uninterrupted {uninterrupted} coalitions, interrupted at most {scored}");
    assert!(
        scored as f64 <= 1.05 * uninterrupted as f64,
        "{scored} coalitions scored against {uninterrupted}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_rows_get_error_lines_and_the_batch_goes_on() {
    let dir = temp_dir("errors");
    let rows = dir.join("rows.jsonl");
    std::fs::write(
        &rows,
        concat!(
            "{\"prompt\": \"the red box has 7 .\", \"suffix\": \" the red box has\", \"target\": \" 7\"}\n",
            "{\"prompt\": \"the red box has 7 .\", \"max_eval\": 3}\n",
            "not json\n",
            "{\"prompt\": \"\", \"target\": \" 7\"}\n",
            "{\"prompt\": \"a\", \"user\": \"b\"}\n",
            "{\"prompt\": \"the red box has 7 .\", \"target\": \" 7\", \"method\": \"magic\"}\n",
        ),
    )
    .unwrap();
    let out = dir.join("out.jsonl");
    assert_success(&whylm(batch_args(&rows, &out)));
    let lines = results(&out);
    let errors: Vec<Option<&str>> = lines.iter().map(|l| l["error"].as_str()).collect();
    assert_eq!(lines.len(), 6);
    assert!(errors[0].is_none() && lines[0]["levels"][0]["phi"].is_array());
    for (row, needle) in [
        (1, "unknown field `max_eval`"),
        (2, "not a JSON object"),
        (3, "prompt is empty"),
        (4, "exactly one of"),
        (5, "\"method\""),
    ] {
        assert!(
            errors[row].is_some_and(|e| e.contains(needle)),
            "row {row}: {:?}",
            errors[row]
        );
        assert_eq!(lines[row]["batch_row"], row);
    }
    // a results file from other input is refused, not appended to
    std::fs::write(
        &rows,
        "{\"prompt\": \"the blue box has 3 .\", \"target\": \" 3\"}\n",
    )
    .unwrap();
    assert_user_error(&whylm(batch_args(&rows, &out)), "is not this batch's row 1");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn faithfulness_is_measured_for_every_batch_row_as_for_a_single_run() {
    let dir = temp_dir("faithfulness");
    let rows = dir.join("rows.jsonl");
    let prompts = [
        (
            "the red box has 7 . the blue box has 2 .",
            " the red box has",
            " 7",
        ),
        (
            "the green box has 4 . the pink box has 9 .",
            " the pink box has",
            " 9",
        ),
    ];
    let text: String = prompts
        .iter()
        .map(|(p, s, t)| format!("{}\n", serde_json::json!({"prompt": p, "suffix": s, "target": t})))
        .collect();
    std::fs::write(&rows, text).unwrap();
    let out = dir.join("out.jsonl");
    let mut args = batch_args(&rows, &out);
    args.extend(["--faithfulness", "6"].map(String::from));
    assert_success(&whylm(&args));
    let lines = results(&out);
    assert_eq!(lines.len(), prompts.len());
    for (line, (prompt, suffix, target)) in lines.iter().zip(prompts) {
        let single = whylm([
            "explain",
            "--prompt",
            prompt,
            "--suffix",
            suffix,
            "--target",
            target,
            "--faithfulness",
            "6",
            "--batch-size",
            "8",
            "--json",
            "-",
            "--quiet",
        ]);
        assert_success(&single);
        let single: Value = serde_json::from_slice(&single.stdout).unwrap();
        let measured = &line["levels"][0]["faithfulness"];
        assert!(
            measured["lds"].is_number(),
            "the batch row has its faithfulness: {line}"
        );
        assert_eq!(measured, &single["levels"][0]["faithfulness"]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
