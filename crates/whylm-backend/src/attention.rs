//! Attention probabilities of one unmasked sequence, as a backend that can capture them returns them.

/// Attention probabilities of every layer and head: `layers × heads × len × len`, row-major, where entry
/// `[l][h][q][k]` is how much query position `q` attends to key position `k` (each query row sums to 1 and is 0
/// for `k > q`).
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionProbs {
    pub layers: usize,
    pub heads: usize,
    /// Positions of the sequence.
    pub len: usize,
    pub data: Vec<f32>,
}

impl AttentionProbs {
    /// The attention of `query` to every key position in layer `layer`, head `head`; None when out of range or
    /// when `data` is shorter than its dimensions say.
    pub fn row(&self, layer: usize, head: usize, query: usize) -> Option<&[f32]> {
        if layer >= self.layers || head >= self.heads || query >= self.len {
            return None;
        }
        let start = ((layer * self.heads + head) * self.len + query) * self.len;
        self.data.get(start..start + self.len)
    }

    /// Whether `data` holds exactly `layers × heads × len × len` values.
    pub fn is_complete(&self) -> bool {
        self.layers
            .checked_mul(self.heads)
            .and_then(|x| x.checked_mul(self.len))
            .and_then(|x| x.checked_mul(self.len))
            == Some(self.data.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_found_by_layer_head_and_query() {
        // 2 layers, 1 head, 2 positions: values 0..8 in order.
        let probs = AttentionProbs {
            layers: 2,
            heads: 1,
            len: 2,
            data: (0..8).map(|v| v as f32).collect(),
        };
        assert!(probs.is_complete());
        assert_eq!(probs.row(1, 0, 1), Some(&[6.0, 7.0][..]));
        assert_eq!(probs.row(0, 1, 0), None);
        let short = AttentionProbs {
            data: vec![0.0; 7],
            ..probs
        };
        assert!(!short.is_complete());
        assert_eq!(short.row(1, 0, 1), None);
    }
}
