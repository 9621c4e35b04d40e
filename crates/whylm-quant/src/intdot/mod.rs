//! One quantized weight row dotted with an 8-bit activation row ([`Q8Row`]) in integer arithmetic (AVX-512 VNNI
//! on 256-bit vectors, every quantized type): 32 weights and 32 activations meet in one `vpdpbusd` (unsigned bytes times signed bytes,
//! summed in fours into eight i32 lanes), and each block's two scales are applied once, in f32. This is
//! generation's one-row product, as llama.cpp computes it: widening every weight to f32 (`rowdot`) took twice the
//! instructions per value, and the one-token step is bound by them, not by reading the weights.
//!
//! `vpdpbusd` takes its first operand unsigned, so each weight block is read as unsigned values `u` with
//! `w = d * u + c`: `c = -d * offset` for the types that centre their values (Q4_0: 8, Q5_0: 16, Q8_0: 128 after
//! flipping the sign bit) and `c = m` for the types with a minimum. Then `Σ w·x = d·dx·Σ u·q + c·dx·Σq`, where
//! `dx·Σq` is the activation block's sum ([`Q8Row::sum`]). The result equals the exact dot product of the weights
//! with the dequantized activations (`Q8Row::dequantize`) up to f32 rounding; it depends only on the row and the
//! activations (fixed block and lane order), whatever the thread count.

use crate::activation::Q8Row;
use crate::QuantType;

#[cfg(target_arch = "x86_64")]
mod kquants;
#[cfg(target_arch = "x86_64")]
mod legacy;

/// Types with an integer dot product here.
pub(crate) fn supported(dtype: QuantType) -> bool {
    use QuantType as T;
    cfg!(target_arch = "x86_64")
        && matches!(
            dtype,
            T::Q4_0 | T::Q4_1 | T::Q5_0 | T::Q5_1 | T::Q8_0 | T::Q2K | T::Q3K | T::Q4K | T::Q5K | T::Q6K
        )
}

/// Whether generation's product of a `dtype` matrix runs here on this CPU.
pub(crate) fn applies(dtype: QuantType) -> bool {
    supported(dtype) && crate::cpu::has_vnni()
}

/// `row · x` for a row of `dtype` blocks holding as many values as `x`.
///
/// # Safety
/// [`crate::cpu::has_vnni`] must hold and `dtype` be [`supported`]; `row` must hold whole blocks of as many values
/// as `x` has.
#[cfg(target_arch = "x86_64")]
pub(crate) unsafe fn dot(dtype: QuantType, row: &[u8], x: &Q8Row) -> f32 {
    use kquants::*;
    use legacy::*;
    use QuantType as T;
    match dtype {
        T::Q4_0 => blocks::<Q4_0>(row, x),
        T::Q4_1 => blocks::<Q4_1>(row, x),
        T::Q5_0 => blocks::<Q5_0>(row, x),
        T::Q5_1 => blocks::<Q5_1>(row, x),
        T::Q8_0 => blocks::<Q8_0>(row, x),
        T::Q2K => q2k(row, x),
        T::Q3K => q3k(row, x),
        T::Q4K => q4k(row, x),
        T::Q5K => q5k(row, x),
        T::Q6K => q6k(row, x),
        _ => f32::NAN,
    }
}

/// What both kinds of kernel share: loads, the integer products and the final sum.
#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;

    /// The 32 bytes at `p`.
    #[inline(always)]
    pub(super) unsafe fn load(p: *const u8) -> __m256i {
        _mm256_loadu_si256(p as *const __m256i)
    }

    /// Σ u·q over 32 values, in eight lanes of four.
    #[inline(always)]
    pub(super) unsafe fn products(u: __m256i, q: *const i8) -> __m256 {
        _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(
            _mm256_setzero_si256(),
            u,
            load(q as *const u8),
        ))
    }

    /// The sum of the eight lanes.
    #[inline(always)]
    pub(super) unsafe fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)))
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::test_blocks::{assert_rows_match_exact, test_row};

    #[test]
    fn each_type_equals_the_exact_product_with_the_quantized_activations() {
        if !crate::cpu::has_vnni() {
            eprintln!("no AVX-512 VNNI here: nothing to check");
            return;
        }
        for (t, dtype) in crate::ALL_TYPES.into_iter().filter(|t| supported(*t)).enumerate() {
            // 608 = 19 blocks of 32: the 32-value types then also take their last three blocks one at a time.
            let widths: &[usize] = if dtype.block_size() == 32 {
                &[512, 608]
            } else {
                &[512]
            };
            for &cols in widths {
                let q8 = Q8Row::new(&test_row(cols));
                // SAFETY: VNNI was checked, the type is supported, each row holds `cols` values.
                let dot = |row: &[u8]| unsafe { dot(dtype, row, &q8) };
                assert_rows_match_exact(dtype, 11 + t as u64, &q8.dequantize(), dot);
            }
        }
    }
}
