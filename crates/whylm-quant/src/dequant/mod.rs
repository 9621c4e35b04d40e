//! Dequantization of one weight row. The per-type code is plain Rust; on x86-64 it is compiled
//! a second time inside an AVX2/FMA/F16C function so that LLVM vectorizes the block loops
//! (measured: this is what makes dequantizing cheap next to the matmul), and the choice is made
//! once per CPU at run time.

mod kquants;

pub(crate) use kquants::scale_min_k4;
mod legacy;

use crate::dtype::QuantType;

/// Applies `f` to every block of a row: `src` holds whole blocks, `dst` their values.
#[inline(always)]
fn per_block<const B: usize, const V: usize>(
    src: &[u8],
    dst: &mut [f32],
    f: impl Fn(&[u8; B], &mut [f32; V]),
) {
    for (b, y) in src.chunks_exact(B).zip(dst.chunks_exact_mut(V)) {
        // chunks_exact guarantees the lengths, so these conversions cannot fail.
        if let (Ok(b), Ok(y)) = (<&[u8; B]>::try_from(b), <&mut [f32; V]>::try_from(y)) {
            f(b, y);
        }
    }
}

#[inline(always)]
fn dequantize_row_generic(dtype: QuantType, src: &[u8], dst: &mut [f32]) {
    match dtype {
        QuantType::F32 => legacy::f32s(src, dst),
        QuantType::F16 => legacy::f16s(src, dst),
        QuantType::BF16 => legacy::bf16s(src, dst),
        QuantType::Q4_0 => per_block(src, dst, legacy::q4_0),
        QuantType::Q4_1 => per_block(src, dst, legacy::q4_1),
        QuantType::Q5_0 => per_block(src, dst, legacy::q5_0),
        QuantType::Q5_1 => per_block(src, dst, legacy::q5_1),
        QuantType::Q8_0 => per_block(src, dst, legacy::q8_0),
        QuantType::Q2K => per_block(src, dst, kquants::q2k),
        QuantType::Q3K => per_block(src, dst, kquants::q3k),
        QuantType::Q4K => per_block(src, dst, kquants::q4k),
        QuantType::Q5K => per_block(src, dst, kquants::q5k),
        QuantType::Q6K => per_block(src, dst, kquants::q6k),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn dequantize_row_avx2(dtype: QuantType, src: &[u8], dst: &mut [f32]) {
    dequantize_row_generic(dtype, src, dst)
}

/// Fills `dst` (one row, `cols` values) from `src` (that row's blocks).
pub(crate) fn dequantize_row(dtype: QuantType, src: &[u8], dst: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx2_fma() {
        // SAFETY: the CPU was checked to support every feature the function enables.
        return unsafe { dequantize_row_avx2(dtype, src, dst) };
    }
    dequantize_row_generic(dtype, src, dst)
}
