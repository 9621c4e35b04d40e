//! One goal of an issue, checked on a run's numbers (reported, never asserted).

use serde::{Deserialize, Serialize};

/// One goal and whether this run met it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    pub name: String,
    pub measured: String,
    pub met: bool,
}
