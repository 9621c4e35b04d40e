//! The two ways of asking an OpenAI-compatible completions endpoint for the log-probabilities of prompt tokens.

use std::fmt;
use std::str::FromStr;

/// How the engine is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// vLLM: token-id prompts, many per request, `"prompt_logprobs": 0`.
    Vllm,
    /// The legacy `"echo": true, "logprobs": 0` with a text prompt, one per request (llama-cpp-python's server;
    /// vLLM answers it too). The server re-tokenizes the text, so its tokens are checked against whylm's.
    Echo,
}

/// The dialect the user asked for; `Auto` asks the engine what it is (`/v1/models`: vLLM says `owned_by: vllm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DialectChoice {
    #[default]
    Auto,
    Fixed(Dialect),
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Vllm => "vllm",
            Dialect::Echo => "echo",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for DialectChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DialectChoice::Auto => f.write_str("auto"),
            DialectChoice::Fixed(d) => d.fmt(f),
        }
    }
}

impl FromStr for DialectChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(DialectChoice::Auto),
            "vllm" => Ok(DialectChoice::Fixed(Dialect::Vllm)),
            "echo" | "llama-cpp-python" => Ok(DialectChoice::Fixed(Dialect::Echo)),
            other => Err(format!(
                "unknown engine dialect '{other}'; use auto, vllm or echo"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialects_parse_and_print_back() {
        for text in ["auto", "vllm", "echo"] {
            assert_eq!(text.parse::<DialectChoice>().unwrap().to_string(), text);
        }
        assert!("openai"
            .parse::<DialectChoice>()
            .unwrap_err()
            .contains("auto, vllm or echo"));
    }
}
