//! Weight sources: GGUF content, safetensors maps and candle VarBuilders.

use std::collections::HashMap;
use std::io::{Read, Seek};
use std::path::PathBuf;
use std::sync::Arc;

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};

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

/// Tensors from one or more safetensors shards, any float dtype.
pub(crate) struct MapSource {
    pub tensors: HashMap<String, Tensor>,
    pub description: String,
}

impl WeightSource for MapSource {
    fn describe(&self) -> String {
        self.description.clone()
    }

    fn contains(&self, name: &str) -> bool {
        self.tensors.contains_key(name)
    }

    fn get(&mut self, name: &str, _expected: &[usize]) -> Result<Option<Weight>> {
        Ok(self.tensors.remove(name).map(Weight::Float))
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
