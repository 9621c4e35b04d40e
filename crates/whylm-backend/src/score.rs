//! The number reported for each target token. Only these numbers leave a backend: never a vocabulary-sized row.

/// What number to report for each target token y_t.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ScoreKind {
    /// log p(y_t | ...).
    #[default]
    LogProb,
    /// p(y_t | ...).
    Prob,
    /// The raw logit of y_t.
    Logit,
    /// log p − log(1 − p), computed as logit(y_t) − logsumexp(other logits), exact even as p → 1.
    LogOdds,
    /// logprob(y_t) − logprob(alt_t), one alternative token per target position.
    Contrast(Vec<u32>),
}
