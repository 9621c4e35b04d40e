//! The tokenizer: one type for GGUF and Hugging Face vocabularies.

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use crate::error::{Result, TokenizeError};
use crate::gguf::{self, GgufMetadata};
use crate::hf;
use crate::parts::{TokenizerKind, TokenizerParts};
use crate::pieces::{bytes_for_display, surface_bytes, PieceStyle};
use crate::spans::{token_spans, RawToken};
use whylm_backend::Encoding;

/// How to encode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Add the model's BOS/EOS as its configuration says (llama.cpp's `add_special`).
    pub add_special: bool,
    /// Recognise special-token text such as `<s>` or `<|eot_id|>` in the input as those tokens
    /// (llama.cpp's `parse_special`, what transformers always does). When false they are
    /// tokenized as plain text. User-defined tokens are matched either way, as in llama.cpp.
    pub parse_special: bool,
}

/// A tokenizer for a Llama-family model.
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    /// A copy that encodes special-token text literally; built on first use because most
    /// callers never need it and vocabularies can be large.
    literal: OnceLock<tokenizers::Tokenizer>,
    kind: TokenizerKind,
    style: PieceStyle,
    prefix: Vec<u32>,
    suffix: Vec<u32>,
    bos: Option<u32>,
    eos: Option<u32>,
    special: HashSet<u32>,
    vocab_size: usize,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("kind", &self.kind)
            .field("vocab_size", &self.vocab_size)
            .field("bos", &self.bos)
            .field("eos", &self.eos)
            .field("prefix", &self.prefix)
            .field("suffix", &self.suffix)
            .finish_non_exhaustive()
    }
}

impl Tokenizer {
    fn from_parts(parts: TokenizerParts) -> Self {
        let vocab_size = parts.inner.get_vocab_size(true);
        Self {
            inner: parts.inner,
            literal: OnceLock::new(),
            kind: parts.kind,
            style: parts.style,
            prefix: parts.prefix,
            suffix: parts.suffix,
            bos: parts.bos,
            eos: parts.eos,
            special: parts.special,
            vocab_size,
        }
    }

    /// Loads the tokenizer embedded in a GGUF file, reading only its header and metadata
    /// (vocabulary-only files work, and multi-gigabyte models are not read through).
    pub fn from_gguf_file(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_gguf_metadata(&GgufMetadata::from_file(path)?)
    }

    /// Loads the tokenizer from the bytes of a GGUF file (the whole file, or at least its header
    /// and metadata).
    pub fn from_gguf_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_gguf_metadata(&GgufMetadata::from_bytes(bytes)?)
    }

    /// Builds the tokenizer from GGUF metadata (`tokenizer.ggml.*` keys).
    ///
    /// BOS/EOS are added as `tokenizer.ggml.add_bos_token` / `add_eos_token` say; when a key is
    /// absent llama.cpp's defaults apply: `llama` adds BOS, `gpt2` adds BOS only for the
    /// pre-tokenizers llama.cpp adds it for (`llama3`, `llama-bpe`, `tekken`, `chameleon`, ...),
    /// neither adds EOS.
    pub fn from_gguf_metadata(metadata: &GgufMetadata) -> Result<Self> {
        gguf::build(metadata).map(Self::from_parts)
    }

    /// Loads `tokenizer.json` from a Hugging Face model directory; `tokenizer_config.json`
    /// (`bos_token`, `eos_token`, `add_bos_token`, `add_eos_token`) overrides what the
    /// post-processor adds, and `config.json` supplies BOS/EOS ids when nothing else does.
    pub fn from_hf_dir(dir: impl AsRef<Path>) -> Result<Self> {
        hf::build_from_dir(dir.as_ref()).map(Self::from_parts)
    }

    /// Builds from the bytes of a `tokenizer.json` alone (BOS/EOS from its post-processor).
    pub fn from_tokenizer_json(bytes: &[u8]) -> Result<Self> {
        hf::build(bytes, &hf::SpecialConfig::default()).map(Self::from_parts)
    }

    /// Encodes text, parsing special-token text (see [`EncodeOptions`]).
    pub fn encode(&self, text: &str, add_special: bool) -> Result<Encoding> {
        self.encode_with(
            text,
            EncodeOptions {
                add_special,
                parse_special: true,
            },
        )
    }

    /// Encodes raw bytes, refusing invalid UTF-8 with a clear error.
    pub fn encode_bytes(&self, bytes: &[u8], add_special: bool) -> Result<Encoding> {
        let text = std::str::from_utf8(bytes).map_err(|e| TokenizeError::InvalidUtf8 {
            offset: e.valid_up_to(),
        })?;
        self.encode(text, add_special)
    }

    /// Encodes text with explicit options.
    pub fn encode_with(&self, text: &str, options: EncodeOptions) -> Result<Encoding> {
        let engine = if options.parse_special {
            &self.inner
        } else {
            self.literal.get_or_init(|| {
                let mut copy = self.inner.clone();
                copy.set_encode_special_tokens(true);
                copy
            })
        };
        let encoded = engine.encode(text, false).map_err(|e| TokenizeError::Encode {
            detail: e.to_string(),
        })?;

        let ids = encoded.get_ids();
        let surfaces: Vec<Vec<u8>> = ids
            .iter()
            .zip(encoded.get_tokens())
            .map(|(&id, piece)| {
                // Special tokens matched in the text stand for their own text.
                let literal = options.parse_special && self.special.contains(&id);
                surface_bytes(self.style, piece, literal)
            })
            .collect();
        let raw: Vec<RawToken<'_>> = encoded
            .get_offsets()
            .iter()
            .zip(&surfaces)
            .map(|(&offsets, surface)| RawToken { offsets, surface })
            .collect();
        let text_spans = token_spans(text, &raw);

        let add = options.add_special;
        let n = ids.len()
            + if add {
                self.prefix.len() + self.suffix.len()
            } else {
                0
            };
        let mut out = Encoding {
            ids: Vec::with_capacity(n),
            spans: Vec::with_capacity(n),
            special: Vec::with_capacity(n),
        };
        if add {
            for &id in &self.prefix {
                out.ids.push(id);
                out.spans.push((0, 0));
                out.special.push(true);
            }
        }
        for (&id, &span) in ids.iter().zip(&text_spans) {
            out.ids.push(id);
            out.spans.push(span);
            out.special.push(self.special.contains(&id));
        }
        if add {
            for &id in &self.suffix {
                out.ids.push(id);
                out.spans.push((text.len(), text.len()));
                out.special.push(true);
            }
        }
        Ok(out)
    }

    /// Decodes ids to text, special tokens included (as their text).
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.decode_impl(ids, false)
    }

    /// Decodes ids to text, leaving special tokens out.
    pub fn decode_skip_special(&self, ids: &[u32]) -> Result<String> {
        self.decode_impl(ids, true)
    }

    fn decode_impl(&self, ids: &[u32], skip_special: bool) -> Result<String> {
        if let Some(&id) = ids.iter().find(|&&id| id as usize >= self.vocab_size) {
            return Err(TokenizeError::UnknownId {
                id,
                vocab_size: self.vocab_size,
            });
        }
        let kept: Vec<u32> = ids
            .iter()
            .copied()
            .filter(|id| !(skip_special && self.special.contains(id)))
            .collect();
        self.inner
            .decode(&kept, false)
            .map_err(|e| TokenizeError::Encode {
                detail: e.to_string(),
            })
    }

    /// The raw vocabulary piece, e.g. `▁the`, `<0x0A>` or `Ġthe`.
    pub fn piece(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }

    /// The piece as people read it: `▁` as a space, `<0x0A>` as a newline, byte-level
    /// characters as their bytes; bytes that are not valid UTF-8 on their own stay `<0xNN>`.
    pub fn piece_text(&self, id: u32) -> Option<String> {
        let piece = self.piece(id)?;
        let literal = self.special.contains(&id);
        Some(bytes_for_display(&surface_bytes(self.style, &piece, literal)))
    }

    /// The id of a piece, if it is in the vocabulary.
    pub fn token_id(&self, piece: &str) -> Option<u32> {
        self.inner.token_to_id(piece)
    }

    pub fn bos_id(&self) -> Option<u32> {
        self.bos
    }

    pub fn eos_id(&self) -> Option<u32> {
        self.eos
    }

    /// Whether `encode(.., true)` adds a BOS token.
    pub fn adds_bos(&self) -> bool {
        self.bos.is_some_and(|bos| self.prefix.contains(&bos))
    }

    /// Number of ids, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// True for control tokens (BOS, EOS, chat-template markers): never features.
    pub fn is_special(&self, id: u32) -> bool {
        self.special.contains(&id)
    }

    pub fn kind(&self) -> TokenizerKind {
        self.kind
    }
}
