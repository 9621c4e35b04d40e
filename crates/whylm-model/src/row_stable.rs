//! Each row's product gets the same bits whatever else is in the batch.
//!
//! candle multiplies f32 matrices with the gemm crate, which picks its kernel by shape: one row (a matrix-vector
//! product) or a small output (m·n ≤ 256, with the weight read along k) go to kernels that reduce each dot product
//! horizontally, while larger products accumulate along k in order. A coalition's score would then change in its
//! last bits with how many rows shared its batch (issue 15: the same seed must give the same values for any batch
//! size). Padding the rows with zero rows up to the size where gemm takes its main kernel removes that dependence;
//! it costs at most a few rows of work, and only on products that were tiny already.

use candle_core::Tensor;

use crate::error::Result;

/// Fewest rows for which gemm 0.19 multiplies `rows x k` by a transposed `k x n` weight with its main kernel.
pub(crate) fn min_rows(n: usize) -> usize {
    // m > 1 (no matrix-vector path) and m·n > 16·16 (no horizontal small kernel)
    (16 * 16 / n.max(1) + 1).max(2)
}

/// `product(x)` for rows `x` (m, k) and an output of `n` columns, computed on `x` padded with zero rows to at
/// least [`min_rows`] and cut back to m rows.
pub(crate) fn rows_product(
    x: &Tensor,
    n: usize,
    product: impl Fn(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    let (m, k) = x.dims2()?;
    let want = min_rows(n);
    if m >= want {
        return product(x);
    }
    let padded = Tensor::cat(&[x, &Tensor::zeros((want - m, k), x.dtype(), x.device())?], 0)?;
    Ok(product(&padded)?.narrow(0, 0, m)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// Row r of x·Wᵀ computed with m rows equals row r computed with 80 rows, bit for bit, for the shapes where
    /// gemm's kernel choice differs.
    #[test]
    fn a_rows_product_does_not_depend_on_the_rows_beside_it() {
        let d = Device::Cpu;
        for (k, n) in [(64, 64), (8, 17), (64, 512), (576, 1536)] {
            let w = Tensor::randn(0f32, 1.0, (n, k), &d).unwrap();
            let x = Tensor::randn(0f32, 1.0, (80, k), &d).unwrap();
            let product = |x: &Tensor| Ok(x.matmul(&w.t()?)?);
            let all = rows_product(&x, n, product).unwrap().to_vec2::<f32>().unwrap();
            for m in [1, 2, 3, 4, 7] {
                let few = x.narrow(0, 0, m).unwrap();
                let stable = rows_product(&few, n, product).unwrap().to_vec2::<f32>().unwrap();
                assert_eq!(stable[..], all[..m], "k={k} n={n} m={m}");
            }
        }
    }
}
