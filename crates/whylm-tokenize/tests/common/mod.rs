//! A GGUF writer for tests: header and metadata only, little-endian, any version.

pub const U32: u32 = 4;
pub const BOOL: u32 = 7;
pub const STRING: u32 = 8;
pub const ARRAY: u32 = 9;

pub struct Gguf {
    pub bytes: Vec<u8>,
}

impl Gguf {
    /// Magic, version, tensor count 0 and the metadata count.
    pub fn new(version: u32, n_entries: u64) -> Self {
        let mut bytes = b"GGUF".to_vec();
        bytes.extend(version.to_le_bytes());
        bytes.extend(0u64.to_le_bytes());
        bytes.extend(n_entries.to_le_bytes());
        Self { bytes }
    }

    pub fn u32(&mut self, x: u32) -> &mut Self {
        self.bytes.extend(x.to_le_bytes());
        self
    }

    pub fn u64(&mut self, x: u64) -> &mut Self {
        self.bytes.extend(x.to_le_bytes());
        self
    }

    pub fn string(&mut self, s: &str) -> &mut Self {
        self.u64(s.len() as u64);
        self.bytes.extend(s.as_bytes());
        self
    }

    pub fn string_entry(&mut self, key: &str, value: &str) -> &mut Self {
        self.string(key).u32(STRING).string(value)
    }

    pub fn strings_entry(&mut self, key: &str, values: &[&str]) -> &mut Self {
        self.string(key).u32(ARRAY).u32(STRING).u64(values.len() as u64);
        for v in values {
            self.string(v);
        }
        self
    }
}
