//! Attention views over the input tokens, read from one forward pass of the unmasked input and target: every
//! head, each layer's mean over heads, and attention rollout. Each view gives, per target token, how much the
//! position that predicts it attends to each input token.

use whylm_backend::AttentionProbs;

/// What a view reads from the attention tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    /// Abnar and Zuidema (2020): per layer the mean over heads mixed half-and-half with the identity (the residual
    /// stream), multiplied through the layers.
    Rollout,
    /// The mean over one layer's heads.
    Mean {
        layer: usize,
    },
    Head {
        layer: usize,
        head: usize,
    },
}

impl ViewKind {
    pub fn name(&self) -> &'static str {
        match self {
            ViewKind::Rollout => "rollout",
            ViewKind::Mean { .. } => "mean",
            ViewKind::Head { .. } => "head",
        }
    }

    pub fn layer(&self) -> Option<usize> {
        match *self {
            ViewKind::Rollout => None,
            ViewKind::Mean { layer } | ViewKind::Head { layer, .. } => Some(layer),
        }
    }

    pub fn head(&self) -> Option<usize> {
        match *self {
            ViewKind::Head { head, .. } => Some(head),
            _ => None,
        }
    }
}

/// One view: `target_to_input[target][input_token]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenView {
    pub kind: ViewKind,
    pub target_to_input: Vec<Vec<f64>>,
}

/// Every view of `probs` for a sequence of `inputs` input tokens followed by `targets` target tokens (the query
/// predicting target t sits at position `inputs + t - 1`): rollout, then each layer's mean, then each head.
/// Errors: a tensor shorter than the sequence or inconsistent with its own dimensions.
pub fn token_views(probs: &AttentionProbs, inputs: usize, targets: usize) -> Result<Vec<TokenView>, String> {
    if !probs.is_complete() {
        return Err(format!(
            "the attention tensor holds {} values, not {} layers x {} heads x {} x {} positions",
            probs.data.len(),
            probs.layers,
            probs.heads,
            probs.len,
            probs.len
        ));
    }
    if inputs == 0 || inputs + targets - 1 > probs.len || probs.heads == 0 {
        return Err(format!(
            "the attention tensor covers {} positions with {} heads; the sequence needs {} positions",
            probs.len,
            probs.heads,
            inputs + targets.saturating_sub(1)
        ));
    }
    let queries: Vec<usize> = (0..targets).map(|t| inputs + t - 1).collect();
    let mut views = vec![TokenView {
        kind: ViewKind::Rollout,
        target_to_input: rollout(probs, &queries, inputs),
    }];
    for layer in 0..probs.layers {
        let rows = queries
            .iter()
            .map(|&q| layer_mean_row(probs, layer, q)[..inputs].to_vec());
        views.push(TokenView {
            kind: ViewKind::Mean { layer },
            target_to_input: rows.collect(),
        });
    }
    for layer in 0..probs.layers {
        for head in 0..probs.heads {
            let rows = queries
                .iter()
                .map(|&q| head_row(probs, layer, head, q)[..inputs].to_vec());
            views.push(TokenView {
                kind: ViewKind::Head { layer, head },
                target_to_input: rows.collect(),
            });
        }
    }
    Ok(views)
}

/// Row `query` of one head as f64 (zeros if absent: [`token_views`] checked the shape first).
fn head_row(probs: &AttentionProbs, layer: usize, head: usize, query: usize) -> Vec<f64> {
    probs
        .row(layer, head, query)
        .map(|r| r.iter().map(|&v| f64::from(v)).collect())
        .unwrap_or_else(|| vec![0.0; probs.len])
}

/// Row `query` of the mean over the heads of `layer`.
fn layer_mean_row(probs: &AttentionProbs, layer: usize, query: usize) -> Vec<f64> {
    let mut mean = vec![0.0; probs.len];
    for head in 0..probs.heads {
        for (m, v) in mean.iter_mut().zip(head_row(probs, layer, head, query)) {
            *m += v;
        }
    }
    let heads = probs.heads as f64;
    mean.iter_mut().for_each(|m| *m /= heads);
    mean
}

/// Rollout rows for `queries`: e_q · Â_{L-1} · … · Â_0 with Â_l = (mean_l + I) / 2, computed as vector-matrix
/// products from the top layer down (only the rows asked for, so T · L · len² work instead of L · len³).
fn rollout(probs: &AttentionProbs, queries: &[usize], inputs: usize) -> Vec<Vec<f64>> {
    queries
        .iter()
        .map(|&query| {
            let mut weights = vec![0.0; probs.len];
            weights[query] = 1.0;
            for layer in (0..probs.layers).rev() {
                let mut next = vec![0.0; probs.len];
                for (q, &w) in weights.iter().enumerate() {
                    if w == 0.0 {
                        continue;
                    }
                    next[q] += 0.5 * w;
                    for (k, a) in layer_mean_row(probs, layer, q).into_iter().enumerate() {
                        next[k] += 0.5 * w * a;
                    }
                }
                weights = next;
            }
            weights.truncate(inputs);
            weights
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2 layers, 2 heads, 3 positions; every row causal and summing to 1.
    fn probs() -> AttentionProbs {
        #[rustfmt::skip]
        let data = vec![
            // layer 0 head 0
            1.0, 0.0, 0.0,  0.5, 0.5, 0.0,  0.2, 0.3, 0.5,
            // layer 0 head 1
            1.0, 0.0, 0.0,  1.0, 0.0, 0.0,  0.0, 1.0, 0.0,
            // layer 1 head 0
            1.0, 0.0, 0.0,  0.0, 1.0, 0.0,  0.6, 0.2, 0.2,
            // layer 1 head 1
            1.0, 0.0, 0.0,  0.5, 0.5, 0.0,  0.0, 0.0, 1.0,
        ];
        AttentionProbs {
            layers: 2,
            heads: 2,
            len: 3,
            data,
        }
    }

    /// Equal to f32 precision (the tensor is f32).
    fn close(got: &[Vec<f64>], want: &[[f64; 2]]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!(
                g.iter().zip(w).all(|(a, b)| (a - b).abs() < 1e-6),
                "{got:?} vs {want:?}"
            );
        }
    }

    #[test]
    fn heads_and_means_read_the_predicting_positions() {
        // 2 inputs and 2 targets: target 0 is predicted at position 1, target 1 at position 2.
        let views = token_views(&probs(), 2, 2).unwrap();
        assert_eq!(views.len(), 1 + 2 + 4);
        assert_eq!(views[1].kind, ViewKind::Mean { layer: 0 });
        close(&views[1].target_to_input, &[[0.75, 0.25], [0.1, 0.65]]);
        let head = views
            .iter()
            .find(|v| v.kind == ViewKind::Head { layer: 1, head: 0 })
            .unwrap();
        close(&head.target_to_input, &[[0.0, 1.0], [0.6, 0.2]]);
    }

    #[test]
    fn rollout_multiplies_the_half_identity_mixed_layer_means() {
        // By hand for query 1: layer 1 mean row 1 = [0.25, 0.75, 0]; mixed: [0.125, 0.875, 0].
        // Through layer 0 (mixed rows: row 0 = [1, 0, 0], row 1 = [0.375, 0.625, 0]):
        // 0.125 * [1, 0, 0] + 0.875 * [0.375, 0.625, 0] = [0.453125, 0.546875, 0].
        let views = token_views(&probs(), 2, 1).unwrap();
        assert_eq!(views[0].kind, ViewKind::Rollout);
        close(&views[0].target_to_input, &[[0.453125, 0.546875]]);
    }

    #[test]
    fn a_tensor_too_short_for_the_sequence_is_refused() {
        assert!(token_views(&probs(), 3, 2)
            .unwrap_err()
            .contains("needs 4 positions"));
        let mut broken = probs();
        broken.data.pop();
        assert!(token_views(&broken, 2, 1).unwrap_err().contains("35 values"));
    }
}
