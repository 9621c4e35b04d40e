//! The K-quants (Q2_K..Q6_K): super-blocks of 256 values, a scale per 32 or 16 of them.

use std::arch::x86_64::*;

use super::simd::{hsum, load, products};
use crate::activation::Q8Row;
use crate::dequant::scale_min_k4;
use crate::rowdot::avx512::half;

/// Activation block `blk` against the unsigned weights `u` of a K-quant sub-block with scale `scale` and
/// minimum `minimum` (w = scale * u - minimum).
#[inline(always)]
unsafe fn sub_block(
    u: __m256i,
    x: &Q8Row,
    blk: usize,
    scale: f32,
    minimum: f32,
    acc: &mut __m256,
    off: &mut f32,
) {
    let dx = *x.d.as_ptr().wrapping_add(blk);
    let p = products(u, x.q.as_ptr().wrapping_add(32 * blk));
    *acc = _mm256_fmadd_ps(p, _mm256_set1_ps(scale * dx), *acc);
    *off = minimum.mul_add(*x.sum.as_ptr().wrapping_add(blk), *off);
}

/// Activation block `blk` against the unsigned weights `u` of a run of 32 values with one scale per 16:
/// values 0-15 weigh `w = scale.0 * u - minimum.0`, values 16-31 `scale.1 * u - minimum.1`. The scales
/// multiply lanes 0-3 and 4-7 of the products; the minimums meet the activations' sums per 16.
#[inline(always)]
unsafe fn run_of_halves(
    u: __m256i,
    x: &Q8Row,
    blk: usize,
    scale: (f32, f32),
    minimum: (f32, f32),
    acc: &mut __m256,
    off: &mut f32,
) {
    let dx = *x.d.as_ptr().wrapping_add(blk);
    let lanes = _mm256_set_m128(_mm_set1_ps(scale.1 * dx), _mm_set1_ps(scale.0 * dx));
    *acc = _mm256_fmadd_ps(products(u, x.q.as_ptr().wrapping_add(32 * blk)), lanes, *acc);
    let s16 = x.sum16.as_ptr().wrapping_add(2 * blk);
    *off += dx * (minimum.0 * *s16 as f32 + minimum.1 * *s16.wrapping_add(1) as f32);
}

/// Q2_K: super-blocks of 256 values (84 bytes: 16 bytes of 4-bit scale and minimum pairs, 64 of 2-bit values,
/// d, dmin), w = d·sc·u - dmin·m with one pair per 16 values; each 128 values read 32 bytes four times, two
/// bits at a time.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q2k(row: &[u8], x: &Q8Row) -> f32 {
    let (mut acc, mut off) = (_mm256_setzero_ps(), 0f32);
    let two = _mm256_set1_epi8(3);
    for (sb, b) in row.chunks_exact(84).enumerate() {
        let p = b.as_ptr();
        let (d, dmin) = (half(p.wrapping_add(80)), half(p.wrapping_add(82)));
        for h in 0..2 {
            let q = load(p.wrapping_add(16 + 32 * h));
            let runs = [
                _mm256_and_si256(q, two),
                _mm256_and_si256(_mm256_srli_epi16(q, 2), two),
                _mm256_and_si256(_mm256_srli_epi16(q, 4), two),
                _mm256_and_si256(_mm256_srli_epi16(q, 6), two),
            ];
            for (j, u) in runs.into_iter().enumerate() {
                let (s0, s1) = (b[8 * h + 2 * j], b[8 * h + 2 * j + 1]);
                let scale = (d * (s0 & 0xF) as f32, d * (s1 & 0xF) as f32);
                let minimum = (dmin * (s0 >> 4) as f32, dmin * (s1 >> 4) as f32);
                run_of_halves(u, x, sb * 8 + 4 * h + j, scale, minimum, &mut acc, &mut off);
            }
        }
    }
    hsum(acc) - off
}

/// Q3_K: super-blocks of 256 values (110 bytes: 32 bytes of high bits, 64 of 2-bit values, 12 of packed
/// 6-bit signed scales, d), w = d·sc·(u - 4) with u = the two low bits + 4 where the high bit is set, one
/// scale per 16 values; run j of each 128 values takes bits 2j of the 2-bit bytes and bit 4h+j of the high
/// ones.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q3k(row: &[u8], x: &Q8Row) -> f32 {
    let (mut acc, mut off) = (_mm256_setzero_ps(), 0f32);
    let (two, four) = (_mm256_set1_epi8(3), _mm256_set1_epi8(4));
    for (sb, b) in row.chunks_exact(110).enumerate() {
        let p = b.as_ptr();
        let d = half(p.wrapping_add(108));
        let scales = crate::dequant::q3k_scales(&b[96..108]);
        let hmask = load(p);
        for h in 0..2 {
            let q = load(p.wrapping_add(32 + 32 * h));
            let runs = [
                _mm256_and_si256(q, two),
                _mm256_and_si256(_mm256_srli_epi16(q, 2), two),
                _mm256_and_si256(_mm256_srli_epi16(q, 4), two),
                _mm256_and_si256(_mm256_srli_epi16(q, 6), two),
            ];
            for (j, low) in runs.into_iter().enumerate() {
                let high = _mm256_test_epi8_mask(hmask, _mm256_set1_epi8((1u8 << (4 * h + j)) as i8));
                let u = _mm256_or_si256(low, _mm256_maskz_mov_epi8(high, four));
                let sc = (scales[8 * h + 2 * j] as f32, scales[8 * h + 2 * j + 1] as f32);
                let scale = (d * sc.0, d * sc.1);
                run_of_halves(
                    u,
                    x,
                    sb * 8 + 4 * h + j,
                    scale,
                    (4.0 * scale.0, 4.0 * scale.1),
                    &mut acc,
                    &mut off,
                );
            }
        }
    }
    hsum(acc) - off
}

/// Q4_K: super-blocks of 256 values (144 bytes: d, dmin, 12 bytes of 6-bit scales and minimums, 128 of
/// nibbles), eight sub-blocks of 32 with w = d·sc·u - dmin·m. Sub-blocks 2i and 2i+1 are the low and high
/// nibbles of the same 32 bytes.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q4k(row: &[u8], x: &Q8Row) -> f32 {
    let (mut acc, mut off) = (_mm256_setzero_ps(), 0f32);
    let low = _mm256_set1_epi8(0x0F);
    for (sb, b) in row.chunks_exact(144).enumerate() {
        let p = b.as_ptr();
        let (d, dmin) = (half(p), half(p.wrapping_add(2)));
        for pair in 0..4 {
            let q = load(p.wrapping_add(16 + 32 * pair));
            let halves = [
                _mm256_and_si256(q, low),
                _mm256_and_si256(_mm256_srli_epi16(q, 4), low),
            ];
            for (h, u) in halves.into_iter().enumerate() {
                let s = 2 * pair + h;
                let (sc, m) = scale_min_k4(s, &b[4..16]);
                sub_block(
                    u,
                    x,
                    sb * 8 + s,
                    d * sc as f32,
                    dmin * m as f32,
                    &mut acc,
                    &mut off,
                );
            }
        }
    }
    hsum(acc) - off
}

/// Q5_K: as Q4_K with a fifth bit per value (176 bytes: d, dmin, 12 bytes of scales, 32 bytes of high bits,
/// 128 of nibbles); bit s of high-bit byte l belongs to value l of sub-block s.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q5k(row: &[u8], x: &Q8Row) -> f32 {
    let (mut acc, mut off) = (_mm256_setzero_ps(), 0f32);
    let (low, bit5) = (_mm256_set1_epi8(0x0F), _mm256_set1_epi8(0x10));
    for (sb, b) in row.chunks_exact(176).enumerate() {
        let p = b.as_ptr();
        let (d, dmin) = (half(p), half(p.wrapping_add(2)));
        let qh = load(p.wrapping_add(16));
        for pair in 0..4 {
            let q = load(p.wrapping_add(48 + 32 * pair));
            let halves = [
                _mm256_and_si256(q, low),
                _mm256_and_si256(_mm256_srli_epi16(q, 4), low),
            ];
            for (h, nib) in halves.into_iter().enumerate() {
                let s = 2 * pair + h;
                let high = _mm256_test_epi8_mask(qh, _mm256_set1_epi8((1u8 << s) as i8));
                let u = _mm256_or_si256(nib, _mm256_maskz_mov_epi8(high, bit5));
                let (sc, m) = scale_min_k4(s, &b[4..16]);
                sub_block(
                    u,
                    x,
                    sb * 8 + s,
                    d * sc as f32,
                    dmin * m as f32,
                    &mut acc,
                    &mut off,
                );
            }
        }
    }
    hsum(acc) - off
}

/// Q6_K: super-blocks of 256 values (210 bytes: 128 bytes of low nibbles, 64 of 2-bit high parts, 16 i8
/// scales, d), w = d·sc·(u - 32) with one scale per 16 values; four runs of 32 values per 128 interleave in
/// the bytes as GGML's `dequantize_row_q6_K` reads them. A run's two scales multiply its lanes 0-3 (values
/// 0-15) and 4-7 (values 16-31).
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q6k(row: &[u8], x: &Q8Row) -> f32 {
    let (mut acc, mut off) = (_mm256_setzero_ps(), 0f32);
    let (low, two) = (_mm256_set1_epi8(0x0F), _mm256_set1_epi8(3));
    for (sb, b) in row.chunks_exact(210).enumerate() {
        let p = b.as_ptr();
        let d = half(p.wrapping_add(208));
        for n in 0..2 {
            let ql_a = load(p.wrapping_add(64 * n));
            let ql_b = load(p.wrapping_add(64 * n + 32));
            let qh = load(p.wrapping_add(128 + 32 * n));
            // Each high part masked to its byte before the shift left, so no bit crosses into the next byte.
            let high = [
                _mm256_slli_epi16(_mm256_and_si256(qh, two), 4),
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), two), 4),
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), two), 4),
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), two), 4),
            ];
            let lows = [
                _mm256_and_si256(ql_a, low),
                _mm256_and_si256(ql_b, low),
                _mm256_and_si256(_mm256_srli_epi16(ql_a, 4), low),
                _mm256_and_si256(_mm256_srli_epi16(ql_b, 4), low),
            ];
            for (r, (lo, hi)) in lows.into_iter().zip(high).enumerate() {
                let sc = (
                    b[192 + 8 * n + 2 * r] as i8 as f32,
                    b[193 + 8 * n + 2 * r] as i8 as f32,
                );
                let scale = (d * sc.0, d * sc.1);
                let u = _mm256_or_si256(lo, hi);
                run_of_halves(
                    u,
                    x,
                    sb * 8 + 4 * n + r,
                    scale,
                    (32.0 * scale.0, 32.0 * scale.1),
                    &mut acc,
                    &mut off,
                );
            }
        }
    }
    hsum(acc) - off
}
