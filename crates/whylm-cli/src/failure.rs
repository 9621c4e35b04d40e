//! How the binary fails: user mistakes print one line and exit 2, internal failures print one line and exit 1.
//! Nothing ever prints a backtrace: errors are shown with `Display`, and panics go through a one-line hook.

use std::fmt;
use std::process::ExitCode;

/// Exit status for a mistake the user can fix (the same code clap uses for bad arguments).
pub const USER_ERROR_EXIT: u8 = 2;
/// Exit status for a failure inside whylm.
pub const INTERNAL_ERROR_EXIT: u8 = 1;

/// A mistake the user can fix. Its message reads `<what is wrong>; <what to do>`.
#[derive(Debug)]
pub struct UserError {
    message: String,
}

impl UserError {
    /// An error built from its two halves.
    pub fn new(what: impl fmt::Display, fix: impl fmt::Display) -> Self {
        Self {
            message: format!("{what}; {fix}"),
        }
    }

    /// An error whose message (usually a library's) already says what is wrong and what to do.
    pub fn from_message(message: impl fmt::Display) -> Self {
        Self {
            message: message.to_string(),
        }
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// A failure outside whylm (a serving engine that is down, times out or answers garbage): exit 1 like an internal
/// failure, but the message names what to check instead of asking for a bug report.
#[derive(Debug)]
pub struct ExternalFailure {
    message: String,
}

impl ExternalFailure {
    /// A failure whose message (the backend's) already names the engine and what to check.
    pub fn from_message(message: impl fmt::Display) -> Self {
        Self {
            message: message.to_string(),
        }
    }
}

impl fmt::Display for ExternalFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExternalFailure {}

/// Shorthand for `Err(UserError::new(what, fix).into())`.
pub fn user_error(what: impl fmt::Display, fix: impl fmt::Display) -> anyhow::Error {
    UserError::new(what, fix).into()
}

/// Marks a library error as the user's to fix (for calls whose every failure comes from user input).
pub trait UserFault<T> {
    fn user_fault(self) -> anyhow::Result<T>;
}

impl<T, E: fmt::Display> UserFault<T> for Result<T, E> {
    fn user_fault(self) -> anyhow::Result<T> {
        self.map_err(|e| UserError::from_message(e).into())
    }
}

/// Prints the error as one line on stderr and returns the exit code for it.
pub fn report(error: &anyhow::Error) -> ExitCode {
    let is_user = error.chain().any(|cause| cause.is::<UserError>());
    let is_external = error.chain().any(|cause| cause.is::<ExternalFailure>());
    // `{:#}` joins the context chain with ": " and never includes the backtrace anyhow may have captured.
    let text = one_line(&format!("{error:#}"));
    if is_user {
        eprintln!("error: {text}");
        ExitCode::from(USER_ERROR_EXIT)
    } else if is_external {
        eprintln!("error: {text}");
        ExitCode::from(INTERNAL_ERROR_EXIT)
    } else {
        eprintln!("error: {text}; this is a bug in whylm, please report it");
        ExitCode::from(INTERNAL_ERROR_EXIT)
    }
}

/// Handles a clap parse error: help and version go to stdout with exit 0; mistakes become one line with exit 2.
pub fn report_clap(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // Printing help can only fail if stdout is closed; there is nothing useful left to do then.
            let _ = error.print();
            if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(USER_ERROR_EXIT)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = error.render().to_string();
            // clap's message is its first paragraph (a heading line plus indented details); usage and tips follow.
            let paragraph = rendered
                .trim_start()
                .split("\n\n")
                .next()
                .unwrap_or("invalid arguments");
            let joined = one_line(paragraph);
            let what = joined.trim_start_matches("error:").trim();
            let what = if what.is_empty() {
                "invalid arguments"
            } else {
                what
            };
            if what.contains("; ") {
                eprintln!("error: {what}");
            } else {
                eprintln!("error: {what}; run 'whylm --help' or 'whylm <command> --help' to see the usage");
            }
            ExitCode::from(USER_ERROR_EXIT)
        }
    }
}

/// Replaces the default panic output (message, location, backtrace note) with one line.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal failure: {}{place}; this is a bug in whylm, please report it",
            one_line(&message)
        );
    }));
}

/// Collapses a message that may span lines (library errors sometimes do) into one line.
fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_joins_lines_and_drops_blank_ones() {
        assert_eq!(one_line("a\n\n  b\r\nc "), "a b c");
    }

    #[test]
    fn user_errors_exit_2_and_internal_failures_exit_1() {
        let user = anyhow::Error::from(UserError::new("bad", "fix it")).context("while reading");
        assert_eq!(report(&user), ExitCode::from(USER_ERROR_EXIT));
        assert_eq!(
            report(&anyhow::anyhow!("tensor shapes disagree")),
            ExitCode::from(INTERNAL_ERROR_EXIT)
        );
    }

    #[test]
    fn user_errors_are_found_under_context() {
        let error = anyhow::Error::from(UserError::new("bad", "fix it")).context("while reading");
        assert!(error.chain().any(|c| c.is::<UserError>()));
        assert_eq!(format!("{error:#}"), "while reading: bad; fix it");
    }
}
