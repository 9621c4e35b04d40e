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

/// `a · b` for batched matrices a (.., m, k) and b (.., k, n) whose every element has the same bits whatever m, n
/// and trailing zeros in k: b is made contiguous (never read along k, so no horizontal kernel), and m and n are
/// padded to 2 and k to 3 with zeros, past gemm's matrix-vector (m or n of 1) and k <= 2 special cases.
pub(crate) fn batched_matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let rank = a.rank();
    let (m, n) = (a.dim(rank - 2)?, b.dim(rank - 1)?);
    let grow = |t: &Tensor, axis: usize, to: usize| -> Result<Tensor> {
        let have = t.dim(axis)?;
        if have >= to {
            return Ok(t.clone());
        }
        let mut shape = t.dims().to_vec();
        shape[axis] = to - have;
        Ok(Tensor::cat(
            &[t, &Tensor::zeros(shape, t.dtype(), t.device())?],
            axis,
        )?)
    };
    let a = grow(&grow(a, rank - 2, 2)?, rank - 1, 3)?;
    let b = grow(&grow(&b.contiguous()?, rank - 2, 3)?, rank - 1, 2)?.contiguous()?;
    Ok(a.contiguous()?
        .matmul(&b)?
        .narrow(rank - 2, 0, m)?
        .narrow(rank - 1, 0, n)?)
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

    /// One query slot, one key, a key dimension of 1 or 2: the shapes of a one-slot pass (a prefix of BOS alone)
    /// give the elements that the same rows give inside larger products.
    #[test]
    fn tiny_batched_products_give_the_bits_of_large_ones() {
        let d = Device::Cpu;
        let a = Tensor::randn(0f32, 1.0, (2, 40, 37), &d).unwrap();
        let b = Tensor::randn(0f32, 1.0, (2, 37, 30), &d).unwrap();
        let all = batched_matmul(&a, &b).unwrap();
        for (m, k, n) in [(1, 37, 30), (3, 37, 1), (1, 37, 1), (40, 37, 2)] {
            let few = batched_matmul(&a.narrow(1, 0, m).unwrap(), &b.narrow(2, 0, n).unwrap()).unwrap();
            let want = all.narrow(1, 0, m).unwrap().narrow(2, 0, n).unwrap();
            assert_eq!(
                few.to_vec3::<f32>().unwrap(),
                want.to_vec3::<f32>().unwrap(),
                "m={m} k={k} n={n}"
            );
        }
        // k of 1 and 2 (one or two keys) against the same product with zero keys after them
        for k in [1, 2] {
            let (a, b) = (a.narrow(2, 0, k).unwrap(), b.narrow(1, 0, k).unwrap());
            let zeros = |t: &Tensor, axis| Tensor::cat(&[t, &t.zeros_like().unwrap()], axis).unwrap();
            let long = batched_matmul(&zeros(&zeros(&a, 2), 2), &zeros(&zeros(&b, 1), 1)).unwrap();
            assert_eq!(
                batched_matmul(&a, &b).unwrap().to_vec3::<f32>().unwrap(),
                long.to_vec3::<f32>().unwrap()
            );
        }
    }
}
