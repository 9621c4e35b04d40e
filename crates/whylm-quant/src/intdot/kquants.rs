//! The K-quants (Q2_K..Q6_K): super-blocks of 256 values, a scale per 32 or 16 of them.
//!
//! Each super-block's scales are decoded once into f32 vectors and multiplied by the activations' block scales
//! (`factors`, one lane per group of 32 or 16 values), and its minimums or offsets meet the activations' sums in
//! one vector product; a run of 32 weights then costs its integer product, a conversion, a lane broadcast of its
//! factor and one fused multiply-add. Two accumulators (even and odd runs) keep the adds from waiting on each other.

use std::arch::x86_64::*;

use super::simd::{hsum, load, products};
use crate::activation::Q8Row;
use crate::rowdot::avx512::half;

/// The lane indices that broadcast lane `s` of a vector (a group of 32's factor to all its eight product lanes).
#[inline(always)]
unsafe fn lane(s: i32) -> __m256i {
    _mm256_set1_epi32(s)
}

/// The lane indices that give a run of 32 values with a factor per 16 (lanes `2r` and `2r + 1` of a vector) its
/// products' lanes: 0-3 sum values 0-15, lanes 4-7 values 16-31.
#[inline(always)]
unsafe fn halves(r: i32) -> __m256i {
    _mm256_setr_epi32(
        2 * r,
        2 * r,
        2 * r,
        2 * r,
        2 * r + 1,
        2 * r + 1,
        2 * r + 1,
        2 * r + 1,
    )
}

/// 8 bytes as f32 lanes, unsigned.
#[inline(always)]
unsafe fn u8x8(bytes: u64) -> __m256 {
    _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(bytes as i64)))
}

/// 8 bytes as f32 lanes, signed.
#[inline(always)]
unsafe fn i8x8(p: *const u8) -> __m256 {
    _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(p as *const __m128i)))
}

/// The activation scales of super-block `sb`'s eight blocks of 32.
#[inline(always)]
unsafe fn dx32(x: &Q8Row, sb: usize) -> __m256 {
    _mm256_loadu_ps(x.d.as_ptr().wrapping_add(8 * sb))
}

/// The activation scales per group of 16 of super-block `sb` (each block's twice), groups 0-7 and 8-15.
#[inline(always)]
unsafe fn dx16(x: &Q8Row, sb: usize) -> [__m256; 2] {
    let d = x.d.as_ptr().wrapping_add(8 * sb);
    let twice = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    let spread = |p: *const f32| _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_loadu_ps(p)), twice);
    [spread(d), spread(d.wrapping_add(4))]
}

/// The integer sums of the activations per group of 16 of super-block `sb`, as f32, groups 0-7 and 8-15.
#[inline(always)]
unsafe fn sums16(x: &Q8Row, sb: usize) -> [__m256; 2] {
    let s = x.sum16.as_ptr().wrapping_add(16 * sb);
    let at = |p: *const i32| _mm256_cvtepi32_ps(_mm256_loadu_si256(p as *const __m256i));
    [at(s), at(s.wrapping_add(8))]
}

/// Q4_K's and Q5_K's eight 6-bit scales and eight 6-bit minimums from their 12 packed bytes (GGML's
/// `get_scale_min_k4`, four at a time in u32 lanes).
#[inline(always)]
unsafe fn scales_mins_k4(p: *const u8) -> (__m256, __m256) {
    let word = |i: usize| u32::from_le_bytes(*(p.wrapping_add(4 * i) as *const [u8; 4]));
    let (a, b, c) = (word(0), word(1), word(2));
    let (six, four, two) = (0x3F3F_3F3Fu32, 0x0F0F_0F0Fu32, 0x0303_0303u32);
    let scales = (a & six) as u64 | (((c & four) | (((a >> 6) & two) << 4)) as u64) << 32;
    let mins = (b & six) as u64 | ((((c >> 4) & four) | (((b >> 6) & two) << 4)) as u64) << 32;
    (u8x8(scales), u8x8(mins))
}

/// Q3_K's sixteen 6-bit scales (stored + 32) from their 12 packed bytes: the low four bits of scale j are nibble
/// j of bytes 0-7 (low nibbles first), its high two bits are bits 2(j / 4) of byte 8 + j % 4 (GGML's kmask
/// arrangement, four at a time in u32 lanes). Scales 0-7, then 8-15, as 8 bytes each.
#[inline(always)]
unsafe fn scales_k3(p: *const u8) -> [u64; 2] {
    let word = |i: usize| u32::from_le_bytes(*(p.wrapping_add(4 * i) as *const [u8; 4]));
    let (a, b, c) = (word(0), word(1), word(2));
    let (four, two) = (0x0F0F_0F0Fu32, 0x0303_0303u32);
    let join = |lo: u32, hi: u32| lo as u64 | (hi as u64) << 32;
    [
        join(
            (a & four) | ((c & two) << 4),
            (b & four) | (((c >> 2) & two) << 4),
        ),
        join(
            ((a >> 4) & four) | (((c >> 4) & two) << 4),
            ((b >> 4) & four) | (((c >> 6) & two) << 4),
        ),
    ]
}

/// The 32 two-bit values of each of four runs (bits 0-1, 2-3, 4-5, 6-7 of the bytes at `p`).
#[inline(always)]
unsafe fn crumbs(p: *const u8) -> [__m256i; 4] {
    let (q, two) = (load(p), _mm256_set1_epi8(3));
    [
        _mm256_and_si256(q, two),
        _mm256_and_si256(_mm256_srli_epi16(q, 2), two),
        _mm256_and_si256(_mm256_srli_epi16(q, 4), two),
        _mm256_and_si256(_mm256_srli_epi16(q, 6), two),
    ]
}

/// Run `blk` (an activation block of 32) against weights `u`, times `factor`'s lanes, into `acc`.
#[inline(always)]
unsafe fn run(u: __m256i, x: &Q8Row, blk: usize, factor: __m256, acc: &mut __m256) {
    *acc = _mm256_fmadd_ps(products(u, x.q.as_ptr().wrapping_add(32 * blk)), factor, *acc);
}

/// Q2_K: super-blocks of 256 values (84 bytes: 16 bytes of 4-bit scale and minimum pairs, 64 of 2-bit values,
/// d, dmin), w = d·sc·u - dmin·m with one pair per 16 values (natural order); each 128 values read 32 bytes four
/// times, two bits at a time.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q2k(row: &[u8], x: &Q8Row) -> f32 {
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut off = _mm256_setzero_ps();
    for (sb, b) in row.chunks_exact(84).enumerate() {
        let p = b.as_ptr();
        let (d, dmin) = (half(p.wrapping_add(80)), half(p.wrapping_add(82)));
        let (dx, sums) = (dx16(x, sb), sums16(x, sb));
        let pairs = _mm_loadu_si128(p as *const __m128i);
        let low = _mm_set1_epi8(0x0F);
        let (sc, m) = (
            _mm_and_si128(pairs, low),
            _mm_and_si128(_mm_srli_epi16(pairs, 4), low),
        );
        let eights = |v: __m128i| {
            [
                u8x8(_mm_cvtsi128_si64(v) as u64),
                u8x8(_mm_extract_epi64(v, 1) as u64),
            ]
        };
        let (sc, m) = (eights(sc), eights(m));
        for h in 0..2 {
            let f = _mm256_mul_ps(_mm256_mul_ps(sc[h], _mm256_set1_ps(d)), dx[h]);
            let minimum = _mm256_mul_ps(_mm256_mul_ps(m[h], _mm256_set1_ps(dmin)), dx[h]);
            off = _mm256_fmadd_ps(minimum, sums[h], off);
            for (j, u) in crumbs(p.wrapping_add(16 + 32 * h)).into_iter().enumerate() {
                let factor = _mm256_permutevar8x32_ps(f, halves(j as i32));
                run(u, x, sb * 8 + 4 * h + j, factor, &mut acc[j & 1]);
            }
        }
    }
    hsum(_mm256_add_ps(acc[0], acc[1])) - hsum(off)
}

/// Q3_K: super-blocks of 256 values (110 bytes: 32 bytes of high bits, 64 of 2-bit values, 12 of packed 6-bit
/// signed scales, d), w = d·sc·(u - 4) with u = the two low bits + 4 where the high bit is set, one scale per 16
/// values (natural order); run j of each 128 values takes bits 2j of the 2-bit bytes and bit 4h+j of the high ones.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q3k(row: &[u8], x: &Q8Row) -> f32 {
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut off = _mm256_setzero_ps();
    let four = _mm256_set1_epi8(4);
    for (sb, b) in row.chunks_exact(110).enumerate() {
        let p = b.as_ptr();
        let d = half(p.wrapping_add(108));
        let (dx, sums) = (dx16(x, sb), sums16(x, sb));
        let scales = scales_k3(p.wrapping_add(96));
        let hmask = load(p);
        for h in 0..2 {
            let sc = _mm256_sub_ps(u8x8(scales[h]), _mm256_set1_ps(32.0));
            let f = _mm256_mul_ps(_mm256_mul_ps(sc, _mm256_set1_ps(d)), dx[h]);
            off = _mm256_fmadd_ps(f, sums[h], off);
            for (j, low) in crumbs(p.wrapping_add(32 + 32 * h)).into_iter().enumerate() {
                let high = _mm256_test_epi8_mask(hmask, _mm256_set1_epi8((1u8 << (4 * h + j)) as i8));
                let u = _mm256_or_si256(low, _mm256_maskz_mov_epi8(high, four));
                let factor = _mm256_permutevar8x32_ps(f, halves(j as i32));
                run(u, x, sb * 8 + 4 * h + j, factor, &mut acc[j & 1]);
            }
        }
    }
    hsum(_mm256_add_ps(acc[0], acc[1])) - 4.0 * hsum(off)
}

/// Q4_K: super-blocks of 256 values (144 bytes: d, dmin, 12 bytes of 6-bit scales and minimums, 128 of
/// nibbles), eight sub-blocks of 32 with w = d·sc·u - dmin·m. Sub-blocks 2i and 2i+1 are the low and high
/// nibbles of the same 32 bytes.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q4k(row: &[u8], x: &Q8Row) -> f32 {
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut off = _mm256_setzero_ps();
    let low = _mm256_set1_epi8(0x0F);
    for (sb, b) in row.chunks_exact(144).enumerate() {
        let p = b.as_ptr();
        let (d, dmin) = (half(p), half(p.wrapping_add(2)));
        let (sc, m) = scales_mins_k4(p.wrapping_add(4));
        let f = _mm256_mul_ps(_mm256_mul_ps(sc, _mm256_set1_ps(d)), dx32(x, sb));
        let sums = _mm256_loadu_ps(x.sum.as_ptr().wrapping_add(8 * sb));
        off = _mm256_fmadd_ps(_mm256_mul_ps(m, _mm256_set1_ps(dmin)), sums, off);
        for pair in 0..4 {
            let q = load(p.wrapping_add(16 + 32 * pair));
            let nibbles = [
                _mm256_and_si256(q, low),
                _mm256_and_si256(_mm256_srli_epi16(q, 4), low),
            ];
            for (h, u) in nibbles.into_iter().enumerate() {
                let s = 2 * pair + h;
                let factor = _mm256_permutevar8x32_ps(f, lane(s as i32));
                run(u, x, sb * 8 + s, factor, &mut acc[h]);
            }
        }
    }
    hsum(_mm256_add_ps(acc[0], acc[1])) - hsum(off)
}

/// Q5_K: as Q4_K with a fifth bit per value (176 bytes: d, dmin, 12 bytes of scales, 32 bytes of high bits,
/// 128 of nibbles); bit s of high-bit byte l belongs to value l of sub-block s.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q5k(row: &[u8], x: &Q8Row) -> f32 {
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut off = _mm256_setzero_ps();
    let (low, bit5) = (_mm256_set1_epi8(0x0F), _mm256_set1_epi8(0x10));
    for (sb, b) in row.chunks_exact(176).enumerate() {
        let p = b.as_ptr();
        let (d, dmin) = (half(p), half(p.wrapping_add(2)));
        let (sc, m) = scales_mins_k4(p.wrapping_add(4));
        let f = _mm256_mul_ps(_mm256_mul_ps(sc, _mm256_set1_ps(d)), dx32(x, sb));
        let sums = _mm256_loadu_ps(x.sum.as_ptr().wrapping_add(8 * sb));
        off = _mm256_fmadd_ps(_mm256_mul_ps(m, _mm256_set1_ps(dmin)), sums, off);
        let qh = load(p.wrapping_add(16));
        for pair in 0..4 {
            let q = load(p.wrapping_add(48 + 32 * pair));
            let nibbles = [
                _mm256_and_si256(q, low),
                _mm256_and_si256(_mm256_srli_epi16(q, 4), low),
            ];
            for (h, nib) in nibbles.into_iter().enumerate() {
                let s = 2 * pair + h;
                let high = _mm256_test_epi8_mask(qh, _mm256_set1_epi8((1u8 << s) as i8));
                let u = _mm256_or_si256(nib, _mm256_maskz_mov_epi8(high, bit5));
                let factor = _mm256_permutevar8x32_ps(f, lane(s as i32));
                run(u, x, sb * 8 + s, factor, &mut acc[h]);
            }
        }
    }
    hsum(_mm256_add_ps(acc[0], acc[1])) - hsum(off)
}

/// Q6_K: super-blocks of 256 values (210 bytes: 128 bytes of low nibbles, 64 of 2-bit high parts, 16 i8
/// scales, d), w = d·sc·(u - 32) with one scale per 16 values (natural order); four runs of 32 values per 128
/// interleave in the bytes as GGML's `dequantize_row_q6_K` reads them.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn q6k(row: &[u8], x: &Q8Row) -> f32 {
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut off = _mm256_setzero_ps();
    let low = _mm256_set1_epi8(0x0F);
    for (sb, b) in row.chunks_exact(210).enumerate() {
        let p = b.as_ptr();
        let d = half(p.wrapping_add(208));
        let (dx, sums) = (dx16(x, sb), sums16(x, sb));
        for n in 0..2 {
            let sc = i8x8(p.wrapping_add(192 + 8 * n));
            let f = _mm256_mul_ps(_mm256_mul_ps(sc, _mm256_set1_ps(d)), dx[n]);
            off = _mm256_fmadd_ps(f, sums[n], off);
            let ql_a = load(p.wrapping_add(64 * n));
            let ql_b = load(p.wrapping_add(64 * n + 32));
            // The high parts as bits 4-5: each masked to its byte before the shift left, so no bit crosses bytes.
            let high = crumbs(p.wrapping_add(128 + 32 * n)).map(|c| _mm256_slli_epi16(c, 4));
            let lows = [
                _mm256_and_si256(ql_a, low),
                _mm256_and_si256(ql_b, low),
                _mm256_and_si256(_mm256_srli_epi16(ql_a, 4), low),
                _mm256_and_si256(_mm256_srli_epi16(ql_b, 4), low),
            ];
            for (r, (lo, hi)) in lows.into_iter().zip(high).enumerate() {
                let factor = _mm256_permutevar8x32_ps(f, halves(r as i32));
                run(
                    _mm256_or_si256(lo, hi),
                    x,
                    sb * 8 + 4 * n + r,
                    factor,
                    &mut acc[r & 1],
                );
            }
        }
    }
    hsum(_mm256_add_ps(acc[0], acc[1])) - 32.0 * hsum(off)
}
