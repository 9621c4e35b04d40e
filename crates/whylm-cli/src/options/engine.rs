//! `--engine URL ...`: run the model on a serving engine (vLLM, llama-cpp-python's server, any OpenAI-compatible
//! completions endpoint with prompt log-probs) instead of in process. `--model` then only names the tokenizer.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use whylm_remote::{DialectChoice, EngineConfig, EngineStats, RemoteBackend};

use crate::failure::user_error;
use crate::fault::backend_error;
use crate::options::count::positive_count;
use crate::options::tokenizer::load_tokenizer;

#[derive(Args, Debug, Clone, Default)]
pub struct EngineOptions {
    /// Run the model on a serving engine at URL (http://HOST:PORT of vLLM, llama-cpp-python's server or another
    /// OpenAI-compatible completions server) instead of in process; repeat for replicas. --model then names the
    /// served model's tokenizer (its GGUF file or Hugging Face directory; the weights are not read); without it
    /// the engine's tokenize endpoint is used. The API key comes from WHYLM_API_KEY or OPENAI_API_KEY.
    #[arg(long = "engine", value_name = "URL")]
    pub engines: Vec<String>,
    /// The served model's name (its id in the engine's /v1/models); without it, the one model the engine serves.
    #[arg(long, value_name = "NAME", requires = "engines")]
    pub engine_model: Option<String>,
    /// How to ask the engine for log-probs: vllm (token-id prompts, many per request), echo (text prompts with
    /// echo + logprobs, as llama-cpp-python serves them) or auto (vllm when the engine says it is vLLM).
    #[arg(long, value_name = "DIALECT", default_value = "auto", requires = "engines")]
    pub engine_dialect: DialectChoice,
    /// Requests in flight [default: 8 per vLLM replica, 2 per echo replica].
    #[arg(long, value_name = "N", value_parser = positive_count, requires = "engines")]
    pub concurrency: Option<usize>,
    /// Seconds to wait for one answer before trying again.
    #[arg(long, value_name = "SECONDS", default_value = "120", value_parser = positive_seconds, requires = "engines")]
    pub engine_timeout: f64,
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        _ => Err(format!("'{text}' is not a positive number of seconds")),
    }
}

impl EngineOptions {
    pub fn given(&self) -> bool {
        !self.engines.is_empty()
    }

    /// Connects to the engine; the tokenizer comes from `model` (its files only) when given.
    pub fn connect(&self, model: Option<&Path>) -> Result<RemoteBackend> {
        let tokenizer = model.map(load_tokenizer).transpose()?;
        let mut config = EngineConfig::new(self.engines.clone());
        config.model = self.engine_model.clone();
        config.dialect = self.engine_dialect;
        config.concurrency = self.concurrency;
        config.timeout = Duration::from_secs_f64(self.engine_timeout);
        RemoteBackend::connect(&config, tokenizer).map_err(backend_error)
    }
}

/// The model as reports name it: the served model, the engine's URLs and dialect, and the tokenizer's file.
pub fn engine_report_info(backend: &RemoteBackend, model: Option<&Path>) -> whylm_report::ModelInfo {
    use whylm_backend::Backend;
    let info = backend.info();
    let tokenizer = match model {
        Some(path) => format!("; tokenizer {}", path.display()),
        None => "; tokenizer from the engine".into(),
    };
    whylm_report::ModelInfo {
        name: info.name,
        path: format!("engine {}{tokenizer}", info.runtime),
        architecture: info.architecture,
        // the engine holds the weights: their storage is not whylm's to report
        dtype: String::new(),
        dtype_reason: String::new(),
        weight_bytes: 0,
    }
}

/// The score cache of a remote run: `--cache FILE` when given; else beside the first report file
/// (`REPORT.HASH.cache`, HASH naming the served model); else in the user's cache directory, one file per served model.
pub fn default_cache(given: Option<&Path>, reports: &[Option<&Path>], served_model: &str) -> Result<PathBuf> {
    if let Some(path) = given {
        return Ok(path.to_path_buf());
    }
    let beside = reports.iter().flatten().find(|p| p.as_os_str() != "-");
    // the rows' keys do not name the model, so the file does: another model never reads this one's scores
    let key = whylm_backend::fingerprint(served_model.as_bytes());
    if let Some(report) = beside {
        let mut name = report.as_os_str().to_os_string();
        name.push(format!(".{:08x}.cache", key >> 96));
        return Ok(PathBuf::from(name));
    }
    let home = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .ok_or_else(|| {
            user_error(
                "no place for the score cache (neither XDG_CACHE_HOME nor HOME is set)",
                "pass --cache FILE",
            )
        })?;
    let dir = home.join("whylm").join("engine-cache");
    std::fs::create_dir_all(&dir).map_err(|e| {
        user_error(
            format!("cannot create the score cache directory {}: {e}", dir.display()),
            "pass --cache FILE",
        )
    })?;
    Ok(dir.join(format!("{key:032x}.cache")))
}

/// The progress bar's extra words: requests in flight and evaluations per second.
pub fn engine_status(stats: Arc<EngineStats>) -> Box<dyn Fn() -> String> {
    Box::new(move || stats.summary())
}
