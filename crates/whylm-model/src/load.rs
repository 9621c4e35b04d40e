//! Loading models: GGUF files (v2/v3) and Hugging Face directories or in-memory bytes.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use candle_core::quantized::gguf_file::{Content, Value};
use candle_core::Device;

use whylm_tokenize::{GgufMetadata, TokenizeError};

use crate::config::Config;
use crate::dtype::{DtypeChoice, LoadOptions, WeightDtype};
use crate::dtype_plan::choose;
use crate::error::{ModelError, Result};
use crate::gguf_check;
use crate::model::Model;
use crate::names::Naming;
use crate::safetensors_source::SafetensorsSource;
use crate::sources::{one_line, GgufSource};

/// Which kind of checkpoint a model came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelFormat {
    Gguf,
    HuggingFace,
    Memory,
}

/// What `whylm inspect` shows about a loaded model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    pub format: ModelFormat,
    pub source: String,
    pub architecture: String,
    pub parameters: usize,
    /// Storage type of most parameters ("F32", "Q4_K", ...).
    pub quantization: String,
    /// Parameters per storage type.
    pub parameters_by_type: Vec<(String, usize)>,
    pub weight_bytes: usize,
    /// Weights plus one scoring batch at the memory budget.
    pub memory_estimate_bytes: usize,
    pub context_length: usize,
    pub vocab_size: usize,
    pub layers: usize,
    pub hidden_size: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub tied_embeddings: bool,
    /// How the weight matrices are stored, and why.
    pub dtype: DtypeChoice,
}

impl ModelInfo {
    pub fn describe(model: &Model, format: ModelFormat, source: String) -> Self {
        let c = model.config();
        let s = model.weight_stats();
        Self {
            format,
            source,
            architecture: c.architecture.name().to_string(),
            parameters: s.parameters,
            quantization: s.dominant_type(),
            parameters_by_type: s
                .parameters_by_type
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            weight_bytes: s.bytes,
            memory_estimate_bytes: s.bytes + model.memory_budget(),
            context_length: c.context_length,
            vocab_size: c.vocab_size,
            layers: c.num_layers,
            hidden_size: c.hidden_size,
            heads: c.num_heads,
            kv_heads: c.num_kv_heads,
            tied_embeddings: c.tie_word_embeddings,
            dtype: model.dtype_choice().clone(),
        }
    }
}

/// A parsed GGUF file: the model plus its metadata (which holds the tokenizer).
pub struct GgufModel {
    pub model: Model,
    pub metadata: HashMap<String, Value>,
}

fn gguf_error(path: &Path, e: impl std::fmt::Display) -> ModelError {
    ModelError::Gguf {
        path: path.to_path_buf(),
        message: one_line(&e.to_string()),
    }
}

/// The header fault that whylm-tokenize's bounded metadata reader found, without its own wording of the path
/// (`ModelError::Gguf` names the file and says what to do).
fn metadata_error(path: &Path, e: TokenizeError) -> ModelError {
    match e {
        TokenizeError::Io { source, .. } => ModelError::io(path, source),
        TokenizeError::NotGguf { found, .. } => {
            gguf_error(path, format!("its first bytes are {found:?}, expected \"GGUF\""))
        }
        TokenizeError::TruncatedGguf { detail, .. } | TokenizeError::MalformedGgufBytes { detail } => {
            gguf_error(path, detail)
        }
        other => gguf_error(path, other),
    }
}

/// The low-level loaders' options: every matrix in its file's type.
const NATIVE: LoadOptions = LoadOptions {
    dtype: WeightDtype::Native,
    max_memory: None,
};

/// Reads a GGUF model (weights only; the tokenizer lives in the returned metadata), each matrix
/// kept in its file's type.
pub fn load_gguf_model(path: &Path, device: &Device) -> Result<GgufModel> {
    load_gguf_model_with(path, &NATIVE, device)
}

/// [`load_gguf_model`] with the weight dtype and memory limit of `options`.
pub fn load_gguf_model_with(path: &Path, options: &LoadOptions, device: &Device) -> Result<GgufModel> {
    // The bounded reader first: every length checked against the file before candle allocates for it.
    let meta = GgufMetadata::from_file(path).map_err(|e| metadata_error(path, e))?;
    gguf_check::check_metadata(&meta).map_err(|m| gguf_error(path, m))?;
    let file = File::open(path).map_err(|e| ModelError::io(path, e))?;
    gguf_model_from_reader(BufReader::new(file), path.to_path_buf(), options, device)
}

/// Reads a GGUF model from bytes in memory.
pub fn load_gguf_model_from_bytes(bytes: &[u8], device: &Device) -> Result<GgufModel> {
    let path = PathBuf::from("<memory>");
    let meta = GgufMetadata::from_bytes(bytes).map_err(|e| metadata_error(&path, e))?;
    gguf_check::check_metadata(&meta).map_err(|m| gguf_error(&path, m))?;
    gguf_model_from_reader(Cursor::new(bytes), path, &NATIVE, device)
}

fn gguf_model_from_reader<R: Read + Seek>(
    mut reader: R,
    path: PathBuf,
    options: &LoadOptions,
    device: &Device,
) -> Result<GgufModel> {
    let content = Content::read(&mut reader).map_err(|e| gguf_error(&path, e))?;
    let file_len = reader
        .seek(std::io::SeekFrom::End(0))
        .map_err(|e| ModelError::io(&path, e))?;
    gguf_check::check_tensors(&content, file_len).map_err(|m| gguf_error(&path, m))?;
    let vocab_from_tensor = content
        .tensor_infos
        .get("token_embd.weight")
        .and_then(|t| t.shape.dims().first().copied());
    let mut src = GgufSource {
        content,
        reader,
        path: path.clone(),
        device: device.clone(),
    };
    let rope_freqs = match crate::weights::WeightSource::get(&mut src, "rope_freqs.weight", &[])? {
        Some(w) => Some(w.to_f32()?.flatten_all()?.to_vec1::<f32>()?),
        None => None,
    };
    let config = Config::from_gguf_metadata(&src.content.metadata, vocab_from_tensor, rope_freqs)?;
    let plan = choose(options, &src.stored())?;
    let model = Model::build(config, &mut src, Naming::Gguf, plan, device)?;
    Ok(GgufModel {
        model,
        metadata: src.content.metadata,
    })
}

/// Reads a Hugging Face directory: config.json and every *.safetensors file in it (memory-mapped),
/// each matrix kept in its file's type.
pub fn load_hf_model(dir: &Path, device: &Device) -> Result<Model> {
    load_hf_model_with(dir, &NATIVE, device)
}

/// [`load_hf_model`] with the weight dtype and memory limit of `options`.
pub fn load_hf_model_with(dir: &Path, options: &LoadOptions, device: &Device) -> Result<Model> {
    let config_path = dir.join("config.json");
    let text = std::fs::read_to_string(&config_path).map_err(|e| ModelError::io(&config_path, e))?;
    let mut config = Config::from_hf_json(&text)?;
    let generation_path = dir.join("generation_config.json");
    if generation_path.is_file() {
        let text =
            std::fs::read_to_string(&generation_path).map_err(|e| ModelError::io(&generation_path, e))?;
        config.add_generation_config(&text)?;
    }
    let mut shards: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| ModelError::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "safetensors"))
        .collect();
    shards.sort();
    if shards.is_empty() {
        return Err(ModelError::Safetensors {
            path: dir.to_path_buf(),
            message: "no *.safetensors file in the directory; download the model weights".into(),
        });
    }
    let mut src = SafetensorsSource::open(&shards, dir.display().to_string(), device)?;
    let plan = choose(options, &src.stored())?;
    Model::build(config, &mut src, Naming::HuggingFace, plan, device)
}

/// Builds a model from config.json text and one safetensors file held in memory (e.g. a model
/// embedded in the binary with `include_bytes!`), each matrix kept in its file's type.
pub fn load_hf_model_from_memory(config_json: &str, safetensors: &[u8], device: &Device) -> Result<Model> {
    let config = Config::from_hf_json(config_json)?;
    let mut src = SafetensorsSource::from_bytes(safetensors, "the embedded safetensors".into(), device)?;
    let plan = choose(&NATIVE, &src.stored())?;
    Model::build(config, &mut src, Naming::HuggingFace, plan, device)
}

/// True when `path` looks like a GGUF file (by magic bytes, falling back to the extension).
pub fn is_gguf_file(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    match File::open(path).and_then(|mut f| f.read_exact(&mut magic)) {
        Ok(()) => &magic == b"GGUF",
        Err(_) => path.extension().is_some_and(|x| x.eq_ignore_ascii_case("gguf")),
    }
}
