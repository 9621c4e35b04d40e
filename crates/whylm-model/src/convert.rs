//! Puts a weight matrix into the storage a [`WeightDtype`] asks for. Every conversion works on one
//! tensor at a time, so a load never holds a second copy of the whole model.

use std::sync::Arc;

use candle_core::quantized::GgmlDType;
use candle_core::{DType, Tensor};
use half::{bf16, f16};
use whylm_quant::{QuantMatrix, QuantType};

use crate::dtype::WeightDtype;
use crate::error::{ModelError, Result};
use crate::weights::Weight;

/// `w` (a 2-D matrix) stored as `target` asks; `target` is never `Auto` (the load resolves it first).
pub(crate) fn convert_matrix(w: Weight, target: WeightDtype) -> Result<Weight> {
    match target {
        WeightDtype::Native => native(w),
        WeightDtype::F32 => Ok(match w {
            Weight::Float(t) if t.dtype() == DType::F32 => Weight::Float(t),
            other => Weight::Float(other.to_f32()?),
        }),
        WeightDtype::F16 => to_half(w, QuantType::F16),
        WeightDtype::BF16 => to_half(w, QuantType::BF16),
        WeightDtype::Auto => Err(ModelError::Internal(
            "the weight dtype 'auto' reached a conversion unresolved".into(),
        )),
    }
}

/// The file's own type: 16-bit floats become [`Weight::Half`], f32 and quantized stay as they are.
fn native(w: Weight) -> Result<Weight> {
    Ok(match w {
        Weight::Quantized(q) => match q.dtype() {
            GgmlDType::F16 | GgmlDType::BF16 => Weight::Half(
                QuantMatrix::from_qtensor(&q)
                    .map_err(|e| ModelError::Internal(format!("16-bit weight: {e}")))?,
            ),
            GgmlDType::F32 => Weight::Float(q.dequantize(&q.device())?),
            _ => Weight::Quantized(q),
        },
        Weight::Float(t) => match t.dtype() {
            DType::F16 => Weight::Half(half_matrix(&t, QuantType::F16)?),
            DType::BF16 => Weight::Half(half_matrix(&t, QuantType::BF16)?),
            DType::F32 => Weight::Float(t),
            _ => Weight::Float(t.to_dtype(DType::F32)?),
        },
        half @ Weight::Half(_) => half,
    })
}

fn to_half(w: Weight, dtype: QuantType) -> Result<Weight> {
    if let Weight::Half(m) = &w {
        if m.dtype() == dtype {
            return Ok(w);
        }
    }
    let t = match (&w, dtype) {
        (Weight::Float(t), QuantType::F16) if t.dtype() == DType::F16 => t.clone(),
        (Weight::Float(t), QuantType::BF16) if t.dtype() == DType::BF16 => t.clone(),
        _ => w.to_f32()?,
    };
    Ok(Weight::Half(half_matrix(&t, dtype)?))
}

/// A 2-D tensor as a 16-bit [`QuantMatrix`] of `dtype` (F16 or BF16), converting the values if needed.
pub(crate) fn half_matrix(t: &Tensor, dtype: QuantType) -> Result<QuantMatrix> {
    let (rows, cols) = t.dims2()?;
    let flat = t.flatten_all()?;
    let bytes: Vec<u8> = match dtype {
        QuantType::F16 => flat
            .to_dtype(DType::F16)?
            .to_vec1::<f16>()?
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        QuantType::BF16 => flat
            .to_dtype(DType::BF16)?
            .to_vec1::<bf16>()?
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        other => {
            return Err(ModelError::Internal(format!(
                "a 16-bit matrix was asked for in {other}"
            )))
        }
    };
    QuantMatrix::new(dtype, rows, cols, Arc::from(bytes))
        .map_err(|e| ModelError::Internal(format!("16-bit weight: {e}")))
}

/// Row `row` of a 16-bit matrix decoded into `out` (`cols` values).
pub(crate) fn decode_half_row(m: &QuantMatrix, row: usize, out: &mut [f32]) {
    let cols = m.cols();
    let bytes = &m.bytes()[row * cols * 2..(row + 1) * cols * 2];
    let pairs = bytes.chunks_exact(2).map(|b| [b[0], b[1]]);
    match m.dtype() {
        QuantType::BF16 => {
            for (o, b) in out.iter_mut().zip(pairs) {
                *o = bf16::from_le_bytes(b).to_f32();
            }
        }
        _ => {
            for (o, b) in out.iter_mut().zip(pairs) {
                *o = f16::from_le_bytes(b).to_f32();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn sample() -> Tensor {
        Tensor::arange(0f32, 12.0, &Device::Cpu)
            .unwrap()
            .affine(0.37, -1.5)
            .unwrap()
            .reshape((3, 4))
            .unwrap()
    }

    #[test]
    fn a_half_matrix_keeps_two_bytes_per_value_and_decodes_to_the_rounded_values() {
        let t = sample();
        let cases = [
            (QuantType::F16, DType::F16, WeightDtype::F16),
            (QuantType::BF16, DType::BF16, WeightDtype::BF16),
        ];
        for (dtype, candle, target) in cases {
            let w = convert_matrix(Weight::Float(t.clone()), target).unwrap();
            assert_eq!(w.storage_bytes(), 12 * 2);
            assert_eq!(w.type_name(), dtype.name());
            let want = t.to_dtype(candle).unwrap().to_dtype(DType::F32).unwrap();
            let Weight::Half(m) = &w else {
                panic!("not kept 16-bit")
            };
            let mut row = [0f32; 4];
            decode_half_row(m, 2, &mut row);
            assert_eq!(row.to_vec(), want.get(2).unwrap().to_vec1::<f32>().unwrap());
            assert_eq!(
                w.to_f32().unwrap().to_vec2::<f32>().unwrap(),
                want.to_vec2::<f32>().unwrap()
            );
        }
    }

    #[test]
    fn native_keeps_a_16_bit_tensor_16_bit_and_f32_converts_it() {
        let t = sample().to_dtype(DType::BF16).unwrap();
        let native = convert_matrix(Weight::Float(t.clone()), WeightDtype::Native).unwrap();
        assert_eq!((native.type_name(), native.storage_bytes()), ("BF16".into(), 24));
        let wide = convert_matrix(Weight::Float(t), WeightDtype::F32).unwrap();
        assert_eq!((wide.type_name(), wide.storage_bytes()), ("F32".into(), 48));
    }
}
