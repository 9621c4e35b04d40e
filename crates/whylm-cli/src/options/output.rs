//! Writing results: stdout (tolerating a closed pipe, as in `whylm tokenize ... | head`) and output files.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Result;

use crate::failure::user_error;

/// Whether an output path is `-`, which means stdout rather than a file.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Prints `text` on stdout; a reader that went away early is not an error.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::from(error).context("could not write to stdout"))
        }
        _ => Ok(()),
    }
}

/// Colour only for a person at a terminal, and never with `--no-color` or NO_COLOR set.
pub fn use_color(no_color: bool) -> bool {
    !no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// Writes an output file the user asked for; failing to write it is the user's to fix (path, permissions).
pub fn write_file(path: &Path, contents: &str, what: &str) -> Result<()> {
    std::fs::write(path, contents).map_err(|error| {
        user_error(
            format!("could not write the {what} to '{}': {error}", path.display()),
            "check that the folder exists and is writable, or choose another path",
        )
    })
}
