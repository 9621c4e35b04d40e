//! Writes a model in another storage type, for measuring the weight dtypes (docs/notes/dtype.md):
//!
//! ```text
//! cargo run --release -p whylm-model --example convert_model -- IN.gguf OUT.gguf F16     # GGUF: F32, F16, BF16, Q8_0, ...
//! cargo run --release -p whylm-model --example convert_model -- IN.gguf OUT_DIR/ f16     # HF safetensors: f32, f16, bf16
//! ```
//!
//! A GGUF output keeps the input's metadata (tokenizer included); a Hugging Face output gets config.json and
//! safetensors only (copy a tokenizer.json beside it to run it).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use whylm_model::{load_gguf_model, save_gguf, save_hf_tensors, DType, Device, GgmlDType, Tensor};

fn ggml_type(name: &str) -> Result<GgmlDType> {
    Ok(match name {
        "F32" => GgmlDType::F32,
        "F16" => GgmlDType::F16,
        "BF16" => GgmlDType::BF16,
        "Q8_0" => GgmlDType::Q8_0,
        "Q4_0" => GgmlDType::Q4_0,
        "Q4_1" => GgmlDType::Q4_1,
        "Q4_K" => GgmlDType::Q4K,
        "Q6_K" => GgmlDType::Q6K,
        other => bail!("unknown GGUF type {other}; use F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K or Q6_K"),
    })
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output, dtype] = args.as_slice() else {
        bail!("usage: convert_model IN.gguf OUT.gguf TYPE | convert_model IN.gguf OUT_DIR/ f32|f16|bf16");
    };
    let source = load_gguf_model(Path::new(input), &Device::Cpu).context("reading the input")?;
    if output.ends_with(".gguf") {
        save_gguf(
            &source.model,
            Path::new(output),
            ggml_type(dtype)?,
            &source.metadata,
        )?;
        return Ok(());
    }
    let dtype = match dtype.as_str() {
        "f32" => DType::F32,
        "f16" => DType::F16,
        "bf16" => DType::BF16,
        other => bail!("unknown safetensors type {other}; use f32, f16 or bf16"),
    };
    let tensors = source.model.hf_tensors()?;
    // the writer stores f32; the tensors are then written again in the asked type
    save_hf_tensors(&tensors, source.model.config(), Path::new(output))?;
    let converted: HashMap<String, Tensor> = tensors
        .into_iter()
        .map(|(name, t)| Ok((name, t.to_dtype(dtype)?.contiguous()?)))
        .collect::<Result<_>>()?;
    candle_core::safetensors::save(&converted, Path::new(output).join("model.safetensors"))?;
    Ok(())
}
