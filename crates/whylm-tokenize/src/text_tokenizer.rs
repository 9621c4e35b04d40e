//! The tokenizer as the explanation layers see it, through the backend seam.

use whylm_backend::{BackendError, Encoding, TextTokenizer};

use crate::error::TokenizeError;
use crate::tokenizer::Tokenizer;

impl TextTokenizer for Tokenizer {
    fn encode(&self, text: &str, add_special: bool) -> Result<Encoding, BackendError> {
        Tokenizer::encode(self, text, add_special).map_err(|e| match e {
            // the tokenization engine failing on valid text is whylm's fault, not the user's
            TokenizeError::Encode { .. } => BackendError::Failed(format!("tokenizer: {e}")),
            _ => BackendError::Input(format!("tokenizer: {e}")),
        })
    }

    fn piece_text(&self, id: u32) -> Option<String> {
        Tokenizer::piece_text(self, id)
    }

    fn token_id(&self, piece: &str) -> Option<u32> {
        Tokenizer::token_id(self, piece)
    }

    fn bos_id(&self) -> Option<u32> {
        Tokenizer::bos_id(self)
    }

    fn eos_id(&self) -> Option<u32> {
        Tokenizer::eos_id(self)
    }

    fn vocab_size(&self) -> usize {
        Tokenizer::vocab_size(self)
    }
}
