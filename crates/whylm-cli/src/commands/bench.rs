//! `whylm bench`: the fixed speed suite (whylm-bench) as a table, and optionally as JSON.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use whylm_bench::{run_real, run_suite, BenchOptions, RealOptions};

use crate::failure::{user_error, UserFault};
use crate::options::output::{is_stdout, print_stdout, write_file};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// stories260K as GGUF (default: ../shared/models/stories260K/stories260K.gguf beside the source tree).
    #[arg(long, value_name = "GGUF")]
    pub stories: Option<PathBuf>,
    /// Skip (c), the synthetic dim-512 model (it writes ~220 MiB of weights and takes the longest).
    #[arg(long)]
    pub skip_synthetic: bool,
    /// Keep the synthetic model (GGUF and Hugging Face directory) in this directory.
    #[arg(long, value_name = "DIR")]
    pub synthetic_dir: Option<PathBuf>,
    /// (e) real models: a Python with `llama_cpp` (llama-cpp-python) to measure llama.cpp on the same files and
    /// rows, and to write the Q4_K_M and Q8_0 files with llama.cpp's quantizer.
    #[arg(long, value_name = "PYTHON")]
    pub llama_cpp: Option<PathBuf>,
    /// (e) real models: where the F16/Q8_0/Q4_K_M files are written and kept between runs.
    #[arg(long, value_name = "DIR")]
    pub real_dir: Option<PathBuf>,
    /// (e) real models: more files to measure, written by llama.cpp's quantizer from the F16 file (needs
    /// --llama-cpp), comma-separated: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K_S/M/L, Q4_K_S/M, Q5_K_S/M, Q6_K.
    #[arg(long, value_name = "TYPES", value_delimiter = ',')]
    pub real_extra: Vec<String>,
    /// Skip (e), the real-model section.
    #[arg(long, conflicts_with = "real_only")]
    pub skip_real: bool,
    /// Run only (e), the real-model section.
    #[arg(long)]
    pub real_only: bool,
    /// Also write the report as JSON; `-` prints the JSON on stdout instead of the table.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

pub fn run(args: BenchArgs) -> Result<()> {
    let mut options = BenchOptions::default();
    if let Some(path) = args.stories.clone() {
        options.stories_path = path;
    }
    if !args.real_only && !options.stories_path.is_file() {
        return Err(user_error(
            format!(
                "the benchmark model {} does not exist",
                options.stories_path.display()
            ),
            "pass --stories PATH to stories260K.gguf",
        ));
    }
    if args.skip_synthetic {
        options.synthetic = None;
    }
    options.synthetic_dir = args.synthetic_dir.clone();
    options.real = real_options(&args)?;
    if args.real_only {
        let real = options.real.unwrap_or_default();
        let report = run_real(&real, whylm_model::num_threads()).user_fault()?;
        return output(
            &args,
            serde_json::to_string_pretty(&report)?,
            report.to_markdown(),
        );
    }
    let report = run_suite(&options).user_fault()?;
    output(&args, report.to_json()?, report.to_markdown())
}

/// (e)'s options, or None with --skip-real.
fn real_options(args: &BenchArgs) -> Result<Option<RealOptions>> {
    if args.skip_real {
        return Ok(None);
    }
    let mut real = RealOptions::default();
    if let Some(python) = &args.llama_cpp {
        if !python.is_file() {
            return Err(user_error(
                format!("--llama-cpp {} does not exist", python.display()),
                "name a Python executable with llama_cpp installed (pip install llama-cpp-python==0.3.36)",
            ));
        }
        real.llama_cpp = Some(python.clone());
    }
    if let Some(dir) = &args.real_dir {
        real.cache_dir = dir.clone();
    }
    if !args.real_extra.is_empty() {
        if real.llama_cpp.is_none() {
            return Err(user_error(
                "--real-extra needs llama.cpp's quantizer",
                "pass --llama-cpp PYTHON as well",
            ));
        }
        if let Some(bad) = args
            .real_extra
            .iter()
            .find(|t| !whylm_bench::LLAMA_CPP_FTYPES.contains(&t.as_str()))
        {
            return Err(user_error(
                format!("--real-extra: llama.cpp has no quantization type {bad:?}"),
                format!("choose among {}", whylm_bench::LLAMA_CPP_FTYPES.join(", ")),
            ));
        }
        real.extra_types = args.real_extra.clone();
    }
    Ok(Some(real))
}

fn output(args: &BenchArgs, json: String, markdown: String) -> Result<()> {
    match &args.json {
        Some(path) if is_stdout(path) => print_stdout(&(json + "\n")),
        Some(path) => {
            write_file(path, &json, "benchmark JSON")?;
            print_stdout(&markdown)
        }
        None => print_stdout(&markdown),
    }
}
