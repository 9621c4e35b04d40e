//! Attention probabilities of one sequence, as [`crate::Model::attention_probs`] returns them.

/// Attention probabilities, layer × head × query × key.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionMaps {
    pub layers: usize,
    pub heads: usize,
    pub len: usize,
    pub data: Vec<f32>,
}

impl AttentionMaps {
    pub fn get(&self, layer: usize, head: usize, query: usize, key: usize) -> Option<f32> {
        if layer >= self.layers || head >= self.heads || query >= self.len || key >= self.len {
            return None;
        }
        self.data
            .get(((layer * self.heads + head) * self.len + query) * self.len + key)
            .copied()
    }
}
