//! Fetching one model's tensors by role, with the shape the config implies, counting what was
//! loaded for the weight statistics.

use crate::config::Config;
use crate::convert::convert_matrix;
use crate::dtype::WeightDtype;
use crate::error::Result;
use crate::names::{Naming, Role};
use crate::stats::WeightStats;
use crate::weights::{require, Linear, Weight, WeightSource};

pub(crate) struct Loader<'a> {
    pub src: &'a mut dyn WeightSource,
    pub naming: Naming,
    pub config: &'a Config,
    /// How matrices are stored (never `Auto`); vectors are always f32.
    pub dtype: WeightDtype,
    pub stats: WeightStats,
}

impl Loader<'_> {
    pub fn contains(&self, role: Role, layer: usize) -> bool {
        self.src.contains(&self.naming.name(role, layer, false))
    }

    /// The weight of `role` in `layer`, insisting on `shape`, stored as it will be used (a matrix
    /// in the load's dtype, a vector as f32); it counts in the statistics.
    pub fn weight(&mut self, role: Role, layer: usize, shape: &[usize]) -> Result<Weight> {
        let name = self.naming.name(role, layer, false);
        let w = require(self.src, &name, shape, self.config.architecture.name())?;
        let w = if shape.len() >= 2 {
            convert_matrix(w, self.dtype)?
        } else {
            Weight::Float(w.to_f32()?)
        };
        self.stats.add(&w);
        Ok(w)
    }

    /// A 1-D weight (norm) as an f32 tensor.
    pub fn vector(&mut self, role: Role, layer: usize, len: usize) -> Result<candle_core::Tensor> {
        self.weight(role, layer, &[len])?.to_f32()
    }

    /// The projection of `role` with `out` rows of `input` columns, with its bias if `bias`
    /// (biases are not counted in the statistics).
    pub fn linear(
        &mut self,
        role: Role,
        layer: usize,
        out: usize,
        input: usize,
        bias: bool,
    ) -> Result<Linear> {
        let w = self.weight(role, layer, &[out, input])?;
        let bias = if bias {
            let name = self.naming.name(role, layer, true);
            Some(require(self.src, &name, &[out], self.config.architecture.name())?.to_f32()?)
        } else {
            None
        };
        Linear::new(&w, bias)
    }
}
