//! The token embedding: one row per vocabulary entry, kept in its stored type (a quantized or
//! 16-bit table is decoded row by row on lookup, never as a whole).

use candle_core::quantized::QMatMul;
use candle_core::{DType, Tensor};
use whylm_quant::QuantMatrix;

use crate::convert::decode_half_row;
use crate::error::{ModelError, Result};
use crate::weights::Weight;

#[derive(Debug, Clone)]
enum Table {
    Candle(QMatMul),
    /// F16/BF16 rows; shares its bytes with a tied output head.
    Half(QuantMatrix),
}

#[derive(Debug, Clone)]
pub(crate) struct Embedding {
    table: Table,
}

impl Embedding {
    pub fn new(weight: &Weight) -> Result<Self> {
        let table = match weight {
            Weight::Half(m) => Table::Half(m.clone()),
            other => Table::Candle(other.to_qmatmul()?),
        };
        Ok(Self { table })
    }

    /// Rows of token ids (u32) -> (..., hidden) f32.
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        match &self.table {
            Table::Candle(table) => Ok(table.embedding(ids)?.to_dtype(DType::F32)?),
            Table::Half(m) => half_lookup(m, ids),
        }
    }

    /// The table as f32, for export.
    pub fn to_f32(&self) -> Result<Tensor> {
        match &self.table {
            Table::Candle(table) => crate::weights::dequantize(table),
            Table::Half(m) => Weight::Half(m.clone()).to_f32(),
        }
    }
}

fn half_lookup(m: &QuantMatrix, ids: &Tensor) -> Result<Tensor> {
    let hidden = m.cols();
    let flat = ids.flatten_all()?.to_dtype(DType::U32)?.to_vec1::<u32>()?;
    let mut out = vec![0f32; flat.len() * hidden];
    for (&id, dst) in flat.iter().zip(out.chunks_exact_mut(hidden)) {
        let row = id as usize;
        if row >= m.rows() {
            return Err(ModelError::InvalidInput(format!(
                "token id {id} is outside the vocabulary of {} tokens",
                m.rows()
            )));
        }
        decode_half_row(m, row, dst);
    }
    let mut dims = ids.dims().to_vec();
    dims.push(hidden);
    Ok(Tensor::from_vec(out, dims, ids.device())?)
}
