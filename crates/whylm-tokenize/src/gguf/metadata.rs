//! GGUF metadata as this crate's own types, so that no tensor library shows in its API.

use std::collections::HashMap;

/// One GGUF metadata value (the GGUF value types, v2 and v3).
#[derive(Debug, Clone, PartialEq)]
pub enum MetaValue {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    U64(u64),
    I64(i64),
    F32(f32),
    F64(f64),
    Bool(bool),
    String(String),
    Array(Vec<MetaValue>),
}

impl MetaValue {
    /// The GGUF name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::U8(_) => "u8",
            Self::I8(_) => "i8",
            Self::U16(_) => "u16",
            Self::I16(_) => "i16",
            Self::U32(_) => "u32",
            Self::I32(_) => "i32",
            Self::U64(_) => "u64",
            Self::I64(_) => "i64",
            Self::F32(_) => "f32",
            Self::F64(_) => "f64",
            Self::Bool(_) => "bool",
            Self::String(_) => "string",
            Self::Array(_) => "array",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// Any integer type that fits an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        Some(match *self {
            Self::U8(x) => i64::from(x),
            Self::I8(x) => i64::from(x),
            Self::U16(x) => i64::from(x),
            Self::I16(x) => i64::from(x),
            Self::U32(x) => i64::from(x),
            Self::I32(x) => i64::from(x),
            Self::U64(x) => i64::try_from(x).ok()?,
            Self::I64(x) => x,
            _ => return None,
        })
    }

    /// A float, or an integer read as one.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Self::F32(x) => Some(f64::from(x)),
            Self::F64(x) => Some(x),
            _ => self.as_i64().map(|x| x as f64),
        }
    }

    /// A bool, or an integer (non-zero is true), as llama.cpp's converters sometimes write flags.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Self::Bool(b) => Some(b),
            _ => self.as_i64().map(|x| x != 0),
        }
    }

    pub fn as_array(&self) -> Option<&[MetaValue]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }
}

/// The key-value metadata of a GGUF file (read with [`GgufMetadata::from_file`] or
/// [`GgufMetadata::from_bytes`], or built by hand with [`GgufMetadata::insert`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GgufMetadata {
    /// The file's GGUF version; `None` for metadata built by hand.
    pub(crate) version: Option<u32>,
    pub(crate) entries: HashMap<String, MetaValue>,
}

impl GgufMetadata {
    /// Empty metadata, to fill with [`GgufMetadata::insert`].
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: &str) -> Option<&MetaValue> {
        self.entries.get(key)
    }

    /// Sets `key`, returning the value it replaces.
    pub fn insert(&mut self, key: impl Into<String>, value: MetaValue) -> Option<MetaValue> {
        self.entries.insert(key.into(), value)
    }

    /// The GGUF version of the file this was read from (2 or 3).
    pub fn version(&self) -> Option<u32> {
        self.version
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every key with its value, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &MetaValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl FromIterator<(String, MetaValue)> for GgufMetadata {
    fn from_iter<I: IntoIterator<Item = (String, MetaValue)>>(iter: I) -> Self {
        Self {
            version: None,
            entries: iter.into_iter().collect(),
        }
    }
}
