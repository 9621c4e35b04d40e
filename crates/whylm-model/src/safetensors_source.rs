//! Safetensors shards as a weight source, memory-mapped: each tensor is copied once, straight from
//! the mapping into the storage it keeps (16-bit matrices stay 16-bit), and the mapped pages are
//! released after the copy, so a load never holds the file and a converted copy of it at once.

use std::collections::HashMap;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use candle_core::{DType, Device, Tensor};
use memmap2::Mmap;
#[cfg(unix)]
use memmap2::UncheckedAdvice;
use safetensors::{Dtype, SafeTensors};
use whylm_quant::{QuantMatrix, QuantType};

use crate::dtype_plan::StoredTensor;
use crate::error::{ModelError, Result};
use crate::weights::{Weight, WeightSource};

/// The bytes of one shard.
enum Bytes<'a> {
    Mapped(Mmap),
    Borrowed(&'a [u8]),
}

impl Bytes<'_> {
    fn get(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Borrowed(b) => b,
        }
    }

    /// Drops the mapped pages of `range` from the process's memory; the next read (if any) would
    /// fetch them again from the file.
    fn release(&self, range: Range<usize>) {
        #[cfg(unix)]
        if let Bytes::Mapped(m) = self {
            // SAFETY: the mapping is read-only and shared, so MADV_DONTNEED only drops pages that
            // the kernel re-reads from the file on the next access; no data is lost and no
            // reference into the range outlives the copy made before this call. Failure only
            // means the pages stay resident.
            let _ = unsafe { m.unchecked_advise_range(UncheckedAdvice::DontNeed, range.start, range.len()) };
        }
    }
}

/// Where one tensor lives.
struct Entry {
    shard: usize,
    dtype: Dtype,
    shape: Vec<usize>,
    range: Range<usize>,
}

pub(crate) struct SafetensorsSource<'a> {
    shards: Vec<(PathBuf, Bytes<'a>)>,
    entries: HashMap<String, Entry>,
    description: String,
    device: Device,
}

fn damaged(path: &Path, e: impl std::fmt::Display) -> ModelError {
    ModelError::Safetensors {
        path: path.to_path_buf(),
        message: format!("{e}; the file is damaged or not safetensors"),
    }
}

impl<'a> SafetensorsSource<'a> {
    /// Maps every shard (read-only) and reads their tensor tables.
    pub fn open(paths: &[PathBuf], description: String, device: &Device) -> Result<Self> {
        let mut shards = Vec::new();
        for path in paths {
            let file = File::open(path).map_err(|e| ModelError::io(path, e))?;
            // SAFETY: the mapping is only read. As with any mapped file, another process that
            // truncates the file while whylm loads it would make a read fault; whylm copies each
            // tensor out once during the load and keeps no reference into the mapping.
            let map = unsafe { Mmap::map(&file) }.map_err(|e| ModelError::io(path, e))?;
            shards.push((path.clone(), Bytes::Mapped(map)));
        }
        Self::index(shards, description, device)
    }

    /// One safetensors file held in memory.
    pub fn from_bytes(bytes: &'a [u8], description: String, device: &Device) -> Result<Self> {
        Self::index(
            vec![(PathBuf::from("<memory>"), Bytes::Borrowed(bytes))],
            description,
            device,
        )
    }

    fn index(shards: Vec<(PathBuf, Bytes<'a>)>, description: String, device: &Device) -> Result<Self> {
        let mut entries = HashMap::new();
        for (shard, (path, bytes)) in shards.iter().enumerate() {
            let (header, metadata) = SafeTensors::read_metadata(bytes.get()).map_err(|e| damaged(path, e))?;
            let data_start = 8 + header;
            for (name, info) in metadata.tensors() {
                let (start, end) = info.data_offsets;
                let entry = Entry {
                    shard,
                    dtype: info.dtype,
                    shape: info.shape.clone(),
                    range: data_start + start..data_start + end,
                };
                entries.insert(name, entry);
            }
        }
        Ok(Self {
            shards,
            entries,
            description,
            device: device.clone(),
        })
    }

    /// Every tensor's size, for choosing the dtype before loading.
    pub fn stored(&self) -> Vec<StoredTensor> {
        self.entries
            .values()
            .map(|e| StoredTensor {
                elements: e.shape.iter().product(),
                matrix: e.shape.len() >= 2,
                file_bytes: e.range.len(),
            })
            .collect()
    }

    fn weight(&self, name: &str, e: &Entry) -> Result<Weight> {
        let bytes = &self.shards[e.shard].1.get()[e.range.clone()];
        let half = match e.dtype {
            Dtype::F16 => Some(QuantType::F16),
            Dtype::BF16 => Some(QuantType::BF16),
            _ => None,
        };
        if let (Some(dtype), [rows, cols]) = (half, e.shape.as_slice()) {
            let m = QuantMatrix::new(dtype, *rows, *cols, Arc::from(bytes))
                .map_err(|err| damaged(&self.shards[e.shard].0, format!("tensor '{name}': {err}")))?;
            return Ok(Weight::Half(m));
        }
        let dtype = match e.dtype {
            Dtype::F32 => DType::F32,
            Dtype::F16 => DType::F16,
            Dtype::BF16 => DType::BF16,
            other => {
                return Err(ModelError::UnsupportedDType {
                    name: name.to_string(),
                    dtype: format!("{other:?}"),
                })
            }
        };
        let t = Tensor::from_raw_buffer(bytes, dtype, &e.shape, &self.device)?.to_dtype(DType::F32)?;
        Ok(Weight::Float(t))
    }
}

impl WeightSource for SafetensorsSource<'_> {
    fn describe(&self) -> String {
        self.description.clone()
    }

    fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    fn get(&mut self, name: &str, _expected: &[usize]) -> Result<Option<Weight>> {
        let Some(entry) = self.entries.remove(name) else {
            return Ok(None);
        };
        let weight = self.weight(name, &entry)?;
        self.shards[entry.shard].1.release(entry.range);
        Ok(Some(weight))
    }
}
