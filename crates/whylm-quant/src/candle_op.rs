//! The candle adapter: `QuantLinear` applies y = x · Wᵀ to a tensor of shape (..., K).

use candle_core::backend::BackendStorage;
use candle_core::quantized::QTensor;
use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};

use crate::matmul::matmul;
use crate::matrix::QuantMatrix;

/// A linear layer over a quantized weight (no bias). Clones share the weight bytes.
#[derive(Debug, Clone)]
pub struct QuantLinear {
    weight: QuantMatrix,
}

impl QuantLinear {
    pub fn new(weight: QuantMatrix) -> Self {
        Self { weight }
    }

    /// Builds the layer from a candle 2-D `QTensor` (N x K), copying its block bytes once.
    pub fn from_qtensor(q: &QTensor) -> crate::Result<Self> {
        Ok(Self::new(QuantMatrix::from_qtensor(q)?))
    }

    pub fn weight(&self) -> &QuantMatrix {
        &self.weight
    }

    /// y = x · Wᵀ for f32 `x` of shape (..., K) on the CPU; returns (..., N).
    pub fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.contiguous()?.apply_op1_no_bwd(self)
    }
}

impl QuantLinear {
    /// y = x · Wᵀ one dequantized weight row at a time ([`crate::matvec`]): faster for the one
    /// new row of generation, but not bit-identical to [`QuantLinear::forward`].
    pub fn forward_few_rows(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (n, k) = (self.weight.rows(), self.weight.cols());
        let dims = x.dims();
        if dims.last() != Some(&k) {
            candle_core::bail!(
                "quantized linear expects input (..., {k}) but got {dims:?}; check the layer's input width"
            );
        }
        let xs = x
            .flatten_all()?
            .to_dtype(candle_core::DType::F32)?
            .to_vec1::<f32>()?;
        let mut y = vec![0f32; xs.len() / k.max(1) * n];
        crate::matvec::matvec(&self.weight, &xs, &mut y)
            .map_err(|e| candle_core::Error::Msg(e.to_string()))?;
        let mut out_dims = dims.to_vec();
        if let Some(last) = out_dims.last_mut() {
            *last = n;
        }
        Tensor::from_vec(y, out_dims, x.device())
    }
}

impl CustomOp1 for QuantLinear {
    fn name(&self) -> &'static str {
        "whylm-quant-linear"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let (n, k) = (self.weight.rows(), self.weight.cols());
        let dims = layout.shape().dims();
        if dims.last() != Some(&k) {
            candle_core::bail!(
                "quantized linear expects input (..., {k}) but got {dims:?}; check the layer's input width"
            );
        }
        let Some(offsets) = layout.contiguous_offsets() else {
            candle_core::bail!("quantized linear needs a contiguous input; call .contiguous() first");
        };
        let CpuStorage::F32(data) = storage else {
            candle_core::bail!(
                "quantized linear takes f32 input, got {:?}; convert with .to_dtype(DType::F32)",
                storage.dtype()
            );
        };
        let x = &data[offsets.0..offsets.1];
        let mut out_dims = dims.to_vec();
        if let Some(last) = out_dims.last_mut() {
            *last = n;
        }
        let mut y = vec![0f32; x.len() / k.max(1) * n];
        matmul(&self.weight, x, &mut y).map_err(|e| candle_core::Error::Msg(e.to_string()))?;
        Ok((CpuStorage::F32(y), Shape::from(out_dims)))
    }
}
