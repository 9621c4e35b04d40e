//! Checks on a model path given by the user, done before any loader runs so that the common mistakes get a
//! precise one-line message: a path that does not exist, a directory that is not a Hugging Face model.

use std::path::Path;

use anyhow::Result;

use crate::failure::user_error;

/// What a model path points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelPathKind {
    /// A single file: GGUF (weights and vocabulary, or vocabulary only).
    File,
    /// A Hugging Face model directory.
    Directory,
}

/// The path exists; a directory holds `required` (config.json for a model, tokenizer.json for a tokenizer).
pub fn check_model_path(path: &Path, required: &str) -> Result<ModelPathKind> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            user_error(
                format!("the model '{shown}' does not exist"),
                "pass the path of a .gguf file or of a Hugging Face model directory",
            )
        } else {
            user_error(
                format!("cannot read the model '{shown}': {error}"),
                "check the path and its permissions",
            )
        }
    })?;
    if !metadata.is_dir() {
        return Ok(ModelPathKind::File);
    }
    if !path.join(required).is_file() {
        return Err(user_error(
            format!("the directory '{shown}' has no {required}, so it is not a Hugging Face model directory"),
            "pass a directory with config.json, model.safetensors and tokenizer.json, or a .gguf file",
        ));
    }
    Ok(ModelPathKind::Directory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_path_and_incomplete_directory_are_user_errors() {
        let missing = check_model_path(Path::new("/no/such/model.gguf"), "config.json").unwrap_err();
        assert!(missing.to_string().contains("does not exist"));
        let not_a_model = check_model_path(Path::new(env!("CARGO_MANIFEST_DIR")), "config.json").unwrap_err();
        assert!(not_a_model.to_string().contains("has no config.json"));
        let file = check_model_path(
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")),
            "config.json",
        );
        assert_eq!(file.unwrap(), ModelPathKind::File);
    }
}
