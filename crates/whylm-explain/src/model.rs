//! What `explain` is given besides the request: the model (any backend) and a progress sink's events.

use crate::options::Level;
use whylm_backend::Backend;
use whylm_report::ModelInfo;

/// The model to explain (any backend: the embedded runtime, a remote engine, a test double) and what the report
/// says about it.
pub struct ExplainModel<'a> {
    pub backend: &'a dyn Backend,
    pub info: ModelInfo,
}

/// Progress reports, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ExplainProgress {
    /// `tokens` of at most `max` target tokens generated so far.
    Generating { tokens: usize, max: usize },
    /// Level `index` of `count` (`level`): `done` of `planned` coalitions evaluated.
    Evaluating {
        level: Level,
        index: usize,
        count: usize,
        done: usize,
        planned: usize,
    },
}
