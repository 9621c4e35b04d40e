//! `whylm explain --batch rows.jsonl --out results.jsonl`: one explanation per input line, the model loaded once.
//!
//! Nothing finished is lost: each result line is written whole and flushed as its row ends, and every scored
//! coalition goes to OUT.cache as it is scored. A run that is killed and started again with the same arguments
//! keeps the complete result lines (a cut last line is dropped), goes on with the next row, and takes the rows it
//! had scored of an unfinished explanation from the cache, so it ends with the file an uninterrupted run writes.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::{json, Value};
use whylm_backend::{fingerprint, CachedBackend, LineFile, ScoreFile};

use super::batch_row::apply;
use super::explain::{explain_document, explain_request, ExplainArgs};
use crate::failure::{user_error, UserError};
use crate::fault::backend_error;
use crate::options::batch::BatchRow;
use crate::options::faithfulness::measure;
use crate::options::model_loading::{load_model_or_default, report_info};
use crate::progress::Progress;

pub fn run(args: ExplainArgs) -> Result<()> {
    if let Some(threads) = args.threads {
        whylm_model::set_num_threads(threads);
    }
    let (Some(input), Some(out)) = (args.batch.batch.clone(), args.batch.out.clone()) else {
        return Err(user_error(
            "--batch needs --out",
            "name the results file with --out FILE",
        ));
    };
    if args.json.is_some() || args.html.is_some() || args.svg.is_some() {
        return Err(user_error(
            "--json, --html and --svg do not go with --batch",
            "every result is a line of --out; redraw one with `whylm render`",
        ));
    }
    let lines = read_rows(&input)?;
    let rows: Vec<Row> = lines.iter().map(|line| Row::new(line, &args)).collect();
    let (mut results, done) = ResultsFile::open(&out, &rows)?;
    if done == rows.len() {
        note(&args, &format!("{} has all {done} rows already", out.display()));
        return Ok(());
    }
    if done > 0 {
        note(
            &args,
            &format!(
                "{} has {done} of {} rows; going on with row {}",
                out.display(),
                rows.len(),
                done + 1
            ),
        );
    }
    let loaded = load_model_or_default(args.model.as_deref(), &args.weights, args.quiet)?;
    let embedded = loaded.backend();
    let cache_path = args
        .batch
        .cache
        .clone()
        .unwrap_or_else(|| with_suffix(&out, ".cache"));
    let backend = CachedBackend::new(&embedded, ScoreFile::open(&cache_path).map_err(backend_error)?);
    let mut progress = Progress::new(args.quiet);
    for (index, row) in rows.iter().enumerate().skip(done) {
        progress.set_label(format!("row {}/{}", index + 1, rows.len()));
        let result = row
            .args
            .as_ref()
            .map_err(|e| UserError::from_message(e).into())
            .and_then(|row_args| {
                let request = explain_request(row_args)?;
                let mut doc =
                    explain_document(&backend, report_info(&loaded), row_args, &request, &mut progress)?;
                // --faithfulness applies to every row (its evaluations go through the same score cache)
                if let Some(samples) = args.faithfulness.faithfulness {
                    measure(&backend, &mut doc, samples, row_args.seed, row_args.batch_size)?;
                }
                Ok(doc)
            });
        let line = match result {
            Ok(doc) => with_row_fields(serde_json::to_value(&doc)?, index, row),
            // a row the user got wrong gets its error line and the batch goes on; whylm's own failures stop it
            Err(error) if is_user_error(&error) => {
                with_row_fields(json!({ "error": error.to_string() }), index, row)
            }
            Err(error) => return Err(error),
        };
        results.append(&line)?;
    }
    progress.finish();
    note(
        &args,
        &format!(
            "{} rows in {}; {} coalitions scored, {} taken from {}",
            rows.len(),
            out.display(),
            backend.scored(),
            backend.reused(),
            cache_path.display()
        ),
    );
    Ok(())
}

fn note(args: &ExplainArgs, message: &str) {
    if !args.quiet {
        eprintln!("note: {message}");
    }
}

fn is_user_error(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.is::<UserError>())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The non-empty lines of the batch file.
fn read_rows(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| {
        user_error(
            format!("could not read the batch file '{}': {e}", path.display()),
            "check the path passed to --batch",
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        user_error(
            format!(
                "the batch file '{}' is not UTF-8 (invalid byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
            "convert it to UTF-8 JSON lines",
        )
    })?;
    let rows: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    if rows.is_empty() {
        return Err(user_error(
            format!("the batch file '{}' has no rows", path.display()),
            "write one JSON object per line, such as {\"prompt\": \"...\"}",
        ));
    }
    Ok(rows)
}

/// One input row: its arguments (or why it has none) and the fingerprint of everything its result depends on.
struct Row {
    args: std::result::Result<ExplainArgs, String>,
    id: Option<Value>,
    fingerprint: String,
}

impl Row {
    fn new(line: &str, base: &ExplainArgs) -> Row {
        let parsed: std::result::Result<BatchRow, String> = serde_json::from_str(line)
            .map_err(|e| format!("this row is not a JSON object of batch fields: {e}"));
        let id = parsed.as_ref().ok().and_then(|r| r.id.clone());
        let args = parsed.and_then(|row| apply(row, base).map_err(|e| e.to_string()));
        // the row's text and the arguments that shape every result (not the output options of this run)
        let settings = format!("{line}\n{:?}", base_settings(base));
        Row {
            args,
            id,
            fingerprint: format!("{:032x}", fingerprint(settings.as_bytes())),
        }
    }
}

/// The arguments without those that name this run's files or how it talks, which do not change any result.
fn base_settings(base: &ExplainArgs) -> ExplainArgs {
    let mut settings = base.clone();
    settings.batch = Default::default();
    settings.quiet = false;
    settings.no_color = false;
    settings.threads = None;
    settings
}

fn with_row_fields(mut value: Value, index: usize, row: &Row) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert("batch_row".into(), json!(index));
        if let Some(id) = &row.id {
            map.insert("id".into(), id.clone());
        }
        map.insert("batch_fingerprint".into(), json!(row.fingerprint));
    }
    value
}

/// The results file, open for appending after its complete rows.
struct ResultsFile {
    path: PathBuf,
    file: File,
}

impl ResultsFile {
    /// Opens `path`, keeps its complete lines when they are this batch's first rows (same row, same fingerprint)
    /// and cuts a partial last line; returns the file and how many rows it has.
    fn open(path: &Path, rows: &[Row]) -> Result<(ResultsFile, usize)> {
        let fail = |what: &str, e: std::io::Error| {
            user_error(
                format!("could not {what} the results file '{}': {e}", path.display()),
                "check the path passed to --out",
            )
        };
        let mut lines = LineFile::open(path).map_err(|e| fail("open", e))?;
        let mut done = 0;
        for line in lines.lines() {
            let matches = serde_json::from_slice::<Value>(line).ok().is_some_and(|v| {
                v["batch_row"] == json!(done)
                    && rows
                        .get(done)
                        .is_some_and(|r| v["batch_fingerprint"] == json!(r.fingerprint))
            });
            if !matches {
                return Err(user_error(
                    format!(
                        "line {} of '{}' is not this batch's row {} (other input or options)",
                        done + 1,
                        path.display(),
                        done + 1
                    ),
                    "write to a new --out file, or delete this one to start again",
                ));
            }
            done += 1;
        }
        lines.cut_partial_line().map_err(|e| fail("repair", e))?;
        Ok((
            ResultsFile {
                path: path.to_path_buf(),
                file: lines.file,
            },
            done,
        ))
    }

    fn append(&mut self, line: &Value) -> Result<()> {
        let mut text = serde_json::to_string(line)?;
        text.push('\n');
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| anyhow::anyhow!("could not write the results file '{}': {e}", self.path.display()))
    }
}
