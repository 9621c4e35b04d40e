//! The f32 microkernel: a block of MR activation rows times NR dequantized weight rows, both
//! K-contiguous (dot-product form, so neither side needs packing).
//!
//! Determinism: every output is one 8-lane accumulator summed over K in order, then reduced
//! by `hsum8` in a fixed order. Block shape, tile, thread and batch size only decide *which*
//! outputs a call computes, never how one is summed, so y[i][j] is bit-identical whatever M,
//! the tile size or the thread count. The path (AVX-512 when K is a multiple of 16, else AVX2,
//! else scalar) depends only on the CPU and K, so it is fixed for a given matrix; different
//! paths round differently.

/// Activation rows per block.
pub(crate) const MR: usize = 4;
/// Weight rows per block: 4 x 3 accumulators plus the loaded vectors fit the 16 AVX2 registers.
pub(crate) const NR: usize = 3;
const LANES: usize = 8;

/// Inputs of one block: `x` starts at the block's first activation row (row stride `k`), `w`
/// at its first weight row (stride `k`); `y` at the block's first output (row stride `ldy`).
pub(crate) struct Block<'a> {
    pub x: &'a [f32],
    pub w: &'a [f32],
    pub k: usize,
    pub rows: usize,
    pub cols: usize,
}

/// Computes `rows x cols` dot products (rows <= MR, cols <= NR) into `out[i][j]`.
pub(crate) fn block(b: &Block<'_>, out: &mut [[f32; NR]; MR]) {
    #[cfg(target_arch = "x86_64")]
    if b.k.is_multiple_of(16) && crate::cpu::has_avx512() {
        // SAFETY: the CPU supports AVX-512F (checked above); bounds are checked inside.
        unsafe { avx512::block(b, out) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked above); slice bounds are checked
        // inside before any load.
        unsafe { avx2::block(b, out) };
        return;
    }
    scalar_block(b, out);
}

/// Same summation structure as the AVX2 path (8 lanes, then pairwise), without FMA.
fn scalar_block(b: &Block<'_>, out: &mut [[f32; NR]; MR]) {
    for (i, row) in out.iter_mut().enumerate().take(b.rows) {
        let x = &b.x[i * b.k..(i + 1) * b.k];
        for (j, o) in row.iter_mut().enumerate().take(b.cols) {
            let w = &b.w[j * b.k..(j + 1) * b.k];
            let mut acc = [0f32; LANES];
            for (xc, wc) in x.chunks_exact(LANES).zip(w.chunks_exact(LANES)) {
                for l in 0..LANES {
                    acc[l] += xc[l] * wc[l];
                }
            }
            *o = hsum_lanes(acc);
        }
    }
}

/// The fixed reduction order of 8 lanes: halves, then quarters, then the last pair.
#[inline(always)]
fn hsum_lanes(a: [f32; LANES]) -> f32 {
    let q = [a[0] + a[4], a[1] + a[5], a[2] + a[6], a[3] + a[7]];
    let p = [q[0] + q[2], q[1] + q[3]];
    p[0] + p[1]
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{Block, LANES, MR, NR};

    #[inline(always)]
    unsafe fn hsum8(v: __m256) -> f32 {
        let q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let p = _mm_add_ps(q, _mm_movehl_ps(q, q));
        _mm_cvtss_f32(_mm_add_ss(p, _mm_shuffle_ps(p, p, 1)))
    }

    #[inline(always)]
    unsafe fn fixed<const R: usize, const C: usize>(
        x: *const f32,
        w: *const f32,
        k: usize,
        out: &mut [[f32; NR]; MR],
    ) {
        let mut acc = [[_mm256_setzero_ps(); C]; R];
        let mut p = 0;
        while p < k {
            let mut wv = [_mm256_setzero_ps(); C];
            for (j, v) in wv.iter_mut().enumerate() {
                *v = _mm256_loadu_ps(w.add(j * k + p));
            }
            for (i, a) in acc.iter_mut().enumerate() {
                let xv = _mm256_loadu_ps(x.add(i * k + p));
                for j in 0..C {
                    a[j] = _mm256_fmadd_ps(xv, wv[j], a[j]);
                }
            }
            p += LANES;
        }
        for i in 0..R {
            for j in 0..C {
                out[i][j] = hsum8(acc[i][j]);
            }
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn block(b: &Block<'_>, out: &mut [[f32; NR]; MR]) {
        let (k, rows, cols) = (b.k, b.rows.min(MR), b.cols.min(NR));
        // Every load below stays inside these bounds; K is a multiple of 8 (all block sizes are).
        if k % LANES != 0 || b.x.len() < rows * k || b.w.len() < cols * k {
            super::scalar_block(b, out);
            return;
        }
        let (x, w) = (b.x.as_ptr(), b.w.as_ptr());
        match (rows, cols) {
            (4, 3) => fixed::<4, 3>(x, w, k, out),
            (4, 2) => fixed::<4, 2>(x, w, k, out),
            (4, 1) => fixed::<4, 1>(x, w, k, out),
            (3, 3) => fixed::<3, 3>(x, w, k, out),
            (3, 2) => fixed::<3, 2>(x, w, k, out),
            (3, 1) => fixed::<3, 1>(x, w, k, out),
            (2, 3) => fixed::<2, 3>(x, w, k, out),
            (2, 2) => fixed::<2, 2>(x, w, k, out),
            (2, 1) => fixed::<2, 1>(x, w, k, out),
            (1, 3) => fixed::<1, 3>(x, w, k, out),
            (1, 2) => fixed::<1, 2>(x, w, k, out),
            (1, 1) => fixed::<1, 1>(x, w, k, out),
            _ => {}
        }
    }
}

/// The same blocks with 16-lane accumulators (twice the work per instruction of AVX2).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{Block, MR, NR};

    const LANES: usize = 16;

    /// Upper and lower 8 lanes added, then the AVX2 reduction order.
    #[inline(always)]
    unsafe fn hsum16(v: __m512) -> f32 {
        let lo = _mm512_castps512_ps256(v);
        let hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
        let e = _mm256_add_ps(lo, hi);
        let q = _mm_add_ps(_mm256_castps256_ps128(e), _mm256_extractf128_ps(e, 1));
        let p = _mm_add_ps(q, _mm_movehl_ps(q, q));
        _mm_cvtss_f32(_mm_add_ss(p, _mm_shuffle_ps(p, p, 1)))
    }

    #[inline(always)]
    unsafe fn fixed<const R: usize, const C: usize>(
        x: *const f32,
        w: *const f32,
        k: usize,
        out: &mut [[f32; NR]; MR],
    ) {
        let mut acc = [[_mm512_setzero_ps(); C]; R];
        let mut p = 0;
        while p < k {
            let mut wv = [_mm512_setzero_ps(); C];
            for (j, v) in wv.iter_mut().enumerate() {
                *v = _mm512_loadu_ps(w.add(j * k + p));
            }
            for (i, a) in acc.iter_mut().enumerate() {
                let xv = _mm512_loadu_ps(x.add(i * k + p));
                for j in 0..C {
                    a[j] = _mm512_fmadd_ps(xv, wv[j], a[j]);
                }
            }
            p += LANES;
        }
        for i in 0..R {
            for j in 0..C {
                out[i][j] = hsum16(acc[i][j]);
            }
        }
    }

    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn block(b: &Block<'_>, out: &mut [[f32; NR]; MR]) {
        let (k, rows, cols) = (b.k, b.rows.min(MR), b.cols.min(NR));
        if k % LANES != 0 || b.x.len() < rows * k || b.w.len() < cols * k {
            super::scalar_block(b, out);
            return;
        }
        let (x, w) = (b.x.as_ptr(), b.w.as_ptr());
        match (rows, cols) {
            (4, 3) => fixed::<4, 3>(x, w, k, out),
            (4, 2) => fixed::<4, 2>(x, w, k, out),
            (4, 1) => fixed::<4, 1>(x, w, k, out),
            (3, 3) => fixed::<3, 3>(x, w, k, out),
            (3, 2) => fixed::<3, 2>(x, w, k, out),
            (3, 1) => fixed::<3, 1>(x, w, k, out),
            (2, 3) => fixed::<2, 3>(x, w, k, out),
            (2, 2) => fixed::<2, 2>(x, w, k, out),
            (2, 1) => fixed::<2, 1>(x, w, k, out),
            (1, 3) => fixed::<1, 3>(x, w, k, out),
            (1, 2) => fixed::<1, 2>(x, w, k, out),
            (1, 1) => fixed::<1, 1>(x, w, k, out),
            _ => {}
        }
    }
}
