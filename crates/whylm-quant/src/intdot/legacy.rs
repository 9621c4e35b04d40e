//! The 32-value types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0): one block, one integer product, two scales.
//!
//! Blocks go eight at a time: their eight f16 scales (and minimums) become one f32 vector, multiplied by the
//! activations' eight block scales at once, and the minimums or offsets meet the activations' sums in one vector
//! product; a block then costs its weights' unpacking, its integer product, a lane broadcast of its factor and one
//! fused multiply-add. The last blocks of a row (fewer than eight) take their scales one at a time.

use std::arch::x86_64::*;

use super::simd::{hsum, load, products};
use crate::activation::Q8Row;
use crate::rowdot::avx512::half;

/// 16 packed nibble bytes at `p` as 32 bytes: the low nibbles (values 0-15), then the high ones (16-31).
#[inline(always)]
unsafe fn nibbles(p: *const u8) -> __m256i {
    let q = _mm_loadu_si128(p as *const __m128i);
    let both = _mm256_inserti128_si256(_mm256_castsi128_si256(q), _mm_srli_epi16(q, 4), 1);
    _mm256_and_si256(both, _mm256_set1_epi8(0x0F))
}

/// Adds bit j of `qh` as the 5th bit (16) of value j.
#[inline(always)]
unsafe fn fifth(u: __m256i, qh: u32) -> __m256i {
    _mm256_or_si256(u, _mm256_maskz_set1_epi8(qh, 0x10))
}

#[inline(always)]
unsafe fn u32_at(p: *const u8) -> u32 {
    u32::from_le_bytes([*p, *p.wrapping_add(1), *p.wrapping_add(2), *p.wrapping_add(3)])
}

/// A 32-value block type: its size, where its minimum is, and how its weights are read. Every block begins with
/// its f16 scale d; a weight is `d * u + m` (the types with a minimum) or `d * (u - OFFSET)`.
pub(super) trait BlockType {
    const BYTES: usize;
    /// The byte offset of the block's f16 minimum, for the types with one.
    const MIN_AT: Option<usize>;
    /// The value subtracted from u, for the types without a minimum.
    const OFFSET: f32;
    /// The block's 32 weights as unsigned bytes `u`.
    ///
    /// # Safety
    /// `b` points at one whole block; the caller enables the features of [`blocks`].
    unsafe fn weights(b: *const u8) -> __m256i;
}

pub(super) use crate::rowdot::avx512::{Q4_0, Q4_1, Q5_0, Q5_1, Q8_0};

impl BlockType for Q4_0 {
    const BYTES: usize = 18;
    const MIN_AT: Option<usize> = None;
    const OFFSET: f32 = 8.0;
    #[inline(always)]
    unsafe fn weights(b: *const u8) -> __m256i {
        nibbles(b.wrapping_add(2))
    }
}

impl BlockType for Q4_1 {
    const BYTES: usize = 20;
    const MIN_AT: Option<usize> = Some(2);
    const OFFSET: f32 = 0.0;
    #[inline(always)]
    unsafe fn weights(b: *const u8) -> __m256i {
        nibbles(b.wrapping_add(4))
    }
}

impl BlockType for Q5_0 {
    const BYTES: usize = 22;
    const MIN_AT: Option<usize> = None;
    const OFFSET: f32 = 16.0;
    #[inline(always)]
    unsafe fn weights(b: *const u8) -> __m256i {
        fifth(nibbles(b.wrapping_add(6)), u32_at(b.wrapping_add(2)))
    }
}

impl BlockType for Q5_1 {
    const BYTES: usize = 24;
    const MIN_AT: Option<usize> = Some(2);
    const OFFSET: f32 = 0.0;
    #[inline(always)]
    unsafe fn weights(b: *const u8) -> __m256i {
        fifth(nibbles(b.wrapping_add(8)), u32_at(b.wrapping_add(4)))
    }
}

impl BlockType for Q8_0 {
    const BYTES: usize = 34;
    const MIN_AT: Option<usize> = None;
    const OFFSET: f32 = 128.0;
    /// The signed weight w read as the unsigned w + 128 (its sign bit flipped).
    #[inline(always)]
    unsafe fn weights(b: *const u8) -> __m256i {
        _mm256_xor_si256(load(b.wrapping_add(2)), _mm256_set1_epi8(-128))
    }
}

#[inline(always)]
unsafe fn u16_at(p: *const u8) -> u16 {
    u16::from_le_bytes(*(p as *const [u8; 2]))
}

/// The f16 values at `p`, `p + step`, ... (eight of them) as f32 lanes.
#[inline(always)]
unsafe fn eight_halves(p: *const u8, step: usize) -> __m256 {
    let mut bits = [0u16; 8];
    for (k, b) in bits.iter_mut().enumerate() {
        *b = u16_at(p.wrapping_add(k * step));
    }
    _mm256_cvtph_ps(_mm_loadu_si128(bits.as_ptr() as *const __m128i))
}

/// Blocks `first..first + 8`: d·dx·Σu·q into the accumulators, c·dx·Σq (c = m, or -d·OFFSET) into `offset`.
#[inline(always)]
unsafe fn eight_blocks<B: BlockType>(
    r: *const u8,
    x: &Q8Row,
    first: usize,
    acc: &mut [__m256; 2],
    offset: &mut __m256,
) {
    let b = r.wrapping_add(first * B::BYTES);
    let d = eight_halves(b, B::BYTES);
    let factors = _mm256_mul_ps(d, _mm256_loadu_ps(x.d.as_ptr().wrapping_add(first)));
    let c = match B::MIN_AT {
        Some(at) => eight_halves(b.wrapping_add(at), B::BYTES),
        None => _mm256_mul_ps(d, _mm256_set1_ps(-B::OFFSET)),
    };
    *offset = _mm256_fmadd_ps(c, _mm256_loadu_ps(x.sum.as_ptr().wrapping_add(first)), *offset);
    for k in 0..8 {
        let p = products(
            B::weights(b.wrapping_add(k * B::BYTES)),
            x.q.as_ptr().wrapping_add(32 * (first + k)),
        );
        let factor = _mm256_permutevar8x32_ps(factors, _mm256_set1_epi32(k as i32));
        acc[k & 1] = _mm256_fmadd_ps(p, factor, acc[k & 1]);
    }
}

/// Block `i` alone (a row's last blocks): d·dx·Σu·q into `acc`; returns c·dx·Σq.
#[inline(always)]
unsafe fn one_block<B: BlockType>(r: *const u8, x: &Q8Row, i: usize, acc: &mut __m256) -> f32 {
    let b = r.wrapping_add(i * B::BYTES);
    let d = half(b);
    let p = products(B::weights(b), x.q.as_ptr().wrapping_add(32 * i));
    *acc = _mm256_fmadd_ps(p, _mm256_set1_ps(d * *x.d.as_ptr().wrapping_add(i)), *acc);
    let c = match B::MIN_AT {
        Some(at) => half(b.wrapping_add(at)),
        None => -B::OFFSET * d,
    };
    c * *x.sum.as_ptr().wrapping_add(i)
}

/// `row · x` for a row of 32-value blocks.
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn blocks<B: BlockType>(row: &[u8], x: &Q8Row) -> f32 {
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut offset = _mm256_setzero_ps();
    let r = row.as_ptr();
    let n = row.len() / B::BYTES;
    let whole = n - n % 8;
    for first in (0..whole).step_by(8) {
        eight_blocks::<B>(r, x, first, &mut acc, &mut offset);
    }
    let mut rest = 0f32;
    for i in whole..n {
        rest += one_block::<B>(r, x, i, &mut acc[0]);
    }
    hsum(_mm256_add_ps(acc[0], acc[1])) + hsum(offset) + rest
}
