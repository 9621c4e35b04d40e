//! The feature level: which groups of input tokens are kept or masked together.

use std::fmt;
use std::str::FromStr;

use super::ParseOptionError;

/// The granularity (or source) of features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Each token.
    Token,
    /// Each word (a run of word characters, or of punctuation).
    Word,
    /// Each clause: part of a sentence ended by `,` `;` `:` or a dash.
    Clause,
    /// Each sentence.
    Sentence,
    /// Each maskable segment of the input (a chat turn, a document) as one feature.
    Turn,
    /// Byte spans the caller gives (`ExplainRequest::custom_spans`).
    Custom,
}

impl Level {
    /// Every level, finest first.
    pub const ALL: [Level; 6] = [
        Level::Token,
        Level::Word,
        Level::Clause,
        Level::Sentence,
        Level::Turn,
        Level::Custom,
    ];

    /// The name written in the report document and accepted by `from_str`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Token => "token",
            Level::Word => "word",
            Level::Clause => "clause",
            Level::Sentence => "sentence",
            Level::Turn => "turn",
            Level::Custom => "custom",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Level {
    type Err = ParseOptionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|level| level.name() == text)
            .ok_or_else(|| {
                ParseOptionError(format!(
                    "unknown level '{text}'; use token, word, clause, sentence, turn or custom"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_round_trips_and_unknown_ones_are_named() {
        for level in Level::ALL {
            assert_eq!(level.to_string().parse::<Level>(), Ok(level));
        }
        let error = "paragraph".parse::<Level>().unwrap_err().to_string();
        assert!(
            error.contains("'paragraph'") && error.contains("sentence"),
            "{error}"
        );
    }
}
