//! y = x · Wᵀ: W's rows are cut into tiles, each tile is dequantized once into a per-worker
//! f32 buffer and multiplied by every activation row. Tiles run in parallel on rayon's global
//! pool (or whatever pool the caller installs); each output column belongs to exactly one tile,
//! so no two threads touch the same output and no reduction crosses threads.

use rayon::prelude::*;

use crate::error::{QuantError, Result};
use crate::kernel::{self, Block, MR, NR};
use crate::matrix::QuantMatrix;

/// The output pointer shared by the tile tasks, which write disjoint columns.
#[derive(Clone, Copy)]
struct OutPtr(*mut f32);
// SAFETY: tasks write only the columns of their own tile (see `run_tile`), so the writes never
// overlap, and `matmul` borrows the buffer mutably for the whole parallel section.
unsafe impl Send for OutPtr {}
unsafe impl Sync for OutPtr {}

/// Weight rows per tile: a multiple of NR, large enough that the activations are re-read from
/// memory rarely, small enough that a tile stays in L2 and every thread gets several tiles.
fn tile_rows(n: usize, k: usize, threads: usize) -> usize {
    let by_cache = ((256 * 1024) / (4 * k.max(1))).clamp(NR, 96);
    let by_threads = n.div_ceil(4 * threads.max(1)).max(NR);
    let t = by_cache.min(by_threads);
    t.div_ceil(NR) * NR
}

/// `y` (M x N, row-major) = `x` (M x K, row-major) times the transpose of `w` (N x K).
/// M is `x.len() / K`. The result of each output does not depend on M or the thread count.
pub fn matmul(w: &QuantMatrix, x: &[f32], y: &mut [f32]) -> Result<()> {
    let (n, k) = (w.rows(), w.cols());
    if k == 0 || !x.len().is_multiple_of(k) {
        return Err(QuantError::InputShape {
            found: x.len(),
            cols: k,
        });
    }
    let m = x.len() / k;
    if y.len() != m * n {
        return Err(QuantError::OutputShape {
            found: y.len(),
            expected: m * n,
        });
    }
    if m == 0 || n == 0 {
        return Ok(());
    }
    let tile = tile_rows(n, k, rayon::current_num_threads());
    let out = OutPtr(y.as_mut_ptr());
    let tiles = n.div_ceil(tile);
    (0..tiles)
        .into_par_iter()
        .for_each_init(Vec::new, |buf: &mut Vec<f32>, t| {
            let first = t * tile;
            let count = tile.min(n - first);
            buf.resize(count * k, 0.0);
            w.dequantize_rows(first, &mut buf[..count * k]);
            run_tile(x, m, k, &buf[..count * k], first, count, n, out);
        });
    Ok(())
}

/// Multiplies every activation row by one dequantized tile (`count` rows from `first`).
#[allow(clippy::too_many_arguments)]
fn run_tile(x: &[f32], m: usize, k: usize, tile: &[f32], first: usize, count: usize, n: usize, out: OutPtr) {
    let mut acc = [[0f32; NR]; MR];
    for i0 in (0..m).step_by(MR) {
        let rows = MR.min(m - i0);
        for j0 in (0..count).step_by(NR) {
            let cols = NR.min(count - j0);
            let b = Block {
                x: &x[i0 * k..(i0 + rows) * k],
                w: &tile[j0 * k..(j0 + cols) * k],
                k,
                rows,
                cols,
            };
            kernel::block(&b, &mut acc);
            for (i, row) in acc.iter().enumerate().take(rows) {
                for (j, v) in row.iter().enumerate().take(cols) {
                    // SAFETY: (i0 + i) < m and (first + j0 + j) < n, so the index is inside the
                    // M x N output; the column belongs to this tile alone.
                    unsafe { *out.0.add((i0 + i) * n + first + j0 + j) = *v };
                }
            }
        }
    }
}
