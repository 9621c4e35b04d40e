//! `whylm`: explain language-model outputs with Shapley values. Parsing and dispatch live in `commands`,
//! failure handling (one-line messages, exit codes 2 and 1) in `failure`.

mod commands;
mod failure;
mod fault;
mod options;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    failure::install_panic_hook();
    let cli = match commands::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return failure::report_clap(&error),
    };
    // The hook has already printed the one-line message for a panic; only the exit code is left to set.
    match std::panic::catch_unwind(|| commands::run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => failure::report(&error),
        Err(_) => ExitCode::from(failure::INTERNAL_ERROR_EXIT),
    }
}
