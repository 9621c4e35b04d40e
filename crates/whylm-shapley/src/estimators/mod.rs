//! The estimators. Each talks to the game only through the `Evaluator`, and declares its name,
//! description and budget rules in a `Spec` beside its code; `registry` lists them.
//!
//! kernel, msr and gp read the same paired sample (`paired`); msr and gp share the cubic
//! surrogate of its odd part (`cubic_surrogate`). banzhaf and contextcite share the keep-1/2 draws and fits of
//! `keep_half`; sparse draws its pairs from
//! `keep_half` too.

pub(crate) mod banzhaf;
pub(crate) mod budget;
pub(crate) mod contextcite;
pub(crate) mod cubic_surrogate;
pub(crate) mod estimate;
pub(crate) mod exact;
pub(crate) mod gp;
pub(crate) mod keep_half;
pub(crate) mod kernel;
pub(crate) mod loo;
pub(crate) mod msr;
pub(crate) mod paired;
pub(crate) mod partition;
pub(crate) mod permutation;
pub(crate) mod registry;
pub(crate) mod sparse;
pub(crate) mod spec;
