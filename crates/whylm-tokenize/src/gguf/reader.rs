//! Reads the header and metadata of a GGUF file (versions 2 and 3, little-endian), never the
//! tensors. Every length in the file is checked against what is left of the file and against a
//! fixed ceiling before anything is allocated, so a damaged or hostile file gives a one-line
//! error instead of a huge allocation.

use std::io::Read;
use std::path::Path;

use super::metadata::{GgufMetadata, MetaValue};
use crate::error::{Result, TokenizeError};

const MAGIC: &[u8; 4] = b"GGUF";
/// Longest string accepted (chat templates are kilobytes, tokens bytes).
pub(crate) const MAX_STRING_BYTES: u64 = 1 << 24;
/// Most elements in one array (the largest vocabularies and merge lists are under 2^20).
pub(crate) const MAX_ARRAY_LEN: u64 = 1 << 24;
/// Most metadata entries (real files have dozens).
pub(crate) const MAX_ENTRIES: u64 = 1 << 16;
/// Arrays of arrays nest at most this deep (real files never nest).
const MAX_DEPTH: usize = 4;

/// What went wrong, before the caller says which file it was.
pub(crate) enum ReadFault {
    NotGguf { found: String },
    Malformed(String),
    Io(std::io::Error),
}

type Fault<T> = std::result::Result<T, ReadFault>;

struct Reader<R> {
    inner: R,
    /// Bytes of the file not read yet.
    remaining: u64,
}

impl<R: Read> Reader<R> {
    fn take<const N: usize>(&mut self, what: &str) -> Fault<[u8; N]> {
        if self.remaining < N as u64 {
            return Err(ReadFault::Malformed(format!(
                "the file ends inside {what} ({} of {N} bytes left)",
                self.remaining
            )));
        }
        let mut buf = [0u8; N];
        self.inner.read_exact(&mut buf).map_err(ReadFault::Io)?;
        self.remaining -= N as u64;
        Ok(buf)
    }

    fn u32(&mut self, what: &str) -> Fault<u32> {
        self.take::<4>(what).map(u32::from_le_bytes)
    }

    fn u64(&mut self, what: &str) -> Fault<u64> {
        self.take::<8>(what).map(u64::from_le_bytes)
    }

    /// A count of `unit`-byte items: at most `max`, and no more than the rest of the file holds.
    fn count(&mut self, what: &str, max: u64, unit: u64) -> Fault<usize> {
        let n = self.u64(what)?;
        if n > max {
            return Err(ReadFault::Malformed(format!(
                "{what} claims {n} items, more than the {max} this reader accepts"
            )));
        }
        if n.saturating_mul(unit) > self.remaining {
            return Err(ReadFault::Malformed(format!(
                "{what} claims {n} items of at least {unit} bytes but only {} bytes are left",
                self.remaining
            )));
        }
        usize::try_from(n).map_err(|_| ReadFault::Malformed(format!("{what} claims {n} items")))
    }

    fn string(&mut self, what: &str) -> Fault<String> {
        let len = self.count(what, MAX_STRING_BYTES, 1)?;
        let mut bytes = vec![0u8; len];
        self.inner.read_exact(&mut bytes).map_err(ReadFault::Io)?;
        self.remaining -= len as u64;
        // Some converters write a trailing NUL, and a few vocabularies hold pieces that are not
        // valid UTF-8: read them the way llama.cpp's consumers have been (lossily).
        while bytes.last() == Some(&0) {
            bytes.pop();
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn value(&mut self, type_code: u32, depth: usize, what: &str) -> Fault<MetaValue> {
        Ok(match type_code {
            0 => MetaValue::U8(self.take::<1>(what)?[0]),
            1 => MetaValue::I8(i8::from_le_bytes(self.take::<1>(what)?)),
            2 => MetaValue::U16(u16::from_le_bytes(self.take::<2>(what)?)),
            3 => MetaValue::I16(i16::from_le_bytes(self.take::<2>(what)?)),
            4 => MetaValue::U32(self.u32(what)?),
            5 => MetaValue::I32(i32::from_le_bytes(self.take::<4>(what)?)),
            6 => MetaValue::F32(f32::from_le_bytes(self.take::<4>(what)?)),
            7 => match self.take::<1>(what)?[0] {
                0 => MetaValue::Bool(false),
                1 => MetaValue::Bool(true),
                other => return Err(ReadFault::Malformed(format!("{what} is a bool of value {other}"))),
            },
            8 => MetaValue::String(self.string(what)?),
            9 => self.array(depth, what)?,
            10 => MetaValue::U64(self.u64(what)?),
            11 => MetaValue::I64(i64::from_le_bytes(self.take::<8>(what)?)),
            12 => MetaValue::F64(f64::from_le_bytes(self.take::<8>(what)?)),
            other => {
                return Err(ReadFault::Malformed(format!(
                    "{what} has unknown value type {other}"
                )))
            }
        })
    }

    fn array(&mut self, depth: usize, what: &str) -> Fault<MetaValue> {
        if depth >= MAX_DEPTH {
            return Err(ReadFault::Malformed(format!(
                "{what} nests arrays more than {MAX_DEPTH} deep"
            )));
        }
        let item_type = self.u32(what)?;
        let len = self.count(what, MAX_ARRAY_LEN, min_size(item_type))?;
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            items.push(self.value(item_type, depth + 1, what)?);
        }
        Ok(MetaValue::Array(items))
    }
}

/// The fewest bytes one value of a type takes, so that a count can be checked against the file.
fn min_size(type_code: u32) -> u64 {
    match type_code {
        0 | 1 | 7 => 1,
        2 | 3 => 2,
        4..=6 => 4,
        // strings and arrays start with an 8-byte length
        _ => 8,
    }
}

fn parse<R: Read>(inner: R, len: u64) -> Fault<GgufMetadata> {
    let mut reader = Reader {
        inner,
        remaining: len,
    };
    let mut magic = Vec::with_capacity(4);
    (&mut reader.inner)
        .take(4)
        .read_to_end(&mut magic)
        .map_err(ReadFault::Io)?;
    if magic != MAGIC {
        return Err(ReadFault::NotGguf {
            found: String::from_utf8_lossy(&magic).into_owned(),
        });
    }
    reader.remaining -= 4;
    let version = reader.u32("the version")?;
    match version {
        2 | 3 => {}
        1 => {
            return Err(ReadFault::Malformed(
                "GGUF version 1 is not supported (only 2 and 3)".into(),
            ))
        }
        v if (2..=3).contains(&v.swap_bytes()) => {
            return Err(ReadFault::Malformed(
                "the file is big-endian GGUF, which is not supported".into(),
            ))
        }
        v => {
            return Err(ReadFault::Malformed(format!(
                "unknown GGUF version {v} (only 2 and 3)"
            )))
        }
    }
    let _tensor_count = reader.u64("the tensor count")?;
    // each entry is at least a key length, an empty key, a type and a one-byte value
    let n_entries = reader.count("the metadata count", MAX_ENTRIES, 8 + 4 + 1)?;
    let mut metadata = GgufMetadata {
        version: Some(version),
        entries: std::collections::HashMap::with_capacity(n_entries),
    };
    for index in 0..n_entries {
        let key = reader.string(&format!("the key of metadata entry {index}"))?;
        let what = format!("the value of `{key}`");
        let type_code = reader.u32(&what)?;
        let value = reader.value(type_code, 0, &what)?;
        if metadata.entries.insert(key.clone(), value).is_some() {
            return Err(ReadFault::Malformed(format!("the key `{key}` appears twice")));
        }
    }
    Ok(metadata)
}

impl GgufMetadata {
    /// Reads the header and metadata of a GGUF file; the tensors are never read, so this is
    /// quick on multi-gigabyte models.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(TokenizeError::MissingFile {
                path: path.to_path_buf(),
            });
        }
        let io_error = |source| TokenizeError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io_error)?;
        let len = file.metadata().map_err(io_error)?.len();
        parse(std::io::BufReader::new(file), len).map_err(|fault| match fault {
            ReadFault::NotGguf { found } => TokenizeError::NotGguf {
                path: path.to_path_buf(),
                found,
            },
            ReadFault::Malformed(detail) => TokenizeError::TruncatedGguf {
                path: path.to_path_buf(),
                detail,
            },
            ReadFault::Io(source) => io_error(source),
        })
    }

    /// Reads the header and metadata from the bytes of a GGUF file (the whole file, or at least
    /// its header and metadata).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        parse(bytes, bytes.len() as u64).map_err(|fault| TokenizeError::MalformedGgufBytes {
            detail: match fault {
                ReadFault::NotGguf { found } => {
                    format!("the first bytes are {found:?}, expected \"GGUF\"")
                }
                ReadFault::Malformed(detail) => detail,
                ReadFault::Io(e) => e.to_string(),
            },
        })
    }
}
