//! One weight row dotted with one activation row straight from the row's block bytes (AVX-512): each block's
//! values are widened in registers and never written to memory. This is generation's one-row product
//! (`matvec`), whose time is reading the weights once; dequantizing a row into a buffer first and
//! converting 16-bit values one by one (the `half` crate checks the CPU per value) cost more than the read.
//!
//! A block of 32 quantized values contributes `d * Σ q·x` (plus `m * Σ x` for the types with a minimum): the
//! integer values are multiplied by x in f32 and the block's scale is applied once. The bits differ from the
//! dequantize-then-multiply kernels (which round `q·d` first); within this module a row's result depends only on
//! the row and x (fixed lane and block order), whatever the thread count.
//!
//! Pointer offsets use `wrapping_add`: the offsets stay inside the checked slices, and `add`'s precondition check
//! (on in the dev profile) put a compare and a stack round trip on every load of this loop.

/// Types with a fused dot product here; the others go through a dequantized row.
pub(crate) fn supported(dtype: crate::QuantType) -> bool {
    use crate::QuantType as T;
    cfg!(target_arch = "x86_64")
        && matches!(
            dtype,
            T::F32 | T::F16 | T::BF16 | T::Q4_0 | T::Q4_1 | T::Q5_0 | T::Q5_1 | T::Q8_0 | T::Q4K | T::Q6K
        )
}

/// Sums of x over each run of 32 values (the blocks), for the types whose values carry a minimum.
pub(crate) fn block_sums(x: &[f32]) -> Vec<f32> {
    x.chunks(32).map(|c| c.iter().sum()).collect()
}

/// `row · x` for a row of `dtype` blocks (`row` holds exactly x.len() values); `sums` are x's [`block_sums`].
///
/// # Safety
/// The CPU must support AVX-512F and F16C ([`crate::cpu::has_avx512`]); `dtype` must be [`supported`]; `row` must
/// hold whole blocks of x.len() values.
#[cfg(target_arch = "x86_64")]
pub(crate) unsafe fn dot(dtype: crate::QuantType, row: &[u8], x: &[f32], sums: &[f32]) -> f32 {
    use crate::QuantType as T;
    use avx512::*;
    match dtype {
        T::F32 => floats::<F32>(row, x),
        T::F16 => floats::<F16>(row, x),
        T::BF16 => floats::<Bf16>(row, x),
        T::Q4_0 => blocks::<Q4_0>(row, x, sums),
        T::Q4_1 => blocks::<Q4_1>(row, x, sums),
        T::Q5_0 => blocks::<Q5_0>(row, x, sums),
        T::Q5_1 => blocks::<Q5_1>(row, x, sums),
        T::Q8_0 => blocks::<Q8_0>(row, x, sums),
        T::Q4K => q4k(row, x, sums),
        T::Q6K => q6k(row, x),
        _ => f32::NAN,
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512 {
    use std::arch::x86_64::*;

    /// One block's integer values as two vectors of 16 (values 0-15 and 16-31), its scale and its minimum.
    pub(super) struct Block {
        lo: __m512,
        hi: __m512,
        d: f32,
        m: f32,
    }

    /// The f16 value at `p` (2 bytes, little-endian) as f32.
    ///
    /// # Safety
    /// `p` points at 2 readable bytes; F16C is enabled in the caller.
    #[inline(always)]
    pub(crate) unsafe fn half(p: *const u8) -> f32 {
        _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(
            u16::from_le_bytes([*p, *p.wrapping_add(1)]) as i32,
        )))
    }

    /// The 16 packed nibble bytes at `p` as (low nibbles, high nibbles), each 16 i32 lanes.
    #[inline(always)]
    unsafe fn nibbles(p: *const u8) -> (__m512i, __m512i) {
        let q = _mm512_cvtepu8_epi32(_mm_loadu_si128(p as *const __m128i));
        (
            _mm512_and_si512(q, _mm512_set1_epi32(0x0F)),
            _mm512_srli_epi32(q, 4),
        )
    }

    /// Adds bit j of `qh` as the 5th bit (16) of value j, for the 32 values of a Q5 block.
    #[inline(always)]
    unsafe fn fifth(lo: __m512i, hi: __m512i, qh: u32) -> (__m512i, __m512i) {
        let bit = _mm512_set1_epi32(0x10);
        (
            _mm512_mask_or_epi32(lo, (qh & 0xFFFF) as u16, lo, bit),
            _mm512_mask_or_epi32(hi, (qh >> 16) as u16, hi, bit),
        )
    }

    #[inline(always)]
    unsafe fn to_block(lo: __m512i, hi: __m512i, offset: i32, d: f32, m: f32) -> Block {
        let off = _mm512_set1_epi32(offset);
        Block {
            lo: _mm512_cvtepi32_ps(_mm512_sub_epi32(lo, off)),
            hi: _mm512_cvtepi32_ps(_mm512_sub_epi32(hi, off)),
            d,
            m,
        }
    }

    /// A block type: its size in bytes and how its values are widened.
    pub(super) trait BlockType {
        const BYTES: usize;
        /// # Safety
        /// `b` points at one whole block; AVX-512F and F16C are enabled in the caller.
        unsafe fn read(b: *const u8) -> Block;
    }

    /// The 32-value block types (markers: `rowdot` and `intdot` give each its own reading).
    pub(crate) struct Q4_0;
    pub(crate) struct Q4_1;
    pub(crate) struct Q5_0;
    pub(crate) struct Q5_1;
    pub(crate) struct Q8_0;

    impl BlockType for Q4_0 {
        const BYTES: usize = 18;
        #[inline(always)]
        unsafe fn read(b: *const u8) -> Block {
            let (lo, hi) = nibbles(b.wrapping_add(2));
            to_block(lo, hi, 8, half(b), 0.0)
        }
    }

    impl BlockType for Q4_1 {
        const BYTES: usize = 20;
        #[inline(always)]
        unsafe fn read(b: *const u8) -> Block {
            let (lo, hi) = nibbles(b.wrapping_add(4));
            to_block(lo, hi, 0, half(b), half(b.wrapping_add(2)))
        }
    }

    impl BlockType for Q5_0 {
        const BYTES: usize = 22;
        #[inline(always)]
        unsafe fn read(b: *const u8) -> Block {
            let qh = u32::from_le_bytes([
                *b.wrapping_add(2),
                *b.wrapping_add(3),
                *b.wrapping_add(4),
                *b.wrapping_add(5),
            ]);
            let (lo, hi) = nibbles(b.wrapping_add(6));
            let (lo, hi) = fifth(lo, hi, qh);
            to_block(lo, hi, 16, half(b), 0.0)
        }
    }

    impl BlockType for Q5_1 {
        const BYTES: usize = 24;
        #[inline(always)]
        unsafe fn read(b: *const u8) -> Block {
            let qh = u32::from_le_bytes([
                *b.wrapping_add(4),
                *b.wrapping_add(5),
                *b.wrapping_add(6),
                *b.wrapping_add(7),
            ]);
            let (lo, hi) = nibbles(b.wrapping_add(8));
            let (lo, hi) = fifth(lo, hi, qh);
            to_block(lo, hi, 0, half(b), half(b.wrapping_add(2)))
        }
    }

    impl BlockType for Q8_0 {
        const BYTES: usize = 34;
        #[inline(always)]
        unsafe fn read(b: *const u8) -> Block {
            let lo = _mm512_cvtepi8_epi32(_mm_loadu_si128(b.wrapping_add(2) as *const __m128i));
            let hi = _mm512_cvtepi8_epi32(_mm_loadu_si128(b.wrapping_add(18) as *const __m128i));
            to_block(lo, hi, 0, half(b), 0.0)
        }
    }

    /// d·(q·x) of block `i` added into `acc`, and m·Σx into `minimum`.
    #[inline(always)]
    unsafe fn block_step<B: BlockType>(
        r: *const u8,
        xp: *const f32,
        sums: &[f32],
        i: usize,
        acc: &mut __m512,
        minimum: &mut f32,
    ) {
        let b = B::read(r.wrapping_add(i * B::BYTES));
        let t = _mm512_fmadd_ps(
            b.lo,
            _mm512_loadu_ps(xp.wrapping_add(32 * i)),
            _mm512_mul_ps(b.hi, _mm512_loadu_ps(xp.wrapping_add(32 * i + 16))),
        );
        *acc = _mm512_fmadd_ps(t, _mm512_set1_ps(b.d), *acc);
        *minimum = b.m.mul_add(sums[i], *minimum);
    }

    /// Σ over blocks of d·(q·x) + m·Σx, in two vector accumulators (even and odd blocks, named so that they stay
    /// in registers) added at the end.
    #[target_feature(enable = "avx512f,avx2,fma,f16c")]
    pub(super) unsafe fn blocks<B: BlockType>(row: &[u8], x: &[f32], sums: &[f32]) -> f32 {
        let (mut even, mut odd) = (_mm512_setzero_ps(), _mm512_setzero_ps());
        let mut minimum = 0f32;
        let (r, xp) = (row.as_ptr(), x.as_ptr());
        let n = row.len() / B::BYTES;
        let mut i = 0;
        while i + 1 < n {
            block_step::<B>(r, xp, sums, i, &mut even, &mut minimum);
            block_step::<B>(r, xp, sums, i + 1, &mut odd, &mut minimum);
            i += 2;
        }
        if i < n {
            block_step::<B>(r, xp, sums, i, &mut even, &mut minimum);
        }
        _mm512_reduce_add_ps(_mm512_add_ps(even, odd)) + minimum
    }

    /// Q4_K: super-blocks of 256 values (144 bytes: d, dmin, 12 bytes of scales, 128 of nibbles), each 8
    /// sub-blocks of 32 with their own scale and minimum: Σ d·sc·(q·x) - dmin·m·Σx. Sub-blocks 2i and 2i+1 are the
    /// low and high nibbles of the same 32 bytes.
    #[target_feature(enable = "avx512f,avx2,fma,f16c")]
    pub(super) unsafe fn q4k(row: &[u8], x: &[f32], sums: &[f32]) -> f32 {
        let mut acc = _mm512_setzero_ps();
        let mut minimum = 0f32;
        let low = _mm512_set1_epi32(0x0F);
        for (sb, b) in row.chunks_exact(144).enumerate() {
            let p = b.as_ptr();
            let (d, dmin) = (half(p), half(p.wrapping_add(2)));
            for pair in 0..4 {
                let q = p.wrapping_add(16 + 32 * pair);
                let q0 = _mm512_cvtepu8_epi32(_mm_loadu_si128(q as *const __m128i));
                let q1 = _mm512_cvtepu8_epi32(_mm_loadu_si128(q.wrapping_add(16) as *const __m128i));
                let halves = [
                    (_mm512_and_si512(q0, low), _mm512_and_si512(q1, low)),
                    (_mm512_srli_epi32(q0, 4), _mm512_srli_epi32(q1, 4)),
                ];
                for (h, (a, c)) in halves.into_iter().enumerate() {
                    let s = 2 * pair + h;
                    let (sc, m) = crate::dequant::scale_min_k4(s, &b[4..16]);
                    let (sc, m) = (sc as f32, m as f32);
                    let xo = x.as_ptr().wrapping_add(sb * 256 + 32 * s);
                    let t = _mm512_fmadd_ps(
                        _mm512_cvtepi32_ps(a),
                        _mm512_loadu_ps(xo),
                        _mm512_mul_ps(_mm512_cvtepi32_ps(c), _mm512_loadu_ps(xo.wrapping_add(16))),
                    );
                    acc = _mm512_fmadd_ps(t, _mm512_set1_ps(d * sc), acc);
                    minimum = (dmin * m).mul_add(sums[sb * 8 + s], minimum);
                }
            }
        }
        _mm512_reduce_add_ps(acc) - minimum
    }

    /// Q6_K: super-blocks of 256 values (210 bytes: 128 bytes of low nibbles, 64 of 2-bit high parts, 16 i8
    /// scales, d), each value d·sc·(q - 32) with one scale per 16 values; GGML's layout interleaves four runs of 32
    /// values per 128 (see its `dequantize_row_q6_K`).
    #[target_feature(enable = "avx512f,avx2,fma,f16c")]
    pub(super) unsafe fn q6k(row: &[u8], x: &[f32]) -> f32 {
        let mut acc = _mm512_setzero_ps();
        let (low, two, off) = (
            _mm512_set1_epi32(0x0F),
            _mm512_set1_epi32(3),
            _mm512_set1_epi32(32),
        );
        let widen = |p: *const u8| _mm512_cvtepu8_epi32(_mm_loadu_si128(p as *const __m128i));
        for (sb, b) in row.chunks_exact(210).enumerate() {
            let p = b.as_ptr();
            let d = half(p.wrapping_add(208));
            for n in 0..2 {
                for h in 0..2 {
                    let ql_a = widen(p.wrapping_add(64 * n + 16 * h));
                    let ql_b = widen(p.wrapping_add(64 * n + 32 + 16 * h));
                    let qh = widen(p.wrapping_add(128 + 32 * n + 16 * h));
                    let high = |shift: u32| {
                        _mm512_slli_epi32(
                            _mm512_and_si512(_mm512_srlv_epi32(qh, _mm512_set1_epi32(shift as i32)), two),
                            4,
                        )
                    };
                    let runs = [
                        (_mm512_and_si512(ql_a, low), high(0)),
                        (_mm512_and_si512(ql_b, low), high(2)),
                        (_mm512_srli_epi32(ql_a, 4), high(4)),
                        (_mm512_srli_epi32(ql_b, 4), high(6)),
                    ];
                    for (r, (lo, hi)) in runs.into_iter().enumerate() {
                        let q = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_or_si512(lo, hi), off));
                        let sc = b[192 + 8 * n + h + 2 * r] as i8 as f32;
                        let xv =
                            _mm512_loadu_ps(x.as_ptr().wrapping_add(sb * 256 + 128 * n + 32 * r + 16 * h));
                        acc = _mm512_fmadd_ps(_mm512_mul_ps(q, xv), _mm512_set1_ps(d * sc), acc);
                    }
                }
            }
        }
        _mm512_reduce_add_ps(acc)
    }

    /// A float type: 16 of its values widened to f32.
    pub(super) trait FloatType {
        const BYTES: usize;
        /// # Safety
        /// `row` holds 16 values from value `at` on; AVX-512F and F16C are enabled in the caller.
        unsafe fn lanes(row: *const u8, at: usize) -> __m512;
    }

    pub(super) struct F32;
    pub(super) struct F16;
    pub(super) struct Bf16;

    impl FloatType for F32 {
        const BYTES: usize = 4;
        #[inline(always)]
        unsafe fn lanes(row: *const u8, at: usize) -> __m512 {
            _mm512_loadu_ps(row.wrapping_add(4 * at) as *const f32)
        }
    }

    impl FloatType for F16 {
        const BYTES: usize = 2;
        #[inline(always)]
        unsafe fn lanes(row: *const u8, at: usize) -> __m512 {
            _mm512_cvtph_ps(_mm256_loadu_si256(row.wrapping_add(2 * at) as *const __m256i))
        }
    }

    impl FloatType for Bf16 {
        const BYTES: usize = 2;
        #[inline(always)]
        unsafe fn lanes(row: *const u8, at: usize) -> __m512 {
            let v = _mm512_cvtepu16_epi32(_mm256_loadu_si256(row.wrapping_add(2 * at) as *const __m256i));
            _mm512_castsi512_ps(_mm512_slli_epi32(v, 16))
        }
    }

    /// Σ w·x over a float row in four 16-lane accumulators (named, so that they stay in registers); values past
    /// the last multiple of 64 are added 16 at a time into the first, then one by one at the end.
    #[target_feature(enable = "avx512f,avx2,fma,f16c")]
    pub(super) unsafe fn floats<F: FloatType>(row: &[u8], x: &[f32]) -> f32 {
        let n = x.len();
        let (r, xp) = (row.as_ptr(), x.as_ptr());
        let fma = |at: usize, acc: __m512| {
            _mm512_fmadd_ps(F::lanes(r, at), _mm512_loadu_ps(xp.wrapping_add(at)), acc)
        };
        let mut acc = [_mm512_setzero_ps(); 4];
        let mut at = 0;
        while at + 64 <= n {
            let [a0, a1, a2, a3] = acc;
            acc = [fma(at, a0), fma(at + 16, a1), fma(at + 32, a2), fma(at + 48, a3)];
            at += 64;
        }
        while at + 16 <= n {
            acc[0] = fma(at, acc[0]);
            at += 16;
        }
        let whole = at;
        let s = _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
        let mut total = _mm512_reduce_add_ps(s);
        for at in whole..n {
            let mut one = [0u8; 64];
            one[..F::BYTES].copy_from_slice(&row[at * F::BYTES..(at + 1) * F::BYTES]);
            let w = _mm_cvtss_f32(_mm512_castps512_ps128(F::lanes(one.as_ptr(), 0)));
            total = w.mul_add(x[at], total);
        }
        total
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::test_blocks::{assert_rows_match_exact, test_row};

    /// Generation's product takes `intdot` first where the CPU has VNNI, so these kernels are checked here
    /// directly: each quantized type against the exact product of its dequantized weights with f32 activations.
    #[test]
    fn each_quantized_type_equals_the_exact_product() {
        if !crate::cpu::has_avx512() {
            eprintln!("no AVX-512 here: nothing to check");
            return;
        }
        let x = test_row(512);
        let sums = block_sums(&x);
        let quantized = crate::ALL_TYPES
            .into_iter()
            .filter(|t| t.block_size() > 1 && supported(*t));
        for (t, dtype) in quantized.enumerate() {
            // SAFETY: AVX-512 was checked, the type is supported, each row holds as many values as x.
            let dot = |row: &[u8]| unsafe { dot(dtype, row, &x, &sums) };
            assert_rows_match_exact(dtype, 21 + t as u64, &x, dot);
        }
    }
}
