//! Packing a tile of W into the kernel's panels: `NR` weight rows transposed, so that the
//! p-th input of all NR rows is contiguous (`panel[p * NR + j] = W[j][p]`).
//!
//! Rows are dequantized 16 at a time into a row-major scratch (the vectorized dequantizers of
//! `dequant`), then moved into the panel by 16 x 16 transposes (AVX-512 shuffles where the CPU
//! has them). One row at a time with a strided scatter cost ~8 cycles per value, which made
//! one-row products (generation) slower than candle; the values are the same either way.

use crate::kernel::NR;

/// Rows transposed together.
pub(crate) const GROUP: usize = 16;

/// Copies `rows` (<= GROUP) rows of `scratch` (row-major, `k` columns) into columns
/// `col..col + rows` of `panel` (`k * NR`). Columns past `rows` in the group are left as they are.
pub(crate) fn transpose_into(scratch: &[f32], k: usize, rows: usize, panel: &mut [f32], col: usize) {
    #[cfg(target_arch = "x86_64")]
    if rows == GROUP
        && k.is_multiple_of(GROUP)
        && col + GROUP <= NR
        && scratch.len() >= GROUP * k
        && panel.len() >= k * NR
        && crate::cpu::has_avx512()
    {
        // SAFETY: AVX-512F is present; the length checks above keep every load and store in
        // bounds (see `avx512::transpose`).
        unsafe { avx512::transpose(scratch.as_ptr(), k, panel.as_mut_ptr().add(col)) };
        return;
    }
    for (t, row) in scratch.chunks_exact(k).take(rows).enumerate() {
        for (p, v) in row.iter().enumerate() {
            panel[p * NR + col + t] = *v;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::GROUP;
    use crate::kernel::NR;

    /// 16 x 16 transpose: input rows `r[i]`, output `r[c]` = column c.
    #[inline(always)]
    unsafe fn transpose16(r: &mut [__m512; 16]) {
        let mut t = [_mm512_setzero_ps(); 16];
        for i in 0..8 {
            t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
            t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
        }
        // u[4g + c]: columns c, c+4, c+8, c+12 (one per 128-bit lane) of rows 4g..4g+4.
        let mut u = [_mm512_setzero_ps(); 16];
        for g in 0..4 {
            let a0 = _mm512_castps_pd(t[4 * g]);
            let a1 = _mm512_castps_pd(t[4 * g + 1]);
            let b0 = _mm512_castps_pd(t[4 * g + 2]);
            let b1 = _mm512_castps_pd(t[4 * g + 3]);
            u[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(a0, b0));
            u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a0, b0));
            u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(a1, b1));
            u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(a1, b1));
        }
        for c in 0..4 {
            let v0 = _mm512_shuffle_f32x4::<0x88>(u[c], u[4 + c]);
            let v1 = _mm512_shuffle_f32x4::<0xDD>(u[c], u[4 + c]);
            let w0 = _mm512_shuffle_f32x4::<0x88>(u[8 + c], u[12 + c]);
            let w1 = _mm512_shuffle_f32x4::<0xDD>(u[8 + c], u[12 + c]);
            r[c] = _mm512_shuffle_f32x4::<0x88>(v0, w0);
            r[c + 8] = _mm512_shuffle_f32x4::<0xDD>(v0, w0);
            r[c + 4] = _mm512_shuffle_f32x4::<0x88>(v1, w1);
            r[c + 12] = _mm512_shuffle_f32x4::<0xDD>(v1, w1);
        }
    }

    /// # Safety
    /// AVX-512F; `src` holds 16 rows of `k` values (k a multiple of 16); `dst` points at a
    /// panel column with at least `(k - 1) * NR + 16` writable values after it.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn transpose(src: *const f32, k: usize, dst: *mut f32) {
        let mut r = [_mm512_setzero_ps(); 16];
        for p0 in (0..k).step_by(GROUP) {
            for (i, v) in r.iter_mut().enumerate() {
                *v = _mm512_loadu_ps(src.add(i * k + p0));
            }
            transpose16(&mut r);
            for (c, v) in r.iter().enumerate() {
                _mm512_storeu_ps(dst.add((p0 + c) * NR), *v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_moves_every_value_to_its_panel_slot() {
        let k = 48;
        let scratch: Vec<f32> = (0..GROUP * k).map(|v| v as f32).collect();
        for (rows, col) in [(GROUP, 0), (GROUP, 16), (5, 16)] {
            let mut panel = vec![-1f32; k * NR];
            transpose_into(&scratch, k, rows, &mut panel, col);
            for p in 0..k {
                for j in 0..NR {
                    let want = if j >= col && j < col + rows {
                        ((j - col) * k + p) as f32
                    } else {
                        -1.0
                    };
                    assert_eq!(panel[p * NR + j], want, "rows={rows} col={col} p={p} j={j}");
                }
            }
        }
    }
}
