//! The prompt: given inline with `--prompt` or read from a UTF-8 file with `--prompt-file`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::failure::user_error;

#[derive(Args, Debug, Clone)]
// `--chat` and `--user` (options/chat.rs) join this group in `explain`: exactly one input is given.
#[group(required = true, multiple = false)]
pub struct PromptInput {
    /// The prompt text.
    #[arg(long, value_name = "TEXT")]
    pub prompt: Option<String>,
    /// Read the prompt from a UTF-8 text file (without its final line break).
    #[arg(long, value_name = "FILE")]
    pub prompt_file: Option<PathBuf>,
}

impl PromptInput {
    /// The prompt text: `--prompt` exactly as given; a file without the one line break that editors end it with
    /// (a prompt that should end in a line break can have two).
    pub fn read(&self) -> Result<String> {
        if let Some(text) = &self.prompt {
            return Ok(text.clone());
        }
        let Some(path) = &self.prompt_file else {
            return Err(user_error(
                "no prompt was given",
                "pass the text with --prompt TEXT or a file with --prompt-file FILE",
            ));
        };
        let bytes = std::fs::read(path).map_err(|error| {
            user_error(
                format!("could not read the prompt file '{}': {error}", path.display()),
                "check the path passed to --prompt-file",
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|error| {
            user_error(
                format!(
                    "the prompt file '{}' is not UTF-8 text (invalid byte at offset {})",
                    path.display(),
                    error.utf8_error().valid_up_to()
                ),
                "convert it to UTF-8 (for example with iconv) and try again",
            )
        })?;
        Ok(without_final_line_break(text))
    }
}

fn without_final_line_break(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

/// Rejects a prompt with nothing to explain.
pub fn require_non_empty(prompt: &str) -> Result<()> {
    if prompt.trim().is_empty() {
        return Err(user_error(
            "the prompt is empty",
            "pass the text to explain with --prompt TEXT or --prompt-file FILE",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_final_line_break_is_dropped() {
        assert_eq!(without_final_line_break("a b\n".into()), "a b");
        assert_eq!(without_final_line_break("a b\r\n".into()), "a b");
        assert_eq!(without_final_line_break("a\n\n".into()), "a\n");
        assert_eq!(without_final_line_break("a\nb".into()), "a\nb");
    }

    #[test]
    fn blank_prompts_are_rejected() {
        assert!(require_non_empty(" \t\n").is_err());
        assert!(require_non_empty("x").is_ok());
    }
}
