//! Errors of this crate: each one line saying what is wrong and what to do.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum QuantError {
    #[error(
        "{dtype} weights need cols to be a multiple of {block} (got {cols}); store this tensor as F16 or F32"
    )]
    BadCols {
        dtype: &'static str,
        block: usize,
        cols: usize,
    },
    #[error("{dtype} matrix {rows} x {cols} needs {expected} bytes but {found} were given; check the tensor's shape and type")]
    ByteCount {
        dtype: &'static str,
        rows: usize,
        cols: usize,
        expected: usize,
        found: usize,
    },
    #[error("storage type {0} is not supported by whylm-quant; use Q4_0/Q4_1/Q5_0/Q5_1/Q8_0/Q2_K..Q6_K/F16/BF16/F32 weights")]
    Unsupported(String),
    #[error("input has {found} values, not a multiple of the weight's {cols} columns; pass x as M x {cols}")]
    InputShape { found: usize, cols: usize },
    #[error("output buffer holds {found} values but M x N = {expected}; allocate M x rows")]
    OutputShape { found: usize, expected: usize },
    #[error("{found} output buffers for {expected} matrices; pass one buffer per matrix")]
    OutputCount { found: usize, expected: usize },
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
}

pub type Result<T> = std::result::Result<T, QuantError>;
