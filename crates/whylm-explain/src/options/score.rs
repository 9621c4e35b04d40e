//! The score explained for each target token.

use std::fmt;
use std::str::FromStr;

use super::ParseOptionError;

/// The number explained for each target token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoreSpec {
    LogProb,
    Prob,
    Logit,
    /// log p − log(1 − p): what shap's TeacherForcing returns.
    LogOdds,
    /// logprob(target) − logprob(alternative): the alternative is text of one token (used at every position) or
    /// of as many tokens as the target.
    Contrast {
        alternative: String,
    },
}

impl ScoreSpec {
    /// The name written in the report document (the same as `to_string`).
    pub fn name(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ScoreSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScoreSpec::LogProb => f.write_str("logprob"),
            ScoreSpec::Prob => f.write_str("prob"),
            ScoreSpec::Logit => f.write_str("logit"),
            ScoreSpec::LogOdds => f.write_str("logodds"),
            ScoreSpec::Contrast { alternative } => write!(f, "contrast:{alternative}"),
        }
    }
}

impl FromStr for ScoreSpec {
    type Err = ParseOptionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "logprob" => Ok(ScoreSpec::LogProb),
            "prob" => Ok(ScoreSpec::Prob),
            "logit" => Ok(ScoreSpec::Logit),
            "logodds" => Ok(ScoreSpec::LogOdds),
            _ => match text.strip_prefix("contrast:") {
                Some("") => Err(ParseOptionError(
                    "contrast: names no alternative; write contrast:TEXT (e.g. contrast:' no')".into(),
                )),
                Some(alternative) => Ok(ScoreSpec::Contrast {
                    alternative: alternative.to_string(),
                }),
                None => Err(ParseOptionError(format!(
                    "unknown score '{text}'; use logprob, prob, logit, logodds or contrast:TEXT"
                ))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_parse_and_print_back() {
        for text in [
            "logprob",
            "prob",
            "logit",
            "logodds",
            "contrast: dog",
            "contrast: a:b",
        ] {
            let parsed: ScoreSpec = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
            assert_eq!(parsed.name(), text);
        }
        assert_eq!(
            "contrast: a:b".parse::<ScoreSpec>(),
            Ok(ScoreSpec::Contrast {
                alternative: " a:b".into()
            })
        );
        assert!("contrast:"
            .parse::<ScoreSpec>()
            .unwrap_err()
            .to_string()
            .contains("contrast:TEXT"));
        let error = "loss".parse::<ScoreSpec>().unwrap_err().to_string();
        assert!(error.contains("'loss'") && error.contains("logodds"), "{error}");
    }
}
