//! A file of whole lines, appended to by a writer that may be killed half way through a line: the score cache and
//! a batch's results file.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// A line file opened (or created) for appending, with the bytes of its complete lines.
#[derive(Debug)]
pub struct LineFile {
    pub file: File,
    /// Every complete line, each with its line break.
    pub complete: Vec<u8>,
    /// Whether a partial last line follows them.
    partial: bool,
}

impl LineFile {
    pub fn open(path: &Path) -> std::io::Result<LineFile> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let mut complete = Vec::new();
        file.read_to_end(&mut complete)?;
        let end = complete.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let partial = end < complete.len();
        complete.truncate(end);
        Ok(LineFile {
            file,
            complete,
            partial,
        })
    }

    /// The complete lines, without their line breaks (empty lines left out).
    pub fn lines(&self) -> impl Iterator<Item = &[u8]> {
        self.complete
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
    }

    /// Cuts a partial last line off the file, so that the next line appended starts a line of its own.
    pub fn cut_partial_line(&mut self) -> std::io::Result<()> {
        if self.partial {
            self.file.set_len(self.complete.len() as u64)?;
            self.file.seek(SeekFrom::End(0))?;
            self.partial = false;
        }
        Ok(())
    }
}
