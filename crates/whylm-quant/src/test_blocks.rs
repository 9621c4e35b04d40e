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

/// Asserts that `dot` gives, for each of 7 rows of a random `dtype` matrix (`seed`), the exact product of the
/// row's dequantized weights with `x` (the activations as the kernel sees them) to 1e-5 of the terms' magnitude.
pub(crate) fn assert_rows_match_exact(dtype: QuantType, seed: u64, x: &[f32], dot: impl Fn(&[u8]) -> f32) {
    let (rows, cols) = (7, x.len());
    let w = matrix(dtype, rows, cols, seed);
    let dense = w.dequantize();
    for r in 0..rows {
        let terms = dense[r * cols..(r + 1) * cols]
            .iter()
            .zip(x)
            .map(|(w, x)| *w as f64 * *x as f64);
        let (exact, magnitude) = terms.fold((0f64, 0f64), |(s, m), v| (s + v, m + v.abs()));
        let got = dot(w.row_bytes_of(r)) as f64;
        assert!(
            (got - exact).abs() <= 1e-5 * magnitude,
            "{dtype} width {cols} row {r}: {got} vs exact {exact} (magnitude {magnitude})"
        );
    }
}
