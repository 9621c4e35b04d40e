//! The 32-value types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0): one block, one integer product, two scales.

use std::arch::x86_64::*;

use super::simd::{hsum, load, products};
use crate::activation::Q8Row;
use crate::rowdot::avx512::half;

/// One block's 32 weights as unsigned bytes, with `w = d * u + c`.
pub(super) struct Block {
    u: __m256i,
    d: f32,
    c: f32,
}

/// 16 packed nibble bytes at `p` as 32 bytes: the low nibbles (values 0-15), then the high ones (16-31).
#[inline(always)]
unsafe fn nibbles(p: *const u8) -> __m256i {
    let q = _mm_loadu_si128(p as *const __m128i);
    let low = _mm_set1_epi8(0x0F);
    _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), low), _mm_and_si128(q, low))
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

/// A 32-value block type: its size in bytes and how its weights are read.
pub(super) trait BlockType {
    const BYTES: usize;
    /// # Safety
    /// `b` points at one whole block; the caller enables the features of [`blocks`].
    unsafe fn read(b: *const u8) -> Block;
}

pub(super) struct Q4_0;
pub(super) struct Q4_1;
pub(super) struct Q5_0;
pub(super) struct Q5_1;
pub(super) struct Q8_0;

impl BlockType for Q4_0 {
    const BYTES: usize = 18;
    #[inline(always)]
    unsafe fn read(b: *const u8) -> Block {
        let d = half(b);
        Block {
            u: nibbles(b.wrapping_add(2)),
            d,
            c: -8.0 * d,
        }
    }
}

impl BlockType for Q4_1 {
    const BYTES: usize = 20;
    #[inline(always)]
    unsafe fn read(b: *const u8) -> Block {
        Block {
            u: nibbles(b.wrapping_add(4)),
            d: half(b),
            c: half(b.wrapping_add(2)),
        }
    }
}

impl BlockType for Q5_0 {
    const BYTES: usize = 22;
    #[inline(always)]
    unsafe fn read(b: *const u8) -> Block {
        let d = half(b);
        Block {
            u: fifth(nibbles(b.wrapping_add(6)), u32_at(b.wrapping_add(2))),
            d,
            c: -16.0 * d,
        }
    }
}

impl BlockType for Q5_1 {
    const BYTES: usize = 24;
    #[inline(always)]
    unsafe fn read(b: *const u8) -> Block {
        Block {
            u: fifth(nibbles(b.wrapping_add(8)), u32_at(b.wrapping_add(4))),
            d: half(b),
            c: half(b.wrapping_add(2)),
        }
    }
}

impl BlockType for Q8_0 {
    const BYTES: usize = 34;
    #[inline(always)]
    unsafe fn read(b: *const u8) -> Block {
        let d = half(b);
        // The signed weight w read as the unsigned w + 128 (its sign bit flipped).
        let u = _mm256_xor_si256(load(b.wrapping_add(2)), _mm256_set1_epi8(-128));
        Block { u, d, c: -128.0 * d }
    }
}

/// Block `i`'s d·dx·Σu·q added into `acc` and c·dx·Σq into `offset`.
#[inline(always)]
unsafe fn block_step<B: BlockType>(r: *const u8, x: &Q8Row, i: usize, acc: &mut __m256, offset: &mut f32) {
    let b = B::read(r.wrapping_add(i * B::BYTES));
    let dx = *x.d.as_ptr().wrapping_add(i);
    let p = products(b.u, x.q.as_ptr().wrapping_add(32 * i));
    *acc = _mm256_fmadd_ps(p, _mm256_set1_ps(b.d * dx), *acc);
    *offset = b.c.mul_add(*x.sum.as_ptr().wrapping_add(i), *offset);
}

/// The 32-value types: even and odd blocks in two accumulators (named, so that they stay in registers).
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")]
pub(super) unsafe fn blocks<B: BlockType>(row: &[u8], x: &Q8Row) -> f32 {
    let (mut even, mut odd) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    let mut offset = 0f32;
    let r = row.as_ptr();
    let n = row.len() / B::BYTES;
    let mut i = 0;
    while i + 1 < n {
        block_step::<B>(r, x, i, &mut even, &mut offset);
        block_step::<B>(r, x, i + 1, &mut odd, &mut offset);
        i += 2;
    }
    if i < n {
        block_step::<B>(r, x, i, &mut even, &mut offset);
    }
    hsum(_mm256_add_ps(even, odd)) + offset
}
