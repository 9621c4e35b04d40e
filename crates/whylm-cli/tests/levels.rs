//! Levels above the sentence (paragraph, document from `--context-file`/`--context-json`) and multi-level
//! refinement (`--refine K`) through the binary, on the built-in model, with their one-line errors.

mod common;

use common::{assert_success, assert_user_error, stdout, whylm, TempDir};
use serde_json::Value;

/// Runs `explain` on the built-in model with `args` and returns the JSON report.
fn explain_json(args: &[&str]) -> Value {
    let mut all = vec!["explain", "--quiet", "--target", "3", "--json", "-"];
    all.extend_from_slice(args);
    let output = whylm(&all);
    assert_success(&output);
    serde_json::from_str(&stdout(&output)).expect("--json - prints the report")
}

fn texts(level: &Value) -> Vec<String> {
    level["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap().to_string())
        .collect()
}

fn sequence_values(level: &Value) -> Vec<f64> {
    let rows = level["phi"].as_array().unwrap();
    rows.iter()
        .map(|row| row.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).sum())
        .collect()
}

#[test]
fn context_files_are_documents_before_the_query_and_paragraphs_split_at_blank_lines() {
    let dir = TempDir::new("levels-context");
    let first = dir.join("first.txt");
    let second = dir.join("second.txt");
    // CRLF blank lines and several blank lines in a row both end a paragraph
    std::fs::write(&first, "the red box has 7 .\r\n\r\nit is sunny today .\n").unwrap();
    std::fs::write(&second, "the blue cup has 3 .\n\n\n\nmy dog sleeps .").unwrap();
    let (a, b) = (first.to_str().unwrap(), second.to_str().unwrap());
    let doc = explain_json(&[
        "--context-file",
        a,
        "--context-file",
        b,
        "--prompt",
        "the blue cup has",
        "--level",
        "document,paragraph",
        "--method",
        "exact",
    ]);
    assert_eq!(doc["prefix"], "Context: ");
    assert_eq!(doc["suffix"], "\n\nQuery: the blue cup has");
    assert_eq!(
        doc["prompt"],
        "the red box has 7 .\r\n\r\nit is sunny today .\n\nthe blue cup has 3 .\n\n\n\nmy dog sleeps ."
    );
    let documents = texts(&doc["levels"][0]);
    assert_eq!(
        documents,
        [
            "the red box has 7 .\r\n\r\nit is sunny today .",
            "the blue cup has 3 .\n\n\n\nmy dog sleeps ."
        ]
    );
    let paragraphs = texts(&doc["levels"][1]);
    assert_eq!(
        paragraphs,
        [
            "the red box has 7 .",
            "it is sunny today .",
            "the blue cup has 3 .",
            "my dog sleeps ."
        ]
    );
    // both levels explain the same v(N) - v(∅), and exact values add up to it
    let total = |level: &Value| sequence_values(level).iter().sum::<f64>();
    assert!((total(&doc["levels"][0]) - total(&doc["levels"][1])).abs() < 1e-4);
}

#[test]
fn a_json_list_of_documents_with_titles_is_read_in_order() {
    let dir = TempDir::new("levels-json");
    let path = dir.join("docs.json");
    let json = r#"[{"title": "the red box", "text": "the red box has 7 ."}, "the blue cup has 3 ."]"#;
    std::fs::write(&path, json).unwrap();
    let doc = explain_json(&[
        "--context-json",
        path.to_str().unwrap(),
        "--prompt",
        "the blue cup has",
        "--level",
        "document",
    ]);
    assert_eq!(
        texts(&doc["levels"][0]),
        ["the red box\nthe red box has 7 .", "the blue cup has 3 ."]
    );
}

#[test]
fn bad_documents_are_refused_in_one_line() {
    let dir = TempDir::new("levels-bad");
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, " \n\n ").unwrap();
    let latin1 = dir.join("latin1.txt");
    std::fs::write(&latin1, b"caf\xe9 au lait").unwrap();
    let list = dir.join("empty-list.json");
    std::fs::write(&list, "[]").unwrap();
    let blank = dir.join("blank-text.json");
    std::fs::write(&blank, r#"[{"title": "t", "text": "  "}]"#).unwrap();
    let not_json = dir.join("not.json");
    std::fs::write(&not_json, r#"{"docs": 1}"#).unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--context-file", empty.to_str().unwrap()], "is empty"),
        (&["--context-file", latin1.to_str().unwrap()], "not UTF-8"),
        (&["--context-json", list.to_str().unwrap()], "no documents"),
        (&["--context-json", blank.to_str().unwrap()], "is empty"),
        (&["--context-json", not_json.to_str().unwrap()], "not a JSON list"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["explain", "--prompt", "the blue cup has", "--target", "3"];
        all.extend_from_slice(args);
        assert_user_error(&whylm(&all), needle);
    }
}

#[test]
fn refine_errors_name_the_problem() {
    let prompt = "the red box has 7 . the blue cup has 3 . the blue cup has";
    let cases: [(&[&str], &str); 4] = [
        (&["--level", "sentence", "--refine", "2"], "at least two levels"),
        (&["--level", "sentence,word", "--refine", "0"], "1 or more"),
        (
            &["--level", "word,sentence", "--refine", "1"],
            "word is not coarser than sentence",
        ),
        (&["--level", "custom,word", "--refine", "1"], "custom spans"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["explain", "--prompt", prompt, "--target", "3"];
        all.extend_from_slice(args);
        assert_user_error(&whylm(&all), needle);
    }
}

/// On the built-in model: the report links each part to its unit, its numbers are the levels' own, and all
/// levels together stay within --max-evals.
#[test]
fn refinement_on_the_built_in_model_reports_every_level_within_one_budget() {
    let prompt =
        "the red box has 7 . it is sunny today .\n\nthe blue cup has 3 . my dog sleeps .\n\nthe blue cup has";
    let budget = 300;
    let doc = explain_json(&[
        "--prompt",
        prompt,
        "--level",
        "paragraph,sentence,word",
        "--refine",
        "1",
        "--max-evals",
        "300",
    ]);
    let levels = doc["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 3);
    let spent: u64 = levels.iter().map(|l| l["evaluations"].as_u64().unwrap()).sum();
    assert!(spent <= budget, "{spent} evaluations of {budget}");
    assert_eq!(doc["refinement"]["evaluations"].as_u64(), Some(spent));
    assert_eq!(texts(&levels[0]).len(), 3);
    for index in 1..3 {
        let refinement = &levels[index]["refinement"];
        let coarse = sequence_values(&levels[index - 1]);
        let fine = sequence_values(&levels[index]);
        let unit = &refinement["units"][0];
        let parent = unit["parent"].as_u64().unwrap() as usize;
        // the split unit is the coarser level's largest |value| (level 0: among all; later: among the parts)
        let split_before: Vec<bool> = match index {
            1 => vec![true; coarse.len()],
            _ => serde_json::from_value(levels[index - 1]["refinement"]["split"].clone()).unwrap(),
        };
        let best = (0..coarse.len())
            .filter(|&i| split_before[i])
            .max_by(|&a, &b| coarse[a].abs().total_cmp(&coarse[b].abs()))
            .unwrap();
        assert_eq!(coarse[parent].abs(), coarse[best].abs());
        let children: Vec<usize> = serde_json::from_value(unit["children"].clone()).unwrap();
        let sum: f64 = children.iter().map(|&c| fine[c]).sum();
        assert!((unit["children_sum"].as_f64().unwrap() - sum).abs() < 1e-9);
        assert!((unit["parent_value"].as_f64().unwrap() - coarse[parent]).abs() < 1e-9);
        let gap = unit["discrepancy"].as_f64().unwrap();
        assert!((gap - (sum - coarse[parent])).abs() < 1e-9);
        let se = unit["std_err"].as_f64().unwrap_or(0.0);
        assert_eq!(unit["consistent"].as_bool(), Some(gap.abs() <= se + 1e-4));
        let parents: Vec<usize> = serde_json::from_value(refinement["parent"].clone()).unwrap();
        assert!(children.iter().all(|&c| parents[c] == parent));
    }
}

#[test]
fn the_terminal_shows_the_levels_nested() {
    let prompt = "the red box has 7 .\n\nthe blue cup has 3 . my dog sleeps .\n\nthe blue cup has";
    let output = whylm([
        "explain",
        "--prompt",
        prompt,
        "--target",
        "3",
        "--level",
        "paragraph,sentence",
        "--refine",
        "1",
        "--max-evals",
        "64",
        "--no-color",
    ]);
    assert_success(&output);
    let text = stdout(&output);
    let tree = &text[text.find("Drill-down").expect("a drill-down block")..];
    let lines: Vec<&str> = tree.lines().collect();
    let split = lines
        .iter()
        .position(|l| l.contains("[parts sum"))
        .expect("a split unit");
    assert!(lines[split].starts_with("  paragraph "), "{}", lines[split]);
    assert!(lines[split + 1].starts_with("    sentence "), "{tree}");
}
