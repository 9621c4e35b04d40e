//! Softmax over the last axis whose bits do not depend on how far a row is padded.
//!
//! A batch pads its rows to one width, so a key row of attention scores has trailing masked keys (probability 0)
//! whose number depends on the batch. candle's fused softmax sums the exponentials with a SIMD reduction whose
//! grouping depends on the row's length, so the same row sums in another order beside longer rows and its score
//! changes in the last bits (issue 15: the same values for any batch size). Here element i always goes to
//! accumulator i % LANES and the accumulators are added in a fixed order: zeros appended change nothing.

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};

use crate::error::Result;

const LANES: usize = 8;

struct PaddingStableSoftmax;

impl CustomOp1 for PaddingStableSoftmax {
    fn name(&self) -> &'static str {
        "padding-stable-softmax"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(all) = storage else {
            candle_core::bail!("the padding-stable softmax takes f32 scores")
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("the padding-stable softmax takes contiguous scores")
        };
        let width = layout.dims().last().copied().unwrap_or(1).max(1);
        let mut out = all[start..end].to_vec();
        out.chunks_mut(width).for_each(softmax_row);
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

fn softmax_row(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut lanes = [0f32; LANES];
    for chunk in row.chunks_mut(LANES) {
        for (lane, x) in lanes.iter_mut().zip(chunk.iter_mut()) {
            // a masked key's exponential is exactly 0: skipping it changes no bit and saves the causal half of a
            // block's keys and every padded one
            *x = if *x == f32::NEG_INFINITY {
                0.0
            } else {
                (*x - max).exp()
            };
            *lane += *x;
        }
    }
    let sum: f32 = lanes.iter().sum();
    row.iter_mut().for_each(|x| *x /= sum);
}

/// Softmax of `scores` over its last axis (see the module comment).
pub(crate) fn softmax_last_dim(scores: &Tensor) -> Result<Tensor> {
    Ok(scores.contiguous()?.apply_op1_no_bwd(&PaddingStableSoftmax)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn masked_keys_at_the_end_change_no_bit_and_the_values_are_candles() {
        let d = Device::Cpu;
        let scores = Tensor::randn(0f32, 3.0, (3, 37), &d).unwrap();
        let ours = softmax_last_dim(&scores).unwrap();
        let candle = candle_nn::ops::softmax_last_dim(&scores).unwrap();
        let diff = (&ours - &candle).unwrap().abs().unwrap().max_all().unwrap();
        assert!(diff.to_scalar::<f32>().unwrap() < 1e-6);
        let padded = Tensor::cat(
            &[&scores, &Tensor::full(f32::NEG_INFINITY, (3, 29), &d).unwrap()],
            1,
        )
        .unwrap();
        let wide = softmax_last_dim(&padded).unwrap().narrow(1, 0, 37).unwrap();
        assert_eq!(wide.to_vec2::<f32>().unwrap(), ours.to_vec2::<f32>().unwrap());
    }
}
