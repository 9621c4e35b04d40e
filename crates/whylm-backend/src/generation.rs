//! Generation settings and results, and the one rule for which ids stop a generated answer.

#[derive(Debug, Clone, PartialEq)]
pub enum Sampling {
    Greedy,
    Random {
        temperature: f32,
        top_k: Option<usize>,
        top_p: Option<f32>,
        seed: u64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenerateSettings {
    pub max_new_tokens: usize,
    pub sampling: Sampling,
    /// Generation stops when one of these is produced (it is not included in the output).
    pub stop_tokens: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    StopToken(u32),
    MaxTokens,
    ContextFull,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// New tokens, without the prompt and without the stop token.
    pub tokens: Vec<u32>,
    pub stop: StopReason,
}

/// The stop ids of a model: its configured end-of-sequence ids, the tokenizer's EOS, and BOS, because a model that
/// predicts BOS starts a new document (llama2.c's stories end that way). Sorted, without repeats.
pub fn stop_tokens(configured_eos: &[u32], eos: Option<u32>, bos: Option<u32>) -> Vec<u32> {
    let mut ids: Vec<u32> = configured_eos.to_vec();
    ids.extend(eos);
    ids.extend(bos);
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_tokens_merge_config_eos_and_bos_without_repeats() {
        assert_eq!(stop_tokens(&[2, 32000], Some(2), Some(1)), vec![1, 2, 32000]);
        assert_eq!(stop_tokens(&[], None, None), Vec::<u32>::new());
    }
}
