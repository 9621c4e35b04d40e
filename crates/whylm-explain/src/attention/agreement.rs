//! How far an attention view agrees with the Shapley values at one level: per target token Spearman's rank
//! correlation (the faithfulness module's, the one the LDS uses) and whether the top features coincide.

pub use crate::faithfulness::spearman;

/// `weights[t][i]` summed over each feature's tokens: `target_to_input[t]` aggregated to features.
pub fn feature_weights(target_to_input: &[Vec<f64>], feature_tokens: &[Vec<usize>]) -> Vec<Vec<f64>> {
    target_to_input
        .iter()
        .map(|row| {
            feature_tokens
                .iter()
                .map(|tokens| tokens.iter().filter_map(|&k| row.get(k)).sum())
                .collect()
        })
        .collect()
}

/// The index of the largest value (the first of equals); None for an empty slice.
pub fn top(values: &[f64]) -> Option<usize> {
    (0..values.len()).reduce(|best, i| if values[i] > values[best] { i } else { best })
}

/// Features by decreasing value (ties: lower index first).
pub fn ranking(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[j].total_cmp(&values[i]).then(i.cmp(&j)));
    order
}

/// Column `t` of `phi[feature][target]`.
pub fn column(phi: &[Vec<f64>], t: usize) -> Vec<f64> {
    phi.iter().map(|row| row.get(t).copied().unwrap_or(0.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_matches_hand_computed_values() {
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]), Some(1.0));
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), Some(-1.0));
        // ranks [1, 2, 3, 4] vs [2, 1, 4, 3]: 1 - 6 * 4 / (4 * 15) = 0.6
        let r = spearman(&[1.0, 2.0, 3.0, 4.0], &[0.2, 0.1, 0.9, 0.5]).unwrap();
        assert!((r - 0.6).abs() < 1e-12, "{r}");
        // ties: ranks [1.5, 1.5, 3] vs [1, 2, 3] give 0.866...
        let tied = spearman(&[0.0, 0.0, 1.0], &[1.0, 2.0, 3.0]).unwrap();
        assert!((tied - 0.75f64.sqrt()).abs() < 1e-12, "{tied}");
        assert_eq!(spearman(&[1.0, 1.0], &[1.0, 2.0]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
    }

    #[test]
    fn weights_sum_over_each_features_tokens() {
        let w = feature_weights(&[vec![0.5, 0.1, 0.2, 0.2]], &[vec![1, 2], vec![3], vec![]]);
        assert!((w[0][0] - 0.3).abs() < 1e-12 && w[0][1] == 0.2 && w[0][2] == 0.0);
    }

    #[test]
    fn top_and_ranking_prefer_the_lower_index_on_ties() {
        assert_eq!(top(&[0.1, 0.5, 0.5]), Some(1));
        assert_eq!(top(&[]), None);
        assert_eq!(ranking(&[0.1, 0.5, -1.0, 0.5]), vec![1, 3, 0, 2]);
    }
}
