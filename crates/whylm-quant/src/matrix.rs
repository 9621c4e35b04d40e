//! A weight matrix held as its raw GGML block bytes.

use std::sync::Arc;

use candle_core::quantized::QTensor;

use crate::dequant::dequantize_row;
use crate::dtype::QuantType;
use crate::error::{QuantError, Result};
use crate::kernel::NR;
use crate::pack::{transpose_into, GROUP};

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

    /// The block bytes of row `row` (< rows).
    pub(crate) fn row_bytes_of(&self, row: usize) -> &[u8] {
        let rb = self.row_bytes();
        &self.bytes[row * rb..(row + 1) * rb]
    }

    /// Dequantizes rows `first..first + out.len() / cols` into `out` (row-major f32).
    pub(crate) fn dequantize_rows(&self, first: usize, out: &mut [f32]) {
        let rb = self.row_bytes();
        for (r, dst) in out.chunks_exact_mut(self.cols).enumerate() {
            let start = (first + r) * rb;
            dequantize_row(self.dtype, &self.bytes[start..start + rb], dst);
        }
    }

    /// Dequantizes rows `first..first + count` into packed panels of `NR` rows each (see
    /// `kernel`): `panels[q * cols * NR + p * NR + j]` = W[first + q * NR + j][p]. Columns of
    /// the last panel past `count` are zero. `scratch` holds `GROUP` dequantized rows.
    pub(crate) fn pack_panels(
        &self,
        first: usize,
        count: usize,
        panels: &mut Vec<f32>,
        scratch: &mut Vec<f32>,
    ) {
        let k = self.cols;
        let panel_len = k * NR;
        panels.clear();
        panels.resize(count.div_ceil(NR) * panel_len, 0.0);
        scratch.resize(GROUP * k, 0.0);
        for g in (0..count).step_by(GROUP) {
            let rows = GROUP.min(count - g);
            self.dequantize_rows(first + g, &mut scratch[..rows * k]);
            let q = g / NR;
            transpose_into(
                scratch,
                k,
                rows,
                &mut panels[q * panel_len..(q + 1) * panel_len],
                g % NR,
            );
        }
    }

    /// The whole matrix as f32 (N x K), for tests and export; the matmul never builds it.
    pub fn dequantize(&self) -> Vec<f32> {
        let mut out = vec![0f32; self.rows * self.cols];
        self.dequantize_rows(0, &mut out);
        out
    }
}

/// M, the rows of `x`, once `x` holds whole rows of `w`'s K columns and `y` has room for M x N outputs; the shape
/// errors otherwise. Shared by the batched and the one-row products.
pub(crate) fn checked_rows(w: &QuantMatrix, x: &[f32], y: &[f32]) -> Result<usize> {
    let (n, k) = (w.rows(), w.cols());
    if k == 0 || !x.len().is_multiple_of(k) {
        return Err(QuantError::InputShape {
            found: x.len(),
            cols: k,
        });
    }
    let m = x.len() / k;
    if y.len() != m * n {
        return Err(QuantError::OutputShape {
            found: y.len(),
            expected: m * n,
        });
    }
    Ok(m)
}
