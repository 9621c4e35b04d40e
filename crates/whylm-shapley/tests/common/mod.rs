//! Helpers shared by the integration tests: the golden shap file and closed-form games.
#![allow(dead_code)]

use serde_json::Value;
use whylm_shapley::{explain, Coalition, Explanation, FnGame, Game, Hierarchy, Settings, TableGame};

pub const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/golden/shap_stories260K.json"
);

/// One case of the golden file.
pub struct GoldenCase {
    pub prompt: String,
    pub num_features: usize,
    pub values_by_bitmask: Vec<Vec<f64>>,
    pub shapley: Vec<Vec<f64>>,
    pub owen: Vec<Vec<f64>>,
    pub feature_segment_index: Vec<usize>,
    pub num_segments: usize,
    pub clustering: Vec<[f64; 4]>,
}

/// A field that is a JSON list, or a string holding a Python-literal list of numbers (same text).
fn list(case: &Value, key: &str) -> Value {
    match &case[key] {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|e| panic!("field {key}: {e}")),
        v => v.clone(),
    }
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .expect("a list of rows")
        .iter()
        .map(|row| {
            row.as_array()
                .expect("a row")
                .iter()
                .map(|x| x.as_f64().expect("a number"))
                .collect()
        })
        .collect()
}

pub fn golden_cases() -> Vec<GoldenCase> {
    let text = std::fs::read_to_string(GOLDEN).expect("golden file (../shared beside the repo)");
    let all: Value = serde_json::from_str(&text).expect("golden JSON");
    all.as_array()
        .expect("a list of cases")
        .iter()
        .map(|case| {
            let feature_segment_index: Vec<usize> = list(case, "feature_segment_index")
                .as_array()
                .expect("indices")
                .iter()
                .map(|x| x.as_u64().expect("an index") as usize)
                .collect();
            let clustering = matrix(&list(case, "shap_clustering"))
                .into_iter()
                .map(|r| [r[0], r[1], r[2], r[3]])
                .collect();
            GoldenCase {
                prompt: case["prompt"].as_str().unwrap_or_default().to_string(),
                num_features: feature_segment_index.len(),
                values_by_bitmask: matrix(&list(case, "values_by_bitmask")),
                shapley: matrix(&list(case, "shapley")),
                owen: matrix(&list(case, "shap_partition_owen")),
                num_segments: list(case, "segments").as_array().expect("segments").len(),
                feature_segment_index,
                clustering,
            }
        })
        .collect()
}

impl GoldenCase {
    pub fn game(&self) -> TableGame {
        TableGame::new(self.num_features, &self.values_by_bitmask).expect("a table of 2^n rows")
    }

    /// shap's clustering over segments, with segment feature_segment_index[j] as player j and the
    /// other segments (BOS) as always-kept dummies.
    pub fn hierarchy(&self) -> Hierarchy {
        let mut leaves = vec![None; self.num_segments];
        for (j, &s) in self.feature_segment_index.iter().enumerate() {
            leaves[s] = Some(j);
        }
        Hierarchy::from_linkage_mapped(&self.clustering, &leaves, self.num_features).expect("shap's linkage")
    }
}

pub fn run<G: Game>(game: &mut G, settings: &Settings, hierarchy: Option<&Hierarchy>) -> Explanation {
    explain(game, settings, hierarchy, &mut |_| {}).expect("explanation")
}

/// A game from per-coalition closures over n players and T outputs.
pub fn fn_game(
    n: usize,
    t: usize,
    f: impl Fn(&Coalition) -> Vec<f64>,
) -> FnGame<impl FnMut(&Coalition) -> Vec<f64>> {
    FnGame::new(n, t, move |c: &Coalition| f(c))
}

pub fn max_abs_diff(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
        .fold(0.0, f64::max)
}

/// An arbitrary game: every coalition gets independent values in [-1, 1] (from a seeded hash of
/// the mask), except v(empty), so any interaction of any order is present.
pub fn random_table(n: usize, t: usize, seed: u64) -> Vec<Vec<f64>> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..1usize << n)
        .map(|_| (0..t).map(|_| rng.random_range(-1.0..1.0)).collect())
        .collect()
}

/// Shapley values by enumerating every permutation (independent of the library), n <= 7.
pub fn shapley_by_permutations(n: usize, t: usize, v: &dyn Fn(u64) -> Vec<f64>) -> Vec<Vec<f64>> {
    fn permutations(items: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
        if k == items.len() {
            out.push(items.clone());
            return;
        }
        for i in k..items.len() {
            items.swap(k, i);
            permutations(items, k + 1, out);
            items.swap(k, i);
        }
    }
    let mut all = Vec::new();
    permutations(&mut (0..n).collect(), 0, &mut all);
    let mut phi = vec![vec![0.0; t]; n];
    for order in &all {
        let mut mask = 0u64;
        let mut before = v(mask);
        for &p in order {
            mask |= 1 << p;
            let after = v(mask);
            for s in 0..t {
                phi[p][s] += (after[s] - before[s]) / all.len() as f64;
            }
            before = after;
        }
    }
    phi
}
