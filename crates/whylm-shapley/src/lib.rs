//! The Shapley engine of whylm. It knows nothing about language models: a [`Game`] scores batches
//! of [`Coalition`]s (T outputs each) and the estimators behind [`explain()`] attribute every output
//! to the players.
//!
//! Methods (see [`Method`]; `Method::ALL` lists them, `Method::description` says what each does):
//! `exact` (all 2^n coalitions), `permutation` (antithetic permutation sampling), `kernel`
//! (KernelSHAP with paired sampling, sizes split by Neyman allocation), `partition` (Owen values
//! over a [`Hierarchy`], as shap's PartitionExplainer), `msr` (kernel's samples with a regression
//! adjustment: a sparse third-order surrogate with exact Shapley values, the kernel regression on
//! the rest), `gp` (kernel's samples read by Gaussian-process regression under a prior per
//! interaction order, with msr's strong triples as fixed terms), `sparse` (many features on budgets below
//! n: complementary keep-1/2 pairs and a sparse fit whose Shapley values are read off exactly) and `loo`
//! (leave-one-out, not a Shapley value). Each method's code, budget rules and description live in one module under
//! `estimators`, registered once in `estimators::registry`; kernel, msr and gp share the paired
//! sample of `estimators::paired`.
//! [`interactions()`] gives the pairwise Shapley interaction index of chosen players (module
//! `interaction`), exact or sampled.
//! Every random choice comes from one ChaCha8 stream seeded by `Settings::seed`; the engine uses
//! no threads, so the same seed gives the same numbers whatever the game does in parallel.

mod coalition;
mod error;
mod estimators;
mod evaluator;
mod explain;
mod explanation;
mod game;
mod hierarchy;
mod interaction;
mod method;
mod moments;
mod recommend;
mod recorded;
mod settings;

pub use coalition::Coalition;
pub use error::ShapleyError;
pub use estimators::gp::GP_MAX_BUDGET;
pub use evaluator::Progress;
pub use explain::explain;
pub use explanation::Explanation;
pub use game::{FnGame, Game, GameError, TableGame};
pub use hierarchy::{Group, Hierarchy};
pub use interaction::{
    interactions, interactions_reusing, InteractionSettings, Interactions, PairInteraction,
};
pub use method::Method;
pub use recommend::recommended_method;
pub use recorded::{KnownValues, RecordedGame};
pub use settings::Settings;
