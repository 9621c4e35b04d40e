//! Tokenization as the explanation layers need it: ids with the byte span of each id in the text.

use crate::error::BackendError;

/// Token ids with their places in the text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encoding {
    pub ids: Vec<u32>,
    /// Byte offsets `[start, end)` into the original text, one per id. In order, never
    /// overlapping, always on UTF-8 character boundaries. Added special tokens (BOS) have an
    /// empty span where they were added (BOS: `(0, 0)`). When several tokens cover one
    /// multi-byte character (byte fallback, byte-level pieces), the first gets the whole
    /// character and the others an empty span at its end. A SentencePiece dummy-prefix `▁`
    /// that stands alone gets an empty span.
    pub spans: Vec<(usize, usize)>,
    /// True for special tokens (control tokens such as BOS, EOS, chat-template markers), whether
    /// added or found in the text. They are never features.
    pub special: Vec<bool>,
}

impl Encoding {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A tokenizer seen from the explanation layers.
pub trait TextTokenizer {
    /// Encodes `text`; `add_special` adds BOS/EOS as the model's configuration says.
    fn encode(&self, text: &str, add_special: bool) -> Result<Encoding, BackendError>;
    /// The piece as people read it (`▁` as a space, byte pieces as their bytes).
    fn piece_text(&self, id: u32) -> Option<String>;
    /// The id of a vocabulary piece, if there is one.
    fn token_id(&self, piece: &str) -> Option<u32>;
    fn bos_id(&self) -> Option<u32>;
    fn eos_id(&self) -> Option<u32>;
    /// Number of ids, added tokens included.
    fn vocab_size(&self) -> usize;
}
