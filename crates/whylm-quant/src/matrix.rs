//! A weight matrix held as its raw GGML block bytes.

use std::sync::Arc;

use candle_core::quantized::QTensor;

use crate::dequant::dequantize_row;
use crate::dtype::QuantType;
use crate::error::{QuantError, Result};

/// W: `rows` (N, outputs) x `cols` (K, inputs), each row a run of GGML blocks. The bytes are
/// shared (Arc), so clones are cheap and no f32 copy of the matrix is ever kept.
#[derive(Debug, Clone)]
pub struct QuantMatrix {
    dtype: QuantType,
    rows: usize,
    cols: usize,
    bytes: Arc<[u8]>,
}

impl QuantMatrix {
    /// Checks that `bytes` is exactly `rows` rows of `cols` values in `dtype` blocks.
    pub fn new(dtype: QuantType, rows: usize, cols: usize, bytes: Arc<[u8]>) -> Result<Self> {
        let block = dtype.block_size();
        if !cols.is_multiple_of(block) {
            return Err(QuantError::BadCols {
                dtype: dtype.name(),
                block,
                cols,
            });
        }
        let expected = rows * (cols / block) * dtype.block_bytes();
        if bytes.len() != expected {
            return Err(QuantError::ByteCount {
                dtype: dtype.name(),
                rows,
                cols,
                expected,
                found: bytes.len(),
            });
        }
        Ok(Self {
            dtype,
            rows,
            cols,
            bytes,
        })
    }

    /// Copies the block bytes of a 2-D candle `QTensor` (N x K) once.
    pub fn from_qtensor(q: &QTensor) -> Result<Self> {
        let dtype = QuantType::from_ggml(q.dtype())?;
        let (rows, cols) = q.shape().dims2()?;
        let data = q.data()?;
        Self::new(dtype, rows, cols, Arc::from(&data[..]))
    }

    pub fn dtype(&self) -> QuantType {
        self.dtype
    }

    /// N, the number of outputs.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// K, the number of inputs.
    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn row_bytes(&self) -> usize {
        self.cols / self.dtype.block_size() * self.dtype.block_bytes()
    }

    /// Dequantizes rows `first..first + out.len() / cols` into `out` (row-major f32).
    pub(crate) fn dequantize_rows(&self, first: usize, out: &mut [f32]) {
        let rb = self.row_bytes();
        for (r, dst) in out.chunks_exact_mut(self.cols).enumerate() {
            let start = (first + r) * rb;
            dequantize_row(self.dtype, &self.bytes[start..start + rb], dst);
        }
    }

    /// The whole matrix as f32 (N x K), for tests and export; the matmul never builds it.
    pub fn dequantize(&self) -> Vec<f32> {
        let mut out = vec![0f32; self.rows * self.cols];
        self.dequantize_rows(0, &mut out);
        out
    }
}
