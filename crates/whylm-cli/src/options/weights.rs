//! `--dtype` and `--max-memory`: how the weight matrices are stored, and how much memory the weights and one
//! scoring batch may use (explain, generate, inspect).

use clap::Args;
use whylm_model::{LoadOptions, WeightDtype};

#[derive(Args, Debug, Clone, Copy, Default)]
pub struct WeightOptions {
    /// How to store the weight matrices: auto (the fastest that fits in --max-memory), f32, f16, bf16, or native
    /// (each tensor in its file's type: quantized stays quantized, F16 and BF16 stay 16-bit).
    #[arg(long, value_name = "DTYPE", default_value = "auto", value_parser = parse_dtype)]
    pub dtype: WeightDtype,
    /// Memory the weights and one scoring batch may use together, e.g. 2G or 512M; the batch gets what the
    /// weights leave (at most 1 GiB). [default: the machine's available memory]
    #[arg(long, value_name = "BYTES", value_parser = parse_memory)]
    pub max_memory: Option<usize>,
}

impl WeightOptions {
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            dtype: self.dtype,
            max_memory: self.max_memory,
        }
    }
}

fn parse_dtype(text: &str) -> Result<WeightDtype, String> {
    text.parse()
}

fn parse_memory(text: &str) -> Result<usize, String> {
    whylm_model::parse_memory_size(text)
}
