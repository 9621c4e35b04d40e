//! An activation row quantized to 8 bits in blocks of 32 values (GGML's Q8_0 scheme with an f32 scale), for the
//! integer dot products of generation's one-row product (`intdot`). This is what llama.cpp does with the
//! activations of every quantized matmul on the CPU: a block's values become `d * q` with `d = max|x| / 127` and
//! `q = round(x / d)`, so each value moves by at most `d / 2`.

/// Values per activation block (one block of every 32-value weight type, one sub-block of the K-quants).
pub(crate) const BLOCK: usize = 32;

/// One activation row as 8-bit blocks.
pub(crate) struct Q8Row {
    /// The quantized values, 32 per block.
    pub q: Vec<i8>,
    /// Each block's scale.
    pub d: Vec<f32>,
    /// Each block's `d * Σq`: the sum of its quantized values (for the weight types with a minimum or offset).
    pub sum: Vec<f32>,
    /// The integer sums of each run of 16 quantized values (Q6_K has one scale per 16 weights).
    pub sum16: Vec<i32>,
}

impl Q8Row {
    /// Quantizes `x`, whose length is a multiple of [`BLOCK`] (every quantized weight's width is).
    pub fn new(x: &[f32]) -> Self {
        let blocks = x.len() / BLOCK;
        let mut row = Q8Row {
            q: Vec::with_capacity(blocks * BLOCK),
            d: Vec::with_capacity(blocks),
            sum: Vec::with_capacity(blocks),
            sum16: Vec::with_capacity(2 * blocks),
        };
        for block in x.chunks_exact(BLOCK) {
            let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
            let d = amax / 127.0;
            let inverse = if amax > 0.0 { 127.0 / amax } else { 0.0 };
            // f32::round rounds half away from zero, as llama.cpp's reference quantizer (roundf) does.
            row.q.extend(
                block
                    .iter()
                    .map(|v| (v * inverse).round().clamp(-127.0, 127.0) as i8),
            );
            let q = &row.q[row.q.len() - BLOCK..];
            let halves = [&q[..16], &q[16..]].map(|h| h.iter().map(|&v| v as i32).sum::<i32>());
            row.d.push(d);
            row.sum.push(d * (halves[0] + halves[1]) as f32);
            row.sum16.extend(halves);
        }
        row
    }

    /// The values the row stands for (`d * q`), to check a product against.
    #[cfg(test)]
    pub fn dequantize(&self) -> Vec<f32> {
        self.q
            .chunks_exact(BLOCK)
            .zip(&self.d)
            .flat_map(|(q, d)| q.iter().map(move |&v| d * v as f32))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_moves_by_at_most_half_its_blocks_step_and_the_sums_are_the_quantized_ones() {
        let x: Vec<f32> = (0..96)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) * if i < 32 { 1e-3 } else { 0.7 })
            .chain([0.0; 32])
            .collect();
        let row = Q8Row::new(&x);
        assert_eq!(row.d.len(), 4);
        assert_eq!(row.d[3], 0.0, "an all-zero block has scale 0");
        let back = row.dequantize();
        for (b, (xs, ys)) in x.chunks(BLOCK).zip(back.chunks(BLOCK)).enumerate() {
            let amax = xs.iter().fold(0f32, |m, v| m.max(v.abs()));
            assert!(xs
                .iter()
                .zip(ys)
                .all(|(x, y)| (x - y).abs() <= row.d[b] / 2.0 * 1.0001));
            assert!(
                ys.iter().any(|y| (y.abs() - amax).abs() <= amax * 1e-6),
                "the largest value is kept"
            );
            let sum: f32 = ys.iter().sum();
            assert!((row.sum[b] - sum).abs() <= 1e-5 * amax * 32.0);
            let s16: i32 = row.q[b * 32..b * 32 + 16].iter().map(|&v| v as i32).sum();
            assert_eq!(row.sum16[2 * b], s16);
        }
    }
}
