//! `whylm bench`: the fixed speed suite (whylm-bench) as a table, and optionally as JSON.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use whylm_bench::{run_suite, BenchOptions};

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
    /// Also write the report as JSON; `-` prints the JSON on stdout instead of the table.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

pub fn run(args: BenchArgs) -> Result<()> {
    let mut options = BenchOptions::default();
    if let Some(path) = args.stories {
        options.stories_path = path;
    }
    if !options.stories_path.is_file() {
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
    options.synthetic_dir = args.synthetic_dir;
    let report = run_suite(&options).user_fault()?;
    match &args.json {
        Some(path) if is_stdout(path) => print_stdout(&(report.to_json()? + "\n")),
        Some(path) => {
            write_file(path, &report.to_json()?, "benchmark JSON")?;
            print_stdout(&report.to_markdown())
        }
        None => print_stdout(&report.to_markdown()),
    }
}
