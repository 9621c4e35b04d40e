//! y = x · Wᵀ for a handful of rows (generation's one new token): each weight row is dotted
//! with every activation row straight from its blocks, so the weight is read once and never
//! packed. `matmul`'s panels pay a transpose per weight value, which only many rows amortize.
//!
//! Three products, the first that the CPU and the weight type allow:
//! - `intdot` (AVX-512 VNNI, every quantized type): the activations are quantized
//!   to 8 bits per block of 32 (`activation`) and meet the weights in integer arithmetic, as in
//!   llama.cpp; each value moves by at most half its block's step (max |x| / 254);
//! - `rowdot` (AVX-512, and the 16-bit and f32 types): f32 activations, weights widened in
//!   registers;
//! - otherwise a weight row dequantized into a small per-worker buffer, then an f32 dot.
//!
//! The bits differ from `matmul`'s, so whylm uses this only where the caller asks for it
//! (generation), never by looking at the batch: a scored row gets `matmul`'s bits whatever
//! shares its batch. Within this function a row's bits depend on nothing but the row, W and
//! the CPU's features (fixed lane order, no reduction across threads).

use rayon::prelude::*;

use crate::activation::Q8Row;
use crate::error::Result;
use crate::matrix::QuantMatrix;

#[derive(Clone, Copy)]
struct OutPtr(*mut f32);
// SAFETY: each task writes only the outputs of its own weight rows (disjoint columns).
unsafe impl Send for OutPtr {}
unsafe impl Sync for OutPtr {}

impl OutPtr {
    /// # Safety
    /// `at` must be inside the output buffer.
    unsafe fn write(self, at: usize, v: f32) {
        *self.0.add(at) = v;
    }
}

/// Weight rows per task.
const CHUNK: usize = 64;

/// `y` (M x N) = `x` (M x K) times Wᵀ, one weight row at a time: dotted straight from its blocks where the CPU
/// and type allow (the `rowdot` module), else dequantized into a small buffer first.
pub fn matvec(w: &QuantMatrix, x: &[f32], y: &mut [f32]) -> Result<()> {
    matvec_many(&[w], x, &mut [y])
}

/// [`matvec`] for several matrices over the same rows `x` (`ys[i]` = x times `ws[i]`ᵀ) in one parallel section:
/// generation's projections of one slot (q, k and v; gate and up) then wait for the threads once, not once per
/// matrix. Each output gets the bits that [`matvec`] gives it.
pub fn matvec_many(ws: &[&QuantMatrix], x: &[f32], ys: &mut [&mut [f32]]) -> Result<()> {
    if ws.len() != ys.len() {
        return Err(crate::QuantError::OutputCount {
            found: ys.len(),
            expected: ws.len(),
        });
    }
    for (w, y) in ws.iter().zip(ys.iter()) {
        crate::matrix::checked_rows(w, x, y)?;
    }
    let outs: Vec<OutPtr> = ys.iter_mut().map(|y| OutPtr(y.as_mut_ptr())).collect();
    let k = ws.first().map_or(1, |w| w.cols());
    let rows = Rows {
        x,
        sums: if ws.iter().all(|w| crate::intdot::applies(w.dtype())) {
            Vec::new()
        } else {
            x.chunks_exact(k).map(crate::rowdot::block_sums).collect()
        },
        q8: if ws.iter().any(|w| crate::intdot::applies(w.dtype())) {
            x.chunks_exact(k).map(Q8Row::new).collect()
        } else {
            Vec::new()
        },
    };
    let tasks: Vec<(usize, usize)> = ws
        .iter()
        .enumerate()
        .flat_map(|(i, w)| (0..w.rows().div_ceil(CHUNK)).map(move |c| (i, c)))
        .collect();
    tasks
        .into_par_iter()
        .for_each_init(Vec::new, |buf: &mut Vec<f32>, (i, c)| {
            let range = c * CHUNK..ws[i].rows().min((c + 1) * CHUNK);
            chunk(ws[i], &rows, range, outs[i], buf);
        });
    Ok(())
}

/// The activation rows in the forms the products read.
struct Rows<'a> {
    x: &'a [f32],
    /// Each row's [`crate::rowdot::block_sums`], where some matrix takes the f32 product.
    sums: Vec<Vec<f32>>,
    /// Each row quantized to 8 bits, where some matrix takes the integer product.
    q8: Vec<Q8Row>,
}

/// Outputs `range` (weight rows) of one matrix for every activation row; `buf` holds a dequantized weight row
/// where neither fused product applies.
fn chunk(w: &QuantMatrix, x: &Rows<'_>, range: std::ops::Range<usize>, out: OutPtr, buf: &mut Vec<f32>) {
    let (n, k) = (w.rows(), w.cols());
    #[cfg(target_arch = "x86_64")]
    if crate::intdot::applies(w.dtype()) {
        for j in range {
            let row = w.row_bytes_of(j);
            for (i, xi) in x.q8.iter().enumerate() {
                // SAFETY: VNNI was checked and the type is supported; the row holds k values in whole blocks, as
                // many as xi. i < m and j < n: inside the M x N output; column j is this task's.
                unsafe { out.write(i * n + j, crate::intdot::dot(w.dtype(), row, xi)) };
            }
        }
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx512() && crate::rowdot::supported(w.dtype()) {
        for j in range {
            let row = w.row_bytes_of(j);
            for (i, (xi, si)) in x.x.chunks_exact(k).zip(&x.sums).enumerate() {
                // SAFETY: AVX-512F and F16C were checked and the type is supported; the row holds k values in
                // whole blocks. i < m and j < n: inside the M x N output; column j is this task's.
                unsafe { out.write(i * n + j, crate::rowdot::dot(w.dtype(), row, xi, si)) };
            }
        }
        return;
    }
    buf.resize(k, 0.0);
    for j in range {
        w.dequantize_rows(j, buf);
        for (i, xi) in x.x.chunks_exact(k).enumerate() {
            // SAFETY: i < m and j < n: inside the M x N output; column j is this task's.
            unsafe { out.write(i * n + j, dot(xi, buf)) };
        }
    }
}

/// Dot product with four 16-value accumulators, reduced in a fixed order.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx512() && a.len() == b.len() && a.len().is_multiple_of(64) {
        // SAFETY: AVX-512F is present; both slices hold a.len() values, a multiple of 64.
        return unsafe { avx512_dot(a, b) };
    }
    let mut acc = [0f32; 64];
    let (ca, cb) = (a.chunks_exact(64), b.chunks_exact(64));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (xa, xb) in ca.zip(cb) {
        for l in 0..64 {
            acc[l] = xa[l].mul_add(xb[l], acc[l]);
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn avx512_dot(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [_mm512_setzero_ps(); 4];
    for p in (0..a.len()).step_by(64) {
        for (l, v) in acc.iter_mut().enumerate() {
            let o = p + 16 * l;
            *v = _mm512_fmadd_ps(_mm512_loadu_ps(pa.add(o)), _mm512_loadu_ps(pb.add(o)), *v);
        }
    }
    let s = _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
    _mm512_reduce_add_ps(s)
}
