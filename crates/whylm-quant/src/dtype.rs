//! The GGML storage types this crate reads, with their block geometry.

use candle_core::quantized::GgmlDType;

use crate::error::{QuantError, Result};

/// A weight storage type. Block layouts are GGML's (the same bytes as in a GGUF file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuantType {
    F32,
    F16,
    BF16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
    Q2K,
    Q3K,
    Q4K,
    Q5K,
    Q6K,
}

/// Every supported type, for tests and benchmarks.
pub const ALL_TYPES: [QuantType; 13] = [
    QuantType::F32,
    QuantType::F16,
    QuantType::BF16,
    QuantType::Q4_0,
    QuantType::Q4_1,
    QuantType::Q5_0,
    QuantType::Q5_1,
    QuantType::Q8_0,
    QuantType::Q2K,
    QuantType::Q3K,
    QuantType::Q4K,
    QuantType::Q5K,
    QuantType::Q6K,
];

impl QuantType {
    /// Values per block.
    pub fn block_size(self) -> usize {
        match self {
            QuantType::F32 | QuantType::F16 | QuantType::BF16 => 1,
            QuantType::Q4_0 | QuantType::Q4_1 | QuantType::Q5_0 | QuantType::Q5_1 | QuantType::Q8_0 => 32,
            QuantType::Q2K | QuantType::Q3K | QuantType::Q4K | QuantType::Q5K | QuantType::Q6K => 256,
        }
    }

    /// Bytes per block.
    pub fn block_bytes(self) -> usize {
        match self {
            QuantType::F32 => 4,
            QuantType::F16 | QuantType::BF16 => 2,
            QuantType::Q4_0 => 18,
            QuantType::Q4_1 => 20,
            QuantType::Q5_0 => 22,
            QuantType::Q5_1 => 24,
            QuantType::Q8_0 => 34,
            QuantType::Q2K => 84,
            QuantType::Q3K => 110,
            QuantType::Q4K => 144,
            QuantType::Q5K => 176,
            QuantType::Q6K => 210,
        }
    }

    /// The name GGUF uses.
    pub fn name(self) -> &'static str {
        match self {
            QuantType::F32 => "F32",
            QuantType::F16 => "F16",
            QuantType::BF16 => "BF16",
            QuantType::Q4_0 => "Q4_0",
            QuantType::Q4_1 => "Q4_1",
            QuantType::Q5_0 => "Q5_0",
            QuantType::Q5_1 => "Q5_1",
            QuantType::Q8_0 => "Q8_0",
            QuantType::Q2K => "Q2_K",
            QuantType::Q3K => "Q3_K",
            QuantType::Q4K => "Q4_K",
            QuantType::Q5K => "Q5_K",
            QuantType::Q6K => "Q6_K",
        }
    }

    pub fn to_ggml(self) -> GgmlDType {
        match self {
            QuantType::F32 => GgmlDType::F32,
            QuantType::F16 => GgmlDType::F16,
            QuantType::BF16 => GgmlDType::BF16,
            QuantType::Q4_0 => GgmlDType::Q4_0,
            QuantType::Q4_1 => GgmlDType::Q4_1,
            QuantType::Q5_0 => GgmlDType::Q5_0,
            QuantType::Q5_1 => GgmlDType::Q5_1,
            QuantType::Q8_0 => GgmlDType::Q8_0,
            QuantType::Q2K => GgmlDType::Q2K,
            QuantType::Q3K => GgmlDType::Q3K,
            QuantType::Q4K => GgmlDType::Q4K,
            QuantType::Q5K => GgmlDType::Q5K,
            QuantType::Q6K => GgmlDType::Q6K,
        }
    }

    /// Q8_1 and Q8_K exist only as activation formats; weights never use them.
    pub fn from_ggml(dtype: GgmlDType) -> Result<Self> {
        Ok(match dtype {
            GgmlDType::F32 => QuantType::F32,
            GgmlDType::F16 => QuantType::F16,
            GgmlDType::BF16 => QuantType::BF16,
            GgmlDType::Q4_0 => QuantType::Q4_0,
            GgmlDType::Q4_1 => QuantType::Q4_1,
            GgmlDType::Q5_0 => QuantType::Q5_0,
            GgmlDType::Q5_1 => QuantType::Q5_1,
            GgmlDType::Q8_0 => QuantType::Q8_0,
            GgmlDType::Q2K => QuantType::Q2K,
            GgmlDType::Q3K => QuantType::Q3K,
            GgmlDType::Q4K => QuantType::Q4K,
            GgmlDType::Q5K => QuantType::Q5K,
            GgmlDType::Q6K => QuantType::Q6K,
            other => return Err(QuantError::Unsupported(format!("{other:?}"))),
        })
    }
}

impl std::fmt::Display for QuantType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
