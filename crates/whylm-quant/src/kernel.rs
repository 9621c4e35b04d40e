//! The f32 micro-kernel: up to MR activation rows times one packed panel of NR weight rows.
//!
//! A panel holds NR weight rows transposed (`panel[p * NR + j] = W[j][p]`), so one vector load
//! gives the p-th input of NR outputs; each activation value x[i][p] is broadcast and
//! fused-multiply-added into row i's accumulators (an outer product per p, no horizontal sums).
//! Every loaded weight vector serves MR rows and every broadcast serves NR outputs, which is
//! what lets a batch of many short rows run near the machine's FMA peak.
//!
//! Determinism: output (i, j) is one scalar chain `acc = fma(x[i][p], W[j][p], acc)` for
//! p = 0..K in order, from 0. Lanes never mix and FMA is correctly rounded, so the AVX-512, AVX2
//! and scalar (`f32::mul_add`) paths give the same bits, and so does every block shape, batch
//! size, tile size and thread count: they only decide which outputs a call computes.

/// Activation rows per block (AVX-512: 8 rows x 2 vectors = 16 of the 32 registers).
pub(crate) const MR: usize = 8;
/// Weight rows per panel: two AVX-512 vectors, four AVX2 vectors.
pub(crate) const NR: usize = 32;

/// Inputs of one block: `x` starts at the block's first activation row (row stride `k`, `rows`
/// rows, rows <= MR); `panel` is one packed panel (`k * NR` values).
pub(crate) struct Block<'a> {
    pub x: &'a [f32],
    pub panel: &'a [f32],
    pub k: usize,
    pub rows: usize,
}

/// Computes `rows x NR` outputs into `out[i][j]` (columns past the panel's real rows are
/// whatever its padding gives; callers do not read them).
pub(crate) fn block(b: &Block<'_>, out: &mut [[f32; NR]; MR]) {
    let rows = b.rows.min(MR);
    if b.x.len() < rows * b.k || b.panel.len() < b.k * NR {
        // Callers always pass whole blocks; a short slice would be a bug, so compute nothing
        // rather than read out of bounds.
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx512() {
        // SAFETY: the CPU supports AVX-512F (checked above); the slice lengths were checked.
        unsafe { avx512::block(b, rows, out) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked above); the slice lengths were checked.
        unsafe { avx2::block(b, rows, out) };
        return;
    }
    scalar_block(b, rows, out);
}

/// The reference: one `mul_add` chain per output, in order of p.
pub(crate) fn scalar_block(b: &Block<'_>, rows: usize, out: &mut [[f32; NR]; MR]) {
    for (i, row) in out.iter_mut().enumerate().take(rows) {
        let x = &b.x[i * b.k..(i + 1) * b.k];
        *row = [0.0; NR];
        for (p, xv) in x.iter().enumerate() {
            let w = &b.panel[p * NR..(p + 1) * NR];
            for (o, wv) in row.iter_mut().zip(w) {
                *o = xv.mul_add(*wv, *o);
            }
        }
    }
}

/// Dispatches a row count to the const-generic kernel `$f::<R>` (R = 1..=MR).
macro_rules! by_rows {
    ($f:ident, $rows:expr, $($arg:expr),*) => {
        match $rows {
            8 => $f::<8>($($arg),*),
            7 => $f::<7>($($arg),*),
            6 => $f::<6>($($arg),*),
            5 => $f::<5>($($arg),*),
            4 => $f::<4>($($arg),*),
            3 => $f::<3>($($arg),*),
            2 => $f::<2>($($arg),*),
            1 => $f::<1>($($arg),*),
            _ => {}
        }
    };
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512 {
    use std::arch::x86_64::*;

    use super::{Block, MR, NR};

    #[inline(always)]
    unsafe fn fixed<const R: usize>(x: *const f32, w: *const f32, k: usize, out: &mut [[f32; NR]; MR]) {
        let mut acc = [[_mm512_setzero_ps(); 2]; R];
        for p in 0..k {
            let w0 = _mm512_loadu_ps(w.add(p * NR));
            let w1 = _mm512_loadu_ps(w.add(p * NR + 16));
            for (i, a) in acc.iter_mut().enumerate() {
                let xv = _mm512_set1_ps(*x.add(i * k + p));
                a[0] = _mm512_fmadd_ps(xv, w0, a[0]);
                a[1] = _mm512_fmadd_ps(xv, w1, a[1]);
            }
        }
        for (o, a) in out.iter_mut().zip(&acc) {
            _mm512_storeu_ps(o.as_mut_ptr(), a[0]);
            _mm512_storeu_ps(o.as_mut_ptr().add(16), a[1]);
        }
    }

    /// # Safety
    /// The CPU must support AVX-512F; `b.x` must hold `rows * k` values and `b.panel` `k * NR`.
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(crate) unsafe fn block(b: &Block<'_>, rows: usize, out: &mut [[f32; NR]; MR]) {
        let (x, w) = (b.x.as_ptr(), b.panel.as_ptr());
        by_rows!(fixed, rows, x, w, b.k, out)
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use std::arch::x86_64::*;

    use super::{Block, MR, NR};

    /// R rows x 16 columns (the half `half` of the panel): 2R accumulators + 2 weights + 1
    /// broadcast stay within the 16 AVX2 registers for R <= 4.
    #[inline(always)]
    unsafe fn fixed<const R: usize>(
        x: *const f32,
        w: *const f32,
        k: usize,
        half: usize,
        out: &mut [[f32; NR]; MR],
    ) {
        let mut acc = [[_mm256_setzero_ps(); 2]; R];
        for p in 0..k {
            let w0 = _mm256_loadu_ps(w.add(p * NR + 16 * half));
            let w1 = _mm256_loadu_ps(w.add(p * NR + 16 * half + 8));
            for (i, a) in acc.iter_mut().enumerate() {
                let xv = _mm256_set1_ps(*x.add(i * k + p));
                a[0] = _mm256_fmadd_ps(xv, w0, a[0]);
                a[1] = _mm256_fmadd_ps(xv, w1, a[1]);
            }
        }
        for (o, a) in out.iter_mut().zip(&acc) {
            _mm256_storeu_ps(o.as_mut_ptr().add(16 * half), a[0]);
            _mm256_storeu_ps(o.as_mut_ptr().add(16 * half + 8), a[1]);
        }
    }

    #[inline(always)]
    unsafe fn quarter(
        x: *const f32,
        w: *const f32,
        k: usize,
        rows: usize,
        half: usize,
        out: &mut [[f32; NR]; MR],
    ) {
        match rows {
            4 => fixed::<4>(x, w, k, half, out),
            3 => fixed::<3>(x, w, k, half, out),
            2 => fixed::<2>(x, w, k, half, out),
            1 => fixed::<1>(x, w, k, half, out),
            _ => {}
        }
    }

    /// # Safety
    /// The CPU must support AVX2 and FMA; `b.x` must hold `rows * k` values and `b.panel`
    /// `k * NR`.
    #[target_feature(enable = "avx2,fma")]
    pub(crate) unsafe fn block(b: &Block<'_>, rows: usize, out: &mut [[f32; NR]; MR]) {
        let w = b.panel.as_ptr();
        for i0 in (0..rows).step_by(4) {
            let r = (rows - i0).min(4);
            let x = b.x.as_ptr().add(i0 * b.k);
            let mut sub = [[0f32; NR]; MR];
            for half in 0..2 {
                quarter(x, w, b.k, r, half, &mut sub);
            }
            out[i0..i0 + r].copy_from_slice(&sub[..r]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(len: usize, seed: u32) -> Vec<f32> {
        // A small LCG: values in [-1, 1) with every mantissa bit in play.
        let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..len)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1u32 << 23) as f32 - 1.0
            })
            .collect()
    }

    /// Every SIMD path the CPU has gives the scalar reference's bits for every row count.
    #[test]
    fn simd_paths_equal_the_scalar_mul_add_chain() {
        let k = 72;
        let x = data(MR * k, 1);
        let panel = data(k * NR, 2);
        for rows in 1..=MR {
            let b = Block {
                x: &x,
                panel: &panel,
                k,
                rows,
            };
            let mut want = [[0f32; NR]; MR];
            scalar_block(&b, rows, &mut want);
            let mut got = [[f32::NAN; NR]; MR];
            block(&b, &mut got);
            assert_eq!(got[..rows], want[..rows], "dispatch, rows={rows}");
            #[cfg(target_arch = "x86_64")]
            if crate::cpu::has_avx2_fma() {
                let mut got = [[f32::NAN; NR]; MR];
                // SAFETY: the features were checked; the slices hold whole blocks.
                unsafe { avx2::block(&b, rows, &mut got) };
                assert_eq!(got[..rows], want[..rows], "AVX2, rows={rows}");
            }
        }
    }
}
