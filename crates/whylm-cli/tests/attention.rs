//! `whylm explain --attention --interactions K` through the embedded backend on stories260K: the exact
//! interaction index of the top features against a textbook computation from every coalition value in
//! ../shared/golden (shap's values for the same prompt, masker and score), the reuse of the Shapley run's
//! coalitions, and the attention views' agreement numbers checked against the document's own phi and weights.
//! The prompt has 9 token features, under the interactions' exact limit of 14.

mod common;

use common::{assert_success, shared, stdout, whylm, TempDir};
use serde_json::Value;

/// Every value as f64 (a list of numbers).
fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

/// I_ij = Σ_{S ⊆ N∖{i,j}} |S|! (n−|S|−2)! / (n−1)! [v(S∪ij) − v(S∪i) − v(S∪j) + v(S)], summed over the outputs.
fn textbook_index(values: &[Vec<f64>], n: usize, i: usize, j: usize) -> f64 {
    let (bi, bj) = (1usize << i, 1usize << j);
    let mut total = 0.0;
    for s in (0..1usize << n).filter(|s| s & (bi | bj) == 0) {
        let size = s.count_ones() as usize;
        let w = factorial(size) * factorial(n - size - 2) / factorial(n - 1);
        let d: f64 = (0..values[s].len())
            .map(|t| values[s | bi | bj][t] - values[s | bi][t] - values[s | bj][t] + values[s][t])
            .sum();
        total += w * d;
    }
    total
}

fn explain(dir: &TempDir, case: &Value) -> (Value, String) {
    let json_path = dir.join("explanation.json");
    let model = shared("models/stories260K/stories260K.gguf");
    let output = whylm([
        "explain",
        "--model",
        model.to_str().unwrap(),
        "--prompt",
        case["prompt"].as_str().unwrap(),
        "--target",
        case["target"].as_str().unwrap(),
        "--level",
        "token",
        "--masker",
        "shap",
        "--score",
        "logodds",
        "--interactions",
        "4",
        "--attention",
        "--no-color",
        "--json",
        json_path.to_str().unwrap(),
    ]);
    assert_success(&output);
    let json = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    (json, stdout(&output))
}

#[test]
fn interactions_match_the_textbook_index_and_attention_agrees_with_its_own_numbers() {
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(shared("golden/shap_stories260K.json")).unwrap())
            .unwrap();
    let case = &golden[0];
    let dir = TempDir::new("attention");
    let (doc, terminal) = explain(&dir, case);
    let level = &doc["levels"][0];
    let features: Vec<&str> = level["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    let segments: Vec<&str> = case["segments"].as_array().unwrap()[1..]
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        features, segments,
        "whylm's token features are shap's segments, in order"
    );
    let n = features.len();
    let values: Vec<Vec<f64>> = case["values_by_bitmask"]
        .as_array()
        .unwrap()
        .iter()
        .map(numbers)
        .collect();

    let inter = &level["interactions"];
    assert_eq!(inter["exact"], true);
    assert_eq!(
        inter["evaluations"], 0,
        "every coalition comes from the exact Shapley run"
    );
    assert_eq!(inter["reused"], 1 << n);
    let top: Vec<usize> = inter["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(top.len(), 4);
    for (x, &i) in top.iter().enumerate() {
        for (y, &j) in top.iter().enumerate().filter(|(y, _)| *y != x) {
            let got = inter["matrix"][x][y].as_f64().unwrap();
            let want = textbook_index(&values, n, i, j);
            // whylm's model matches the golden values to ~1e-4 per value; 10 target tokens are summed
            assert!(
                (got - want).abs() < 1e-2,
                "pair ({i}, {j}): {got} vs textbook {want}"
            );
        }
    }
    // The pair values' extremes are v(∅) and v(N).
    let total = |mask: usize| values[mask].iter().sum::<f64>();
    for p in inter["pair_values"].as_array().unwrap() {
        assert!((p["alone"][0].as_f64().unwrap() - total(0)).abs() < 1e-2);
        assert!((p["in_context"][3].as_f64().unwrap() - total((1 << n) - 1)).abs() < 1e-2);
    }
    check_attention(&doc, level, &terminal);
}

/// Attention: rollout, 5 layer means and 5 x 8 heads, each checked against phi and its own weights.
fn check_attention(doc: &Value, level: &Value, terminal: &str) {
    let attention = &doc["attention"];
    let views = attention["views"].as_array().unwrap();
    assert_eq!(views.len(), 1 + 5 + 5 * 8);
    assert_eq!(views[0]["kind"], "rollout");
    let phi: Vec<Vec<f64>> = level["phi"].as_array().unwrap().iter().map(numbers).collect();
    let argmax = |v: &[f64]| {
        (0..v.len())
            .reduce(|b, i| if v[i] > v[b] { i } else { b })
            .unwrap()
    };
    for view in views {
        let entry = &view["levels"][0];
        let weights: Vec<Vec<f64>> = entry["weights"].as_array().unwrap().iter().map(numbers).collect();
        for (t, row) in weights.iter().enumerate() {
            assert!(
                row.iter().all(|w| (0.0..=1.0 + 1e-6).contains(w)),
                "attention weights are shares: {row:?}"
            );
            let column: Vec<f64> = phi.iter().map(|r| r[t]).collect();
            assert_eq!(entry["top_match"][t], argmax(row) == argmax(&column), "{view}");
            if let Some(rho) = entry["spearman"][t].as_f64() {
                assert!((-1.0..=1.0).contains(&rho));
            }
        }
        let ks: Vec<u64> = entry["removal_drop"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["k"].as_u64().unwrap())
            .collect();
        assert_eq!(ks, [1, 3, 5]);
    }
    assert!(terminal.contains("Attention vs Shapley"), "{terminal}");
    assert!(
        terminal.contains("Interactions of the top 4 features"),
        "{terminal}"
    );
}
