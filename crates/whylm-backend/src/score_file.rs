//! The score file: every scored row appended to a text file as it is scored, so that a run that is killed loses
//! nothing it had finished and a rerun with the same arguments scores only what is missing.
//!
//! One line per row: the row's key (32 hex digits, see [`row_key`]) and its scores as the hex bits of each f32
//! (exact: a cached score is the very number the model gave). A line is written whole with its newline; a run killed
//! while writing leaves at most one partial last line, which opening drops.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::BackendError;
use crate::line_file::LineFile;
use crate::row::MaskedRow;
use crate::score::ScoreKind;

/// Scores by row key, backed by an append-only file.
#[derive(Debug)]
pub struct ScoreFile {
    path: PathBuf,
    file: File,
    scores: HashMap<u128, Vec<f32>>,
}

impl ScoreFile {
    /// Opens (or creates) the score file at `path`, reading every complete line; a partial last line (a killed
    /// run) is cut off. A damaged line elsewhere is an error that says to delete the file.
    pub fn open(path: &Path) -> Result<Self, BackendError> {
        let fail = |what: &str, e: std::io::Error| {
            BackendError::Input(format!(
                "could not {what} the score cache '{}': {e}; check the path and its permissions",
                path.display()
            ))
        };
        let mut lines = LineFile::open(path).map_err(|e| fail("open", e))?;
        lines.cut_partial_line().map_err(|e| fail("repair", e))?;
        let mut scores = HashMap::new();
        for (n, line) in lines.complete.split(|&b| b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let (key, values) = parse_line(line).ok_or_else(|| {
                BackendError::Input(format!(
                    "the score cache '{}' is damaged at line {}; delete it to score everything afresh",
                    path.display(),
                    n + 1
                ))
            })?;
            scores.insert(key, values);
        }
        Ok(ScoreFile {
            path: path.to_path_buf(),
            file: lines.file,
            scores,
        })
    }

    /// Rows it holds.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    pub fn get(&self, key: u128) -> Option<&Vec<f32>> {
        self.scores.get(&key)
    }

    /// Appends rows (key, scores) in one write and flushes it to the file.
    pub fn append(&mut self, rows: &[(u128, Vec<f32>)]) -> Result<(), BackendError> {
        let mut text = String::new();
        for (key, values) in rows {
            text.push_str(&format!("{key:032x}"));
            for v in values {
                text.push_str(&format!(" {:08x}", v.to_bits()));
            }
            text.push('\n');
        }
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|e| {
                BackendError::Failed(format!(
                    "could not write the score cache '{}': {e}; is the disk full?",
                    self.path.display()
                ))
            })?;
        for (key, values) in rows {
            self.scores.insert(*key, values.clone());
        }
        Ok(())
    }
}

fn parse_line(line: &[u8]) -> Option<(u128, Vec<f32>)> {
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split(' ');
    let key = words.next().filter(|k| k.len() == 32)?;
    let key = u128::from_str_radix(key, 16).ok()?;
    let values = words
        .map(|w| u32::from_str_radix(w, 16).ok().map(f32::from_bits))
        .collect::<Option<Vec<f32>>>()?;
    Some((key, values))
}

/// What a row's scores depend on, hashed (FNV-1a, 128 bits): the visible slots (token id and position, in order;
/// a hidden slot changes nothing), the target ids and the score kind.
pub fn row_key(row: &MaskedRow, target_ids: &[u32], kind: &ScoreKind) -> u128 {
    let mut h = Fnv128::default();
    let (tag, alternatives): (u32, &[u32]) = match kind {
        ScoreKind::LogProb => (0, &[]),
        ScoreKind::Prob => (1, &[]),
        ScoreKind::Logit => (2, &[]),
        ScoreKind::LogOdds => (3, &[]),
        ScoreKind::Contrast(alt) => (4, alt),
    };
    h.words(&[tag, alternatives.len() as u32]);
    h.words(alternatives);
    h.words(&[target_ids.len() as u32]);
    h.words(target_ids);
    for ((id, pos), _) in row
        .token_ids
        .iter()
        .zip(&row.position_ids)
        .zip(&row.attend)
        .filter(|(_, attend)| **attend)
    {
        h.words(&[*id, *pos]);
    }
    h.0
}

/// FNV-1a-128 of `bytes`: a stable fingerprint (of a batch row's settings, say) for files that outlive a run.
pub fn fingerprint(bytes: &[u8]) -> u128 {
    let mut h = Fnv128::default();
    h.bytes(bytes);
    h.0
}

/// FNV-1a over 128 bits: stable across versions and platforms (the file outlives the binary that wrote it).
struct Fnv128(u128);

impl Default for Fnv128 {
    fn default() -> Self {
        Fnv128(0x6c62272e07bb014262b821756295c58d)
    }
}

impl Fnv128 {
    const PRIME: u128 = 0x0000000001000000000000000000013b;

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    fn words(&mut self, words: &[u32]) {
        for w in words {
            self.bytes(&w.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row::{masked_row, Masker};

    fn temp(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("whylm-score-file-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        path
    }

    #[test]
    fn scores_come_back_bit_for_bit_and_a_partial_last_line_is_dropped() {
        let path = temp("roundtrip");
        let mut file = ScoreFile::open(&path).unwrap();
        let values = vec![-1.25e-7f32, f32::MIN_POSITIVE, -0.0, 3.0];
        file.append(&[(7, values.clone()), (u128::MAX, vec![])]).unwrap();
        drop(file);
        // a killed writer: half a line at the end
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"0000000000000000000000000000000a 3f80")
            .unwrap();
        let mut file = ScoreFile::open(&path).unwrap();
        assert_eq!(file.len(), 2);
        let back = file.get(7).unwrap();
        assert!(back.iter().zip(&values).all(|(a, b)| a.to_bits() == b.to_bits()));
        // the cut line is gone, so the next append starts a line of its own
        file.append(&[(10, vec![1.0])]).unwrap();
        assert_eq!(ScoreFile::open(&path).unwrap().get(10), Some(&vec![1.0]));
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_damaged_line_in_the_middle_is_an_error_naming_the_line() {
        let path = temp("damaged");
        std::fs::write(&path, "0000000000000000000000000000000a 3f800000\nnot a line\n").unwrap();
        let message = ScoreFile::open(&path).unwrap_err().to_string();
        assert!(message.contains("damaged at line 2"), "{message}");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn the_key_sees_visible_slots_targets_and_kind_only() {
        let ids = [1, 5, 6, 7];
        let hide = masked_row(&ids, &[true, false, true, true], &Masker::Hide);
        let mut other_hidden_id = hide.clone();
        other_hidden_id.token_ids[1] = 99;
        let lp = ScoreKind::LogProb;
        assert_eq!(row_key(&hide, &[3], &lp), row_key(&other_hidden_id, &[3], &lp));
        let delete = masked_row(&ids, &[true, false, true, true], &Masker::Delete);
        assert_ne!(
            row_key(&hide, &[3], &lp),
            row_key(&delete, &[3], &lp),
            "positions differ"
        );
        assert_ne!(row_key(&hide, &[3], &lp), row_key(&hide, &[4], &lp));
        assert_ne!(row_key(&hide, &[3], &lp), row_key(&hide, &[3], &ScoreKind::Prob));
        assert_ne!(
            row_key(&hide, &[3], &ScoreKind::Contrast(vec![8])),
            row_key(&hide, &[3], &ScoreKind::Contrast(vec![9]))
        );
    }
}
