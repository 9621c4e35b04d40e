//! 16-bit matrices whose width is not a multiple of the SIMD widths (8, 16): the batched kernel and the one-row
//! product must use every column, the last few included (whylm once sent such matrices to candle in f32 for fear
//! that the kernel dropped a remainder).

use std::sync::Arc;

use half::{bf16, f16};
use whylm_quant::{matmul, matvec, QuantMatrix, QuantType};

const N: usize = 37;

fn values(len: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect()
}

/// The matrix in `dtype` and the f32 values its entries round to.
fn matrix(dtype: QuantType, k: usize) -> (QuantMatrix, Vec<f32>) {
    let raw = values(N * k, 5);
    let (bytes, rounded): (Vec<[u8; 2]>, Vec<f32>) = raw
        .iter()
        .map(|v| match dtype {
            QuantType::BF16 => (bf16::from_f32(*v).to_le_bytes(), bf16::from_f32(*v).to_f32()),
            _ => (f16::from_f32(*v).to_le_bytes(), f16::from_f32(*v).to_f32()),
        })
        .unzip();
    let bytes: Arc<[u8]> = bytes.concat().into();
    (QuantMatrix::new(dtype, N, k, bytes).unwrap(), rounded)
}

#[test]
fn every_column_counts_when_the_width_is_8k_plus_3() {
    for dtype in [QuantType::F16, QuantType::BF16] {
        for k in [43, 8 * 72 + 3] {
            let (w, rounded) = matrix(dtype, k);
            let m = 5;
            let x = values(m * k, 9);
            let reference: Vec<f64> = (0..m * N)
                .map(|o| {
                    let (i, j) = (o / N, o % N);
                    (0..k)
                        .map(|p| x[i * k + p] as f64 * rounded[j * k + p] as f64)
                        .sum()
                })
                .collect();
            let mut batched = vec![0f32; m * N];
            matmul(&w, &x, &mut batched).unwrap();
            let mut one_row = vec![0f32; m * N];
            matvec(&w, &x, &mut one_row).unwrap();
            for (name, got) in [("matmul", &batched), ("matvec", &one_row)] {
                let worst = got
                    .iter()
                    .zip(&reference)
                    .map(|(g, r)| (*g as f64 - r).abs())
                    .fold(0f64, f64::max);
                // Dropping the last column alone would be off by |x · w| ~ 0.3 somewhere; rounding is ~1e-6.
                assert!(worst < 1e-4, "{dtype} k={k} {name}: max |diff| {worst}");
            }
        }
    }
}
