//! The result of an explanation before it becomes a report document: the prepared input and target, one result
//! per level, and the warnings.

use crate::level::LevelResult;
use crate::prepare::Prepared;
use crate::warnings::Warning;

/// Every level's explanation of one request.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The rendered input, its tokens, the target, the score and the masker.
    pub prepared: Prepared,
    /// One result per requested level, in the request's order.
    pub levels: Vec<LevelResult>,
    /// The target's warning (if any), then each level's.
    pub warnings: Vec<Warning>,
    /// How the levels refined one another (`refine`); None when each was explained on its own.
    pub refinement: Option<whylm_report::RefinementPlan>,
}
