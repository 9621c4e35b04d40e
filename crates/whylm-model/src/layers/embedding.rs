//! The token embedding: one row per vocabulary entry, kept in its stored type (a quantized
//! table is dequantized row by row on lookup).

use candle_core::quantized::QMatMul;
use candle_core::{DType, Tensor};

use crate::error::Result;
use crate::weights::Weight;

#[derive(Debug, Clone)]
pub(crate) struct Embedding {
    table: QMatMul,
}

impl Embedding {
    pub fn new(weight: &Weight) -> Result<Self> {
        Ok(Self {
            table: weight.to_qmatmul()?,
        })
    }

    /// Rows of token ids (flat, u32) -> (n, hidden) f32.
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        Ok(self.table.embedding(ids)?.to_dtype(DType::F32)?)
    }

    /// The table as f32, for export.
    pub fn to_f32(&self) -> Result<Tensor> {
        crate::weights::dequantize(&self.table)
    }
}
