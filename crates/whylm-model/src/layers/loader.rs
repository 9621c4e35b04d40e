//! Fetching one model's tensors by role, with the shape the config implies, counting what was
//! loaded for the weight statistics.

use crate::config::Config;
use crate::error::Result;
use crate::names::{Naming, Role};
use crate::stats::WeightStats;
use crate::weights::{require, Linear, Weight, WeightSource};

pub(crate) struct Loader<'a> {
    pub src: &'a mut dyn WeightSource,
    pub naming: Naming,
    pub config: &'a Config,
    pub stats: WeightStats,
}

impl Loader<'_> {
    pub fn contains(&self, role: Role, layer: usize) -> bool {
        self.src.contains(&self.naming.name(role, layer, false))
    }

    /// The weight of `role` in `layer`, insisting on `shape`; it counts in the statistics.
    pub fn weight(&mut self, role: Role, layer: usize, shape: &[usize]) -> Result<Weight> {
        let name = self.naming.name(role, layer, false);
        let w = require(self.src, &name, shape, self.config.architecture.name())?;
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
