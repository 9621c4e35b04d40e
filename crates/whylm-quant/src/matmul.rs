//! y = x · Wᵀ: W's rows are cut into tiles of whole panels; each tile is dequantized once into
//! a per-worker buffer of packed panels and multiplied by every activation row. Tiles run in
//! parallel on rayon's global pool (or whatever pool the caller installs); each output column
//! belongs to exactly one tile, so no two threads touch the same output and no reduction
//! crosses threads.

use rayon::prelude::*;

use crate::error::Result;
use crate::kernel::{self, Block, MR, NR};
use crate::matrix::QuantMatrix;

/// The output pointer shared by the tile tasks, which write disjoint columns.
#[derive(Clone, Copy)]
struct OutPtr(*mut f32);
// SAFETY: tasks write only the columns of their own tile (see `run_tile`), so the writes never
// overlap, and `matmul` borrows the buffer mutably for the whole parallel section.
unsafe impl Send for OutPtr {}
unsafe impl Sync for OutPtr {}

/// Weight rows per tile: whole panels, few enough that a tile's panels stay in L2 (256 KiB)
/// while the activation rows stream past, and enough tiles that every thread gets several.
fn tile_rows(n: usize, k: usize, threads: usize) -> usize {
    let by_cache = ((256 * 1024) / (4 * k.max(1))).max(NR);
    let by_threads = n.div_ceil(4 * threads.max(1)).max(NR);
    by_cache.min(by_threads).div_ceil(NR) * NR
}

/// A worker's buffers, reused across its tiles.
#[derive(Default)]
struct Scratch {
    panels: Vec<f32>,
    scratch: Vec<f32>,
}

/// `y` (M x N, row-major) = `x` (M x K, row-major) times the transpose of `w` (N x K).
/// M is `x.len() / K`. The result of each output does not depend on M or the thread count.
pub fn matmul(w: &QuantMatrix, x: &[f32], y: &mut [f32]) -> Result<()> {
    let (n, k) = (w.rows(), w.cols());
    let m = crate::matrix::checked_rows(w, x, y)?;
    if m == 0 || n == 0 {
        return Ok(());
    }
    let tile = tile_rows(n, k, rayon::current_num_threads());
    let out = OutPtr(y.as_mut_ptr());
    let shape = Shape { m, k, n };
    (0..n.div_ceil(tile))
        .into_par_iter()
        .for_each_init(Scratch::default, |s: &mut Scratch, t| {
            let first = t * tile;
            let count = tile.min(n - first);
            w.pack_panels(first, count, &mut s.panels, &mut s.scratch);
            run_tile(x, shape, &s.panels, first, count, out);
        });
    Ok(())
}

#[derive(Clone, Copy)]
struct Shape {
    m: usize,
    k: usize,
    n: usize,
}

/// Multiplies every activation row by one tile's panels (`count` weight rows from `first`).
/// Row blocks are the outer loop, so a block of x stays in L1 while the panels come from L2.
fn run_tile(x: &[f32], s: Shape, panels: &[f32], first: usize, count: usize, out: OutPtr) {
    let Shape { m, k, n } = s;
    let mut acc = [[0f32; NR]; MR];
    for i0 in (0..m).step_by(MR) {
        let rows = MR.min(m - i0);
        for (q, panel) in panels.chunks_exact(k * NR).enumerate() {
            let cols = NR.min(count - q * NR);
            let b = Block {
                x: &x[i0 * k..(i0 + rows) * k],
                panel,
                k,
                rows,
            };
            kernel::block(&b, &mut acc);
            for (i, row) in acc.iter().enumerate().take(rows) {
                let at = (i0 + i) * n + first + q * NR;
                // SAFETY: (i0 + i) < m and first + q * NR + cols <= first + count <= n, so the
                // range is inside the M x N output; these columns belong to this tile alone.
                unsafe { std::ptr::copy_nonoverlapping(row.as_ptr(), out.0.add(at), cols) };
            }
        }
    }
}
