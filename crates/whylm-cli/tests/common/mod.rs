//! Running the built `whylm` binary and checking how it ended.

#![allow(dead_code)] // each test file uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A path under the shared reference data (../shared beside the checkout).
pub fn shared(relative: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")).join(relative)
}

/// Runs `whylm` with RUST_BACKTRACE=1, so that any backtrace that could ever be printed would be.
pub fn whylm<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_whylm"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .env_remove("NO_COLOR")
        .output()
        .expect("the whylm binary built by cargo can be started")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Succeeded; on failure shows what the binary said.
pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "whylm failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
}

/// A user error: exit code 2, exactly one line on stderr in the form `error: <what>; <what to do>` that mentions
/// `needle`, and nothing that looks like a panic or a backtrace.
pub fn assert_user_error(output: &Output, needle: &str) {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(2),
        "exit code for a user error; stderr:\n{err}"
    );
    assert_eq!(err.lines().count(), 1, "exactly one line on stderr, got:\n{err}");
    assert!(err.ends_with('\n'), "the line ends with a newline: {err:?}");
    assert!(err.starts_with("error: "), "starts with 'error: ': {err}");
    assert!(
        err.contains("; "),
        "says what is wrong and then what to do: {err}"
    );
    assert!(
        err.to_lowercase().contains(&needle.to_lowercase()),
        "mentions {needle:?}: {err}"
    );
    for forbidden in ["panicked", "backtrace", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(!err.contains(forbidden), "no {forbidden:?} in: {err}");
    }
}

/// A temporary folder removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("whylm-cli-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("the temporary folder can be created");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
