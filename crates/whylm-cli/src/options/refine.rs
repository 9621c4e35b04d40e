//! `explain --refine K`: multi-level refinement from coarse to fine levels (see whylm_explain::refine).

use clap::Args;

use crate::options::count::positive_count;

#[derive(Args, Debug, Clone, Default)]
pub struct RefineOptions {
    /// Drill down from coarse to fine: with levels from coarse to fine (e.g. --level document,sentence,word),
    /// explain the coarsest level, then split its K units of largest |value| into their parts at the next level
    /// and explain again with every other unit whole, down to the finest level. --max-evals (default 2048) is
    /// the budget of all levels together; the report links each part to its unit and says how far the parts'
    /// values sum to the unit's.
    #[arg(long, value_name = "K", value_parser = positive_count)]
    pub refine: Option<usize>,
}
