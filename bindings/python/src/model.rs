//! `whylm.load` and `Model.explain`: the embedded candle runtime, driven as `whylm explain` drives it, so that the
//! same arguments give the same report document as the CLI's `--json`.

use std::io::Write;
use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use whylm_explain::{
    ExplainModel, ExplainProgress, ExplainRequest, GenerationOptions, Level, MaskerSpec, MethodChoice,
    ScoreSpec,
};
use whylm_model::LoadedModel;

use crate::chat::{chat_input, ChatArguments};
use crate::errors::{bad_argument, ExplainError, ModelLoadError, ReportError};
use crate::interrupt::InterruptibleBackend;

/// What reports call the built-in model; the same name as the CLI's, so that the documents agree.
const BUILTIN_MODEL_NAME: &str = "whylm-toy (built-in)";
const LONG_BUILTIN_MODEL_NAME: &str = "whylm-toy long (built-in)";

/// A loaded model (weights and tokenizer in memory).
#[pyclass(module = "whylm._native", frozen)]
pub struct Model {
    loaded: LoadedModel,
    /// The file or directory it was loaded from (where a conversation's chat template is looked for); None for
    /// the built-in model.
    path: Option<PathBuf>,
}

/// Loads `"builtin"` (the CLI's default model), `"builtin:long"` (the built-in model for long prompts) or a GGUF file, Hugging Face directory or llama2.c `.bin`, its weight
/// matrices stored as `dtype` says (`whylm --dtype`), within `max_memory` ("2G", "512M" or a byte count; `--max-memory`).
#[pyfunction]
#[pyo3(signature = (path, dtype = "auto", max_memory = None))]
pub fn load(path: &str, dtype: &str, max_memory: Option<&str>) -> PyResult<Model> {
    let options = whylm_model::LoadOptions {
        dtype: dtype.parse().map_err(bad_argument)?,
        max_memory: max_memory
            .map(whylm_model::parse_memory_size)
            .transpose()
            .map_err(bad_argument)?,
    };
    if path == "builtin" || path == "builtin:long" {
        let (loaded, name) = if path == "builtin" {
            (whylm_toy::default_model(), BUILTIN_MODEL_NAME)
        } else {
            (whylm_toy::long_model(), LONG_BUILTIN_MODEL_NAME)
        };
        let mut loaded = loaded.map_err(|e| {
            ModelLoadError::new_err(format!("the built-in model {path:?} failed to load: {e}"))
        })?;
        name.clone_into(&mut loaded.name);
        return Ok(Model { loaded, path: None });
    }
    if !Path::new(path).exists() {
        return Err(ModelLoadError::new_err(format!(
            "the model '{path}' does not exist; pass the path of a .gguf file or of a Hugging Face model \
                 directory, \"builtin\" or \"builtin:long\""
        )));
    }
    let loaded = whylm_model::load_with(Path::new(path), &options)
        .map_err(|e| ModelLoadError::new_err(e.to_string()))?;
    Ok(Model {
        loaded,
        path: Some(PathBuf::from(path)),
    })
}

/// The option strings of one explanation, parsed with the CLI's parsers (same syntax, same messages).
fn parse_options(levels: &[String], method: &str, masker: &str, score: &str) -> PyResult<ParsedOptions> {
    let levels = levels
        .iter()
        .map(|l| l.parse::<Level>().map_err(bad_argument))
        .collect::<PyResult<Vec<_>>>()?;
    if levels.is_empty() {
        return Err(bad_argument(
            "level is empty; give one of token, word, clause, sentence or a list of them",
        ));
    }
    Ok(ParsedOptions {
        levels,
        method: method.parse::<MethodChoice>().map_err(bad_argument)?,
        masker: masker.parse::<MaskerSpec>().map_err(bad_argument)?,
        score: score.parse::<ScoreSpec>().map_err(bad_argument)?,
    })
}

struct ParsedOptions {
    levels: Vec<Level>,
    method: MethodChoice,
    masker: MaskerSpec,
    score: ScoreSpec,
}

#[pymethods]
impl Model {
    /// The model's name as reports show it.
    #[getter]
    fn name(&self) -> String {
        self.loaded.name.clone()
    }

    /// Explains `target` (or a greedy generation) given `prompt`, or given the conversation `chat` (then `prompt`,
    /// `prefix` and `suffix` are empty); returns the report document as JSON text.
    // The Python keyword API is flat (as the CLI's options are), hence the many arguments.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (prompt, target, levels, method, max_evals, masker, score, prefix, suffix, chat, seed, batch_size, refine, max_new_tokens, interactions, interaction_evals, attention, progress))]
    fn explain_json(
        &self,
        py: Python<'_>,
        prompt: String,
        target: Option<String>,
        levels: Vec<String>,
        method: &str,
        max_evals: Option<usize>,
        masker: &str,
        score: &str,
        prefix: String,
        suffix: String,
        chat: Option<ChatArguments>,
        seed: u64,
        batch_size: Option<usize>,
        refine: Option<usize>,
        max_new_tokens: usize,
        interactions: Option<usize>,
        interaction_evals: Option<usize>,
        attention: bool,
        progress: bool,
    ) -> PyResult<String> {
        let options = parse_options(&levels, method, masker, score)?;
        if max_evals == Some(0) || batch_size == Some(0) {
            return Err(bad_argument(
                "max_evals and batch_size must be at least 1 (or None for the default)",
            ));
        }
        if interaction_evals == Some(0) {
            return Err(bad_argument(
                "interaction_evals must be at least 1 (or None for exact when small, else 200 per pair)",
            ));
        }
        if max_new_tokens == 0 {
            return Err(bad_argument(
                "max_new_tokens must be at least 1: it bounds the answer generated when no target is given",
            ));
        }
        let (chat, target) = match chat {
            Some(arguments) => {
                let (input, target) = chat_input(&arguments, self.path.as_deref(), target)?;
                (Some(input), target)
            }
            None => (None, target),
        };
        let request = ExplainRequest {
            prompt,
            prefix,
            suffix,
            chat,
            target,
            generation: GenerationOptions {
                max_new_tokens,
                seed,
                ..GenerationOptions::default()
            },
            levels: options.levels,
            refine,
            masker: options.masker,
            score: options.score,
            method: options.method,
            max_evals,
            batch_size,
            seed,
            interactions,
            interaction_evals,
            attention,
            ..ExplainRequest::default()
        };
        let doc = self.run(py, &request, progress)?;
        doc.to_json_pretty()
            .map_err(|e| ReportError::new_err(e.to_string()))
    }
}

impl Model {
    /// Runs the explanation with the GIL held (the model is not shareable across threads), checking for Ctrl-C after
    /// every batch.
    fn run(
        &self,
        py: Python<'_>,
        request: &ExplainRequest,
        progress: bool,
    ) -> PyResult<whylm_report::ReportDoc> {
        let embedded = self.loaded.backend();
        let backend = InterruptibleBackend::new(&embedded);
        let model = ExplainModel {
            backend: &backend,
            info: whylm_report::ModelInfo {
                name: self.loaded.name.clone(),
                path: self.loaded.info.source.clone(),
                architecture: self.loaded.info.architecture.clone(),
                dtype: self.loaded.info.dtype.chosen.name().to_string(),
                dtype_reason: self.loaded.info.dtype.why(),
                weight_bytes: self.loaded.info.weight_bytes as u64,
            },
        };
        let mut on_progress = |event: ExplainProgress| {
            if let Err(interrupt) = py.check_signals() {
                backend.interrupt(interrupt);
            }
            if progress {
                show_progress(event);
            }
        };
        let result = whylm_explain::explain(&model, request, &mut on_progress);
        if progress {
            eprintln!();
        }
        if let Some(interrupt) = backend.take_interrupt() {
            return Err(interrupt);
        }
        result.map_err(|e| ExplainError::new_err(e.to_string()))
    }
}

/// One line on stderr, redrawn in place (a notebook shows stderr under the cell).
fn show_progress(event: ExplainProgress) {
    let line = match event {
        ExplainProgress::Generating { tokens, max } => {
            format!("generating the target: {tokens}/{max} tokens")
        }
        ExplainProgress::Evaluating {
            level, done, planned, ..
        } => format!("{} level: {done}/{planned} evaluations", level.name()),
    };
    let mut stderr = std::io::stderr();
    // Progress is best effort: a closed stderr must not stop the explanation.
    let _ = write!(stderr, "\r{line}");
    let _ = stderr.flush();
}
