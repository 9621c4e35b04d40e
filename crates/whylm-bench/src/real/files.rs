//! The files of the real-model section: SmolLM2 as shipped, and as F16 (whylm's GGUF writer),
//! Q8_0 and Q4_K_M (llama.cpp's quantizer from the F16 file when a llama.cpp Python is given,
//! else whylm's writer where it can) written once into a cache directory and reused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use whylm_model::{GgmlDType, GgufValue};

use super::llama_cpp::LlamaCpp;
use super::RealOptions;
use crate::error::{BenchError, Result};

/// One file the section measures.
#[derive(Debug, Clone)]
pub struct Variant {
    /// "Q4_1 (as shipped)", "F16", "Q8_0", "Q4_K_M".
    pub name: String,
    pub path: PathBuf,
    /// Who wrote the file.
    pub made_by: String,
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> BenchError {
    BenchError::RealModel(format!(
        "cannot write {}: {e}; pass a writable --real-dir",
        path.display()
    ))
}

/// The shipped file's `tokenizer.*` metadata, so that the written files carry the vocabulary.
fn tokenizer_metadata(path: &Path) -> Result<HashMap<String, GgufValue>> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| BenchError::RealModel(format!("cannot open {}: {e}", path.display())))?;
    let content = candle_core::quantized::gguf_file::Content::read(&mut file)?;
    Ok(content
        .metadata
        .into_iter()
        .filter(|(k, _)| k.starts_with("tokenizer.") || k == "general.name")
        .collect())
}

/// Writes `path` with `write(tmp)` unless it exists (a partial file never keeps the name).
fn cached(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    if path.is_file() {
        return Ok(());
    }
    let tmp = path.with_extension("partial");
    write(&tmp)?;
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, e))
}

fn whylm_writer(shipped: &Path, dst: &Path, dtype: GgmlDType) -> Result<()> {
    let loaded = whylm_model::load(shipped)?;
    whylm_model::save_gguf(&loaded.model, dst, dtype, &tokenizer_metadata(shipped)?)?;
    Ok(())
}

/// The files to measure, and notes on what was skipped or how a file was made.
pub fn variants(
    options: &RealOptions,
    llama: Option<&LlamaCpp<'_>>,
    threads: usize,
) -> Result<(Vec<Variant>, Vec<String>)> {
    let (shipped, dir) = (options.model.as_path(), options.cache_dir.as_path());
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let stem = "SmolLM2-135M-Instruct";
    let mut notes = Vec::new();
    let mut out = vec![Variant {
        name: "Q4_1 (as shipped)".into(),
        path: shipped.to_path_buf(),
        made_by: "shipped".into(),
    }];
    let f16 = dir.join(format!("{stem}.F16.whylm.gguf"));
    cached(&f16, |tmp| whylm_writer(shipped, tmp, GgmlDType::F16))?;
    let extra = options.extra_types.iter().map(String::as_str);
    for ftype in ["Q4_K_M", "Q8_0"].into_iter().chain(extra) {
        match llama {
            Some(l) => {
                let path = dir.join(format!("{stem}.{ftype}.llama-cpp.gguf"));
                cached(&path, |tmp| l.quantize(&f16, tmp, ftype, threads))?;
                out.push(Variant {
                    name: ftype.into(),
                    path,
                    made_by: "llama.cpp's quantizer (from the F16 file)".into(),
                });
            }
            None if ftype == "Q8_0" => {
                let path = dir.join(format!("{stem}.{ftype}.whylm.gguf"));
                cached(&path, |tmp| whylm_writer(shipped, tmp, GgmlDType::Q8_0))?;
                out.push(Variant {
                    name: ftype.into(),
                    path,
                    made_by: "whylm's GGUF writer (no --llama-cpp)".into(),
                });
            }
            None => notes.push(format!(
                "{ftype} skipped: its mixed types come from llama.cpp's quantizer; pass --llama-cpp PYTHON"
            )),
        }
    }
    out.push(Variant {
        name: "F16".into(),
        path: f16,
        made_by: "whylm's GGUF writer (the shipped weights dequantized)".into(),
    });
    Ok((out, notes))
}
