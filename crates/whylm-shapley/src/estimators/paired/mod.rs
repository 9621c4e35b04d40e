//! The paired sample that kernel, msr and gp read.
//!
//! Coalitions are sampled in complementary pairs (S, N \ S), without replacement, uniformly
//! within a size. Leverage SHAP (Musco & Witter, ICLR 2025) gives every size the same share of the
//! budget; here the shares follow the Neyman allocation (`allocation`: proportional to
//! 1/sqrt(s (n-s)), so the smallest and largest coalitions get more, which is where
//! language-model games leave the most error). A size whose share covers it is enumerated whole.
//! Within a size, the pairs are chosen to overlap little rather than independently
//! (`balanced_design`), which lowers the error of the third-order part, the only part paired
//! regression must estimate. Sampled rows are reweighted by (pairs of that size) / (pairs
//! sampled) (`sample`), so that a budget covering every coalition gives the exact values.
//! `draw` evaluates the sample and hands it to the estimator; `regression` is the constrained
//! kernel regression on it, with a delete-a-group jackknife over the sampled pairs for std errors
//! (sizes enumerated whole carry no sampling error).
//!
//! Dependencies run one way: subsets <- allocation, balanced_design <- sample <- draw, regression.

mod allocation;
mod balanced_design;
mod draw;
mod regression;
mod sample;
mod subsets;

pub(crate) use draw::{minimum_budget, on_paired_draw, PairedDraw};
pub(crate) use regression::regress;
pub(crate) use sample::PairSample;
