//! Weight storage: quantized weights stay quantized (QMatMul over a QTensor), 16-bit matrices stay
//! 16-bit (a [`QuantMatrix`] of F16/BF16 values, multiplied by whylm-quant), other float weights
//! are f32 tensors; the convert module picks the storage from the requested dtype. A
//! `WeightSource` hands out tensors by canonical role so that one model builder serves GGUF,
//! safetensors and VarBuilder checkpoints.

use std::collections::BTreeMap;
use std::sync::Arc;

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{DType, Module, Tensor, D};
use whylm_quant::{QuantLinear, QuantMatrix};

use crate::error::{ModelError, Result};
use crate::names::{Naming, Role};

/// One stored tensor.
#[derive(Debug, Clone)]
pub enum Weight {
    Quantized(Arc<QTensor>),
    Float(Tensor),
    /// A matrix of F16 or BF16 values, kept 16-bit (clones share the bytes).
    Half(QuantMatrix),
}

impl Weight {
    pub fn dims(&self) -> Vec<usize> {
        match self {
            Weight::Quantized(q) => q.shape().dims().to_vec(),
            Weight::Float(t) => t.dims().to_vec(),
            Weight::Half(m) => vec![m.rows(), m.cols()],
        }
    }

    /// Name of the storage type, as GGUF spells it.
    pub fn type_name(&self) -> String {
        match self {
            Weight::Quantized(q) => ggml_type_name(q.dtype()).to_string(),
            Weight::Float(t) => format!("{:?}", t.dtype()).to_uppercase(),
            Weight::Half(m) => m.dtype().name().to_string(),
        }
    }

    pub fn storage_bytes(&self) -> usize {
        match self {
            Weight::Quantized(q) => q.storage_size_in_bytes(),
            Weight::Float(t) => t.elem_count() * t.dtype().size_in_bytes(),
            Weight::Half(m) => m.bytes().len(),
        }
    }

    /// A float f32 tensor (dequantizing if needed), for norms, biases and export.
    pub fn to_f32(&self) -> Result<Tensor> {
        Ok(match self {
            Weight::Quantized(q) => q.dequantize(&q.device())?,
            Weight::Float(t) => t.to_dtype(DType::F32)?,
            Weight::Half(m) => half_to_f32(m)?,
        })
    }

    pub fn to_qmatmul(&self) -> Result<QMatMul> {
        Ok(match self {
            Weight::Quantized(q) => match q.dtype() {
                // Float GGUF tensors become plain tensors (QMatMul does the same).
                GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16 => {
                    QMatMul::Tensor(q.dequantize(&q.device())?)
                }
                _ => QMatMul::QTensor(q.clone()),
            },
            Weight::Float(t) => QMatMul::Tensor(t.to_dtype(DType::F32)?),
            Weight::Half(m) => QMatMul::Tensor(half_to_f32(m)?),
        })
    }
}

pub fn ggml_type_name(dtype: GgmlDType) -> &'static str {
    match dtype {
        GgmlDType::F32 => "F32",
        GgmlDType::F16 => "F16",
        GgmlDType::BF16 => "BF16",
        GgmlDType::Q4_0 => "Q4_0",
        GgmlDType::Q4_1 => "Q4_1",
        GgmlDType::Q5_0 => "Q5_0",
        GgmlDType::Q5_1 => "Q5_1",
        GgmlDType::Q8_0 => "Q8_0",
        GgmlDType::Q8_1 => "Q8_1",
        GgmlDType::Q2K => "Q2_K",
        GgmlDType::Q3K => "Q3_K",
        GgmlDType::Q4K => "Q4_K",
        GgmlDType::Q5K => "Q5_K",
        GgmlDType::Q6K => "Q6_K",
        GgmlDType::Q8K => "Q8_K",
    }
}

/// How a layer multiplies by its weight matrix.
#[derive(Debug, Clone)]
enum Matrix {
    /// candle's matmul: f32 (and other float) tensors.
    Candle(QMatMul),
    /// whylm-quant's kernel: a tile of the weight dequantized once per call into packed panels and multiplied
    /// by every row with a broadcast-FMA micro-kernel. It holds the block bytes only (no f32 copy) and gives each
    /// row the same bits whatever the batch or thread count.
    Tiles(QuantLinear),
}

/// Quantized types that go through whylm-quant instead of candle: all of them. Measured on SmolLM2's shapes
/// (2 threads, 44-1024 rows; docs/notes/kernels.md), the tile kernel beats candle 0.11's scalar loops (Q4_1,
/// Q5_0, Q5_1) by 20-45x and its SIMD dot products (Q4_0, Q8_0, the K-quants) as well, and unlike candle it
/// gives a row the same bits in any batch. F16 and BF16 only arrive here as [`Weight::Half`] (the loader
/// converts them), never as a QTensor, and also go through whylm-quant.
fn uses_tiles(dtype: GgmlDType) -> bool {
    !matches!(dtype, GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16)
}

thread_local! {
    /// Set while this thread generates (see [`generation_scope`]).
    static GENERATING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Rows up to which a generating thread multiplies quantized weights one dequantized row at a time.
const FEW_ROWS: usize = 4;

/// The same for 16-bit weights (a generation's prompt pass): widening a 16-bit value in registers costs one
/// instruction per 16, so dotting each weight row with every prompt row beats packing every weight as f32 for the
/// batched kernel (SmolLM2 F16, 16-token prompt: see BENCHMARKS.md); the integer product of the quantized types
/// costs more per row, so they keep the batched kernel beyond [`FEW_ROWS`].
const FEW_ROWS_16_BIT: usize = 64;

/// Whether a generating thread's product of `rows` rows with `m` takes the one-row product.
fn few_rows(m: &QuantLinear, rows: usize) -> bool {
    use whylm_quant::QuantType as T;
    let limit = match m.weight().dtype() {
        T::F16 | T::BF16 => FEW_ROWS_16_BIT,
        _ => FEW_ROWS,
    };
    rows <= limit && GENERATING.with(|g| g.get())
}

/// Runs `f` (generation's forward passes) with quantized layers free to use whylm-quant's one-row product
/// (`matvec`) for steps of at most [`FEW_ROWS`] rows: it reads each weight once instead of packing it, several
/// times faster for one new token, but its bits differ from the batched kernel's. Scoring never runs inside this
/// scope, so a scored row's bits never depend on what shares its batch; the model's forward runs on the calling
/// thread, which is what makes a thread-local flag enough.
pub(crate) fn generation_scope<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            GENERATING.with(|g| g.set(self.0));
        }
    }
    let _reset = Reset(GENERATING.with(|g| g.replace(true)));
    f()
}

/// A 16-bit matrix as an f32 tensor (rows, cols).
fn half_to_f32(m: &QuantMatrix) -> Result<Tensor> {
    Ok(Tensor::from_vec(
        m.dequantize(),
        (m.rows(), m.cols()),
        &candle_core::Device::Cpu,
    )?)
}

/// A matrix-vector layer y = x W^T (+ b) over rows x of shape (n, in). This is the one place
/// where the model multiplies by its (possibly quantized) weights.
#[derive(Debug, Clone)]
pub(crate) struct Linear {
    weight: Matrix,
    bias: Option<Tensor>,
}

impl Linear {
    pub fn new(weight: &Weight, bias: Option<Tensor>) -> Result<Self> {
        let weight = match weight {
            Weight::Quantized(q) if uses_tiles(q.dtype()) => Matrix::Tiles(
                QuantLinear::from_qtensor(q)
                    .map_err(|e| ModelError::Internal(format!("cannot prepare a quantized weight: {e}")))?,
            ),
            // whylm-quant uses every column whatever the width (tests/odd_widths.rs), so a 16-bit matrix stays
            // 16-bit even when its width is not a multiple of the SIMD widths.
            Weight::Half(m) => Matrix::Tiles(QuantLinear::new(m.clone())),
            _ => Matrix::Candle(weight.to_qmatmul()?),
        };
        Ok(Self { weight, bias })
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = match &self.weight {
            Matrix::Candle(m @ QMatMul::Tensor(w)) => {
                crate::row_stable::rows_product(x, w.dim(0)?, |x| Ok(m.forward(x)?))?
            }
            Matrix::Candle(m) => m.forward(x)?,
            Matrix::Tiles(m) if few_rows(m, x.elem_count() / x.dim(D::Minus1)?.max(1)) => {
                m.forward_few_rows(x)?
            }
            Matrix::Tiles(m) => m.forward(x)?,
        };
        Ok(match &self.bias {
            Some(b) => y.broadcast_add(b)?,
            None => y,
        })
    }

    /// y = x W^T (+ b) for one row `x` (generation's one new slot), without building tensors around a
    /// quantized or 16-bit weight: whylm-quant's one-row product reads each weight once.
    pub fn matvec(&self, x: &[f32]) -> Result<Vec<f32>> {
        let Matrix::Tiles(m) = &self.weight else {
            let row = Tensor::from_slice(x, (1, x.len()), &candle_core::Device::Cpu)?;
            return Ok(self.forward(&row)?.flatten_all()?.to_vec1::<f32>()?);
        };
        let mut y = vec![0f32; m.weight().rows()];
        whylm_quant::matvec(m.weight(), x, &mut y)
            .map_err(|e| ModelError::Internal(format!("one-row product: {e}")))?;
        self.add_bias(&mut y)?;
        Ok(y)
    }

    /// [`Linear::matvec`] of several layers over the same row, in one parallel section where every weight goes
    /// through whylm-quant (generation's q/k/v and gate/up projections).
    pub fn matvec_all(layers: &[&Linear], x: &[f32]) -> Result<Vec<Vec<f32>>> {
        let tiles: Option<Vec<&QuantMatrix>> = layers
            .iter()
            .map(|l| match &l.weight {
                Matrix::Tiles(m) => Some(m.weight()),
                Matrix::Candle(_) => None,
            })
            .collect();
        let Some(tiles) = tiles else {
            return layers.iter().map(|l| l.matvec(x)).collect();
        };
        let mut ys: Vec<Vec<f32>> = tiles.iter().map(|w| vec![0f32; w.rows()]).collect();
        let mut outs: Vec<&mut [f32]> = ys.iter_mut().map(|y| y.as_mut_slice()).collect();
        whylm_quant::matvec_many(&tiles, x, &mut outs)
            .map_err(|e| ModelError::Internal(format!("one-row product: {e}")))?;
        for (y, layer) in ys.iter_mut().zip(layers) {
            layer.add_bias(y)?;
        }
        Ok(ys)
    }

    fn add_bias(&self, y: &mut [f32]) -> Result<()> {
        if let Some(b) = &self.bias {
            for (y, b) in y.iter_mut().zip(b.to_vec1::<f32>()?) {
                *y += b;
            }
        }
        Ok(())
    }

    /// The weight (dequantized to f32) and bias under their Hugging Face names, for export.
    pub fn hf_tensors(&self, role: Role, layer: usize, out: &mut BTreeMap<String, Tensor>) -> Result<()> {
        let n = Naming::HuggingFace;
        let weight = match &self.weight {
            Matrix::Candle(m) => dequantize(m)?,
            Matrix::Tiles(m) => {
                let w = m.weight();
                Tensor::from_vec(w.dequantize(), (w.rows(), w.cols()), &candle_core::Device::Cpu)?
            }
        };
        out.insert(n.name(role, layer, false), weight);
        if let Some(b) = &self.bias {
            out.insert(n.name(role, layer, true), b.clone());
        }
        Ok(())
    }
}

/// A matrix as f32, dequantizing a quantized one.
pub(crate) fn dequantize(m: &QMatMul) -> Result<Tensor> {
    Ok(match m {
        QMatMul::QTensor(q) => q.dequantize(&q.device())?,
        QMatMul::Tensor(t) | QMatMul::TensorF16(t) => t.to_dtype(DType::F32)?,
    })
}

/// Where a model builder gets its tensors. Names are the checkpoint's own names.
pub(crate) trait WeightSource {
    /// Human-readable origin for error messages ("stories260K.gguf").
    fn describe(&self) -> String;
    fn contains(&self, name: &str) -> bool;
    /// The tensor `name`, or None if absent. `expected` is the shape the model needs (sources
    /// that create tensors, such as a VarMap, use it).
    fn get(&mut self, name: &str, expected: &[usize]) -> Result<Option<Weight>>;
}

/// Fetches a tensor, insisting on presence and shape.
pub(crate) fn require(
    src: &mut dyn WeightSource,
    name: &str,
    expected: &[usize],
    arch: &str,
) -> Result<Weight> {
    let w = src
        .get(name, expected)?
        .ok_or_else(|| ModelError::MissingTensor {
            name: name.to_string(),
            source_desc: src.describe(),
            arch: arch.to_string(),
        })?;
    check_shape(name, &w, expected)?;
    Ok(w)
}

pub(crate) fn check_shape(name: &str, w: &Weight, expected: &[usize]) -> Result<()> {
    let found = w.dims();
    if found != expected {
        return Err(ModelError::ShapeMismatch {
            name: name.to_string(),
            expected: expected.to_vec(),
            found,
        });
    }
    Ok(())
}
