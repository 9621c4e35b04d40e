//! Test data for the kernels' unit tests: matrices of random blocks and an activation row.

use std::sync::Arc;

use crate::{QuantMatrix, QuantType};

/// Random bytes as blocks of `dtype`, with every f16 scale replaced by a small normal value (random bytes
/// would give NaNs and infinities).
pub(crate) fn matrix(dtype: QuantType, rows: usize, cols: usize, seed: u64) -> QuantMatrix {
    let mut s = seed;
    let mut next = || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (s >> 33) as u8
    };
    let per_row = cols / dtype.block_size() * dtype.block_bytes();
    let mut bytes: Vec<u8> = (0..rows * per_row).map(|_| next()).collect();
    let scale_at: &[usize] = match dtype {
        QuantType::Q4_0 | QuantType::Q5_0 | QuantType::Q8_0 => &[0],
        QuantType::Q4_1 | QuantType::Q5_1 | QuantType::Q4K | QuantType::Q5K => &[0, 2],
        QuantType::Q6K => &[208],
        QuantType::Q2K => &[80, 82],
        QuantType::Q3K => &[108],
        _ => &[],
    };
    for block in bytes.chunks_exact_mut(dtype.block_bytes()) {
        for &at in scale_at {
            let v = half::f16::from_f32((block[at] as f32 - 128.0) / 2048.0);
            block[at..at + 2].copy_from_slice(&v.to_le_bytes());
        }
    }
    QuantMatrix::new(dtype, rows, cols, Arc::from(bytes)).unwrap()
}

/// An activation row whose blocks differ in magnitude (so that the per-block scales matter).
pub(crate) fn test_row(cols: usize) -> Vec<f32> {
    (0..cols)
        .map(|i| ((i * 7919 % 1000) as f32 / 500.0 - 1.0) * (1.0 + (i / 64) as f32))
        .collect()
}
