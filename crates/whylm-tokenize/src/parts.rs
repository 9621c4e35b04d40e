//! What a vocabulary converter hands to the tokenizer: the `tokenizers` engine plus how its
//! pieces read and which ids are added or special. Converters (`gguf`, `hf`) produce it and
//! [`crate::Tokenizer`] consumes it, so neither side names the other.

use std::collections::HashSet;

use crate::pieces::PieceStyle;

/// Which tokenization algorithm a tokenizer runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenizerKind {
    /// SentencePiece-style BPE with `▁` spaces and `<0xNN>` byte fallback (GGUF `llama`;
    /// Llama 1/2, Mistral, TinyLlama, Phi-3).
    SentencePieceBpe,
    /// GPT-2 style byte-level BPE (GGUF `gpt2`; Llama 3, Qwen2, GPT-2, SmolLM).
    ByteLevelBpe,
    /// Any other `tokenizer.json` model (Unigram, WordPiece, ...): encoded by the `tokenizers`
    /// crate, spans from its offsets.
    Other,
}

/// Everything a vocabulary converter produces.
pub(crate) struct TokenizerParts {
    pub inner: tokenizers::Tokenizer,
    pub kind: TokenizerKind,
    pub style: PieceStyle,
    /// Ids added before the text when `add_special` (usually `[bos]` or nothing).
    pub prefix: Vec<u32>,
    /// Ids added after the text when `add_special` (usually nothing).
    pub suffix: Vec<u32>,
    pub bos: Option<u32>,
    pub eos: Option<u32>,
    pub special: HashSet<u32>,
}
