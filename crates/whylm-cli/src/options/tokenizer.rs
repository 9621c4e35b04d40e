//! Loading only a tokenizer (no weights), for `whylm tokenize`.

use std::path::Path;

use anyhow::Result;
use whylm_tokenize::Tokenizer;

use crate::fault::tokenizer_file_error;
use crate::options::model_path::{check_model_path, ModelPathKind};

/// The tokenizer of a GGUF file (weights optional) or of a Hugging Face directory (tokenizer.json).
pub fn load_tokenizer(path: &Path) -> Result<Tokenizer> {
    let loaded = match check_model_path(path, "tokenizer.json")? {
        ModelPathKind::File => Tokenizer::from_gguf_file(path),
        ModelPathKind::Directory => Tokenizer::from_hf_dir(path),
    };
    loaded.map_err(tokenizer_file_error)
}
