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
    /// Each paragraph: text between blank lines.
    Paragraph,
    /// Each document (a `--context-file` passage; a prompt without documents is one document).
    Document,
    /// Each maskable segment of the input (a chat turn, a document) as one feature.
    Turn,
    /// Byte spans the caller gives (`ExplainRequest::custom_spans`).
    Custom,
}

impl Level {
    /// Every level, finest first.
    pub const ALL: [Level; 8] = [
        Level::Token,
        Level::Word,
        Level::Clause,
        Level::Sentence,
        Level::Paragraph,
        Level::Document,
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
            Level::Paragraph => "paragraph",
            Level::Document => "document",
            Level::Turn => "turn",
            Level::Custom => "custom",
        }
    }

    /// How coarse the level is among the nested ones (token 0 < word < clause < sentence < paragraph <
    /// document = turn, both one unit per maskable segment); None for custom spans, which nest in nothing.
    pub fn coarseness(self) -> Option<u8> {
        match self {
            Level::Token => Some(0),
            Level::Word => Some(1),
            Level::Clause => Some(2),
            Level::Sentence => Some(3),
            Level::Paragraph => Some(4),
            Level::Document | Level::Turn => Some(5),
            Level::Custom => None,
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
                    "unknown level '{text}'; use token, word, clause, sentence, paragraph, document, turn or custom"
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
        let error = "chapter".parse::<Level>().unwrap_err().to_string();
        assert!(
            error.contains("'chapter'") && error.contains("paragraph"),
            "{error}"
        );
    }
}
