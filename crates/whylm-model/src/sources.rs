//! Weight sources: GGUF content and candle VarBuilders (safetensors: safetensors_source.rs).

use std::io::{Read, Seek};
use std::path::PathBuf;
use std::sync::Arc;

use candle_core::quantized::gguf_file::Content;
use candle_core::quantized::GgmlDType;
use candle_core::Device;
use whylm_quant::{QuantMatrix, QuantType};

use crate::dtype_plan::StoredTensor;
use crate::error::{ModelError, Result};
use crate::weights::{Weight, WeightSource};

pub(crate) struct GgufSource<R: Read + Seek> {
    pub content: Content,
    pub reader: R,
    pub path: PathBuf,
    pub device: Device,
}

impl<R: Read + Seek> WeightSource for GgufSource<R> {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn contains(&self, name: &str) -> bool {
        self.content.tensor_infos.contains_key(name)
    }

    fn get(&mut self, name: &str, _expected: &[usize]) -> Result<Option<Weight>> {
        if !self.contains(name) {
            return Ok(None);
        }
        if let Some(half) = self.half_matrix(name)? {
            return Ok(Some(Weight::Half(half)));
        }
        let q = self
            .content
            .tensor(&mut self.reader, name, &self.device)
            .map_err(|e| ModelError::Gguf {
                path: self.path.clone(),
                message: format!("tensor '{name}': {}", one_line(&e.to_string())),
            })?;
        Ok(Some(Weight::Quantized(Arc::new(q))))
    }
}

impl<R: Read + Seek> GgufSource<R> {
    /// Every tensor's size, for choosing the dtype before loading (the RoPE frequency table is
    /// not a weight).
    pub fn stored(&self) -> Vec<StoredTensor> {
        self.content
            .tensor_infos
            .iter()
            .filter(|(name, _)| name.as_str() != "rope_freqs.weight")
            .map(|(_, info)| {
                let elements = info.shape.elem_count();
                let dtype = info.ggml_dtype;
                StoredTensor {
                    elements,
                    matrix: info.shape.rank() >= 2,
                    file_bytes: elements / dtype.block_size() * dtype.type_size(),
                }
            })
            .collect()
    }

    /// An F16 or BF16 matrix read straight into the buffer it is kept in (candle would convert it
    /// through two more copies).
    fn half_matrix(&mut self, name: &str) -> Result<Option<QuantMatrix>> {
        let Some(info) = self.content.tensor_infos.get(name) else {
            return Ok(None);
        };
        let dtype = match info.ggml_dtype {
            GgmlDType::F16 => QuantType::F16,
            GgmlDType::BF16 => QuantType::BF16,
            _ => return Ok(None),
        };
        let Ok((rows, cols)) = info.shape.dims2() else {
            return Ok(None);
        };
        let start = self.content.tensor_data_offset.saturating_add(info.offset);
        let mut bytes: Arc<[u8]> = std::iter::repeat_n(0u8, rows * cols * 2).collect();
        let Some(buffer) = Arc::get_mut(&mut bytes) else {
            return Err(ModelError::Internal("a fresh tensor buffer is shared".into()));
        };
        self.reader
            .seek(std::io::SeekFrom::Start(start))
            .and_then(|_| self.reader.read_exact(buffer))
            .map_err(|e| ModelError::Gguf {
                path: self.path.clone(),
                message: format!("tensor '{name}': {e}"),
            })?;
        let m = QuantMatrix::new(dtype, rows, cols, bytes).map_err(|e| ModelError::Gguf {
            path: self.path.clone(),
            message: format!("tensor '{name}': {e}"),
        })?;
        Ok(Some(m))
    }
}

pub(crate) struct VarBuilderSource<'a> {
    pub vb: candle_nn::VarBuilder<'a>,
}

impl WeightSource for VarBuilderSource<'_> {
    fn describe(&self) -> String {
        "the VarBuilder".into()
    }

    fn contains(&self, name: &str) -> bool {
        self.vb.contains_tensor(name)
    }

    fn get(&mut self, name: &str, expected: &[usize]) -> Result<Option<Weight>> {
        let init = if name.ends_with("norm.weight") || name.ends_with("layernorm.weight") {
            candle_nn::Init::Const(1.0)
        } else if name.ends_with(".bias") {
            candle_nn::Init::Const(0.0)
        } else {
            candle_nn::Init::Randn {
                mean: 0.0,
                stdev: 0.02,
            }
        };
        let t = self
            .vb
            .get_with_hints(expected.to_vec(), name, init)
            .map_err(|e| ModelError::MissingTensor {
                name: name.to_string(),
                source_desc: format!("the VarBuilder ({})", one_line(&e.to_string())),
                arch: "llama".into(),
            })?;
        Ok(Some(Weight::Float(t)))
    }
}

/// candle errors may carry backtraces or nested lines; reports need one line.
pub(crate) fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}
