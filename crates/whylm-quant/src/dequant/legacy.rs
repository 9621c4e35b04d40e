//! Dequantization of the 32-value block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) and the float
//! types. Each function fills one block; the arithmetic is written exactly as GGML's reference
//! dequantizer (multiply, then add), so the values are bit-identical to candle's `to_float`.
//! They are `inline(always)` so that the AVX2 caller in `mod.rs` vectorizes them.

use half::{bf16, f16};

#[inline(always)]
fn half_at(b: &[u8], at: usize) -> f32 {
    f16::from_le_bytes([b[at], b[at + 1]]).to_f32()
}

#[inline(always)]
pub(super) fn q4_0(b: &[u8; 18], y: &mut [f32; 32]) {
    let d = half_at(b, 0);
    for j in 0..16 {
        let q = b[2 + j];
        y[j] = ((q & 0x0F) as i16 - 8) as f32 * d;
        y[j + 16] = ((q >> 4) as i16 - 8) as f32 * d;
    }
}

#[inline(always)]
pub(super) fn q4_1(b: &[u8; 20], y: &mut [f32; 32]) {
    let d = half_at(b, 0);
    let m = half_at(b, 2);
    for j in 0..16 {
        let q = b[4 + j];
        y[j] = (q & 0x0F) as f32 * d + m;
        y[j + 16] = (q >> 4) as f32 * d + m;
    }
}

/// The 5th bits of a Q5 block: bit j of `qh` belongs to value j.
#[inline(always)]
fn fifth_bits(qh: u32, j: usize) -> (u8, u8) {
    ((((qh >> j) << 4) & 0x10) as u8, ((qh >> (j + 12)) & 0x10) as u8)
}

#[inline(always)]
pub(super) fn q5_0(b: &[u8; 22], y: &mut [f32; 32]) {
    let d = half_at(b, 0);
    let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
    for j in 0..16 {
        let q = b[6 + j];
        let (h0, h1) = fifth_bits(qh, j);
        y[j] = (((q & 0x0F) | h0) as i32 - 16) as f32 * d;
        y[j + 16] = (((q >> 4) | h1) as i32 - 16) as f32 * d;
    }
}

#[inline(always)]
pub(super) fn q5_1(b: &[u8; 24], y: &mut [f32; 32]) {
    let d = half_at(b, 0);
    let m = half_at(b, 2);
    let qh = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    for j in 0..16 {
        let q = b[8 + j];
        let (h0, h1) = fifth_bits(qh, j);
        y[j] = ((q & 0x0F) | h0) as f32 * d + m;
        y[j + 16] = ((q >> 4) | h1) as f32 * d + m;
    }
}

#[inline(always)]
pub(super) fn q8_0(b: &[u8; 34], y: &mut [f32; 32]) {
    let d = half_at(b, 0);
    for j in 0..32 {
        y[j] = b[2 + j] as i8 as f32 * d;
    }
}

#[inline(always)]
pub(super) fn f32s(src: &[u8], y: &mut [f32]) {
    for (v, b) in y.iter_mut().zip(src.chunks_exact(4)) {
        *v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    }
}

#[inline(always)]
pub(super) fn f16s(src: &[u8], y: &mut [f32]) {
    for (v, b) in y.iter_mut().zip(src.chunks_exact(2)) {
        *v = f16::from_le_bytes([b[0], b[1]]).to_f32();
    }
}

#[inline(always)]
pub(super) fn bf16s(src: &[u8], y: &mut [f32]) {
    for (v, b) in y.iter_mut().zip(src.chunks_exact(2)) {
        *v = bf16::from_le_bytes([b[0], b[1]]).to_f32();
    }
}
