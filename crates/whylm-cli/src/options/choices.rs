//! The explanation choices as typed on the command line: `--level`, `--masker`, `--score`, `--method`.
//! Parsing here gives clap one-line errors that list the accepted forms.

use std::fmt;
use std::str::FromStr;

use clap::ValueEnum;

/// Which features to explain: each prompt token, each word, or each sentence.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Token,
    Word,
    Sentence,
}

/// The estimator. `auto` lets whylm choose from the number of features and the budget.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodChoice {
    Auto,
    Exact,
    Permutation,
    Kernel,
    /// Regression-adjusted Monte Carlo: kernel's samples plus a sparse three-player surrogate.
    Msr,
    /// Gaussian-process regression on kernel's samples: a prior per interaction order, fitted by likelihood
    /// (auto's choice from 5n to 4096 evaluations; its cost grows with the cube of the budget)
    Gp,
    Partition,
    Loo,
}

/// What "feature absent" means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaskerChoice {
    Delete,
    Hide,
    /// `replace` uses the tokenizer's unk/pad token; `replace:TOKEN` names the baseline token.
    Replace(Option<String>),
    Shap,
}

impl FromStr for MaskerChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "delete" => Ok(Self::Delete),
            "hide" => Ok(Self::Hide),
            "shap" => Ok(Self::Shap),
            "replace" => Ok(Self::Replace(None)),
            _ => match text.strip_prefix("replace:") {
                Some("") => Err(
                    "replace: names no token; write replace:TOKEN (e.g. replace:<unk>) or plain replace"
                        .into(),
                ),
                Some(token) => Ok(Self::Replace(Some(token.to_string()))),
                None => Err("unknown masker; use delete, hide, replace, replace:TOKEN or shap".into()),
            },
        }
    }
}

impl fmt::Display for MaskerChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Delete => f.write_str("delete"),
            Self::Hide => f.write_str("hide"),
            Self::Shap => f.write_str("shap"),
            Self::Replace(None) => f.write_str("replace"),
            Self::Replace(Some(token)) => write!(f, "replace:{token}"),
        }
    }
}

/// The number explained for each target token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScoreChoice {
    LogProb,
    Prob,
    Logit,
    LogOdds,
    /// logprob(target) − logprob(alternative), the alternative given as text that must be one token.
    Contrast(String),
}

impl FromStr for ScoreChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "logprob" => Ok(Self::LogProb),
            "prob" => Ok(Self::Prob),
            "logit" => Ok(Self::Logit),
            "logodds" => Ok(Self::LogOdds),
            _ => match text.strip_prefix("contrast:") {
                Some("") => {
                    Err("contrast: names no alternative; write contrast:TEXT (e.g. contrast:' no')".into())
                }
                Some(alternative) => Ok(Self::Contrast(alternative.to_string())),
                None => Err("unknown score; use logprob, prob, logit, logodds or contrast:TEXT".into()),
            },
        }
    }
}

impl fmt::Display for ScoreChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LogProb => f.write_str("logprob"),
            Self::Prob => f.write_str("prob"),
            Self::Logit => f.write_str("logit"),
            Self::LogOdds => f.write_str("logodds"),
            Self::Contrast(alternative) => write!(f, "contrast:{alternative}"),
        }
    }
}

impl Level {
    pub fn to_level(self) -> whylm_explain::Level {
        match self {
            Level::Token => whylm_explain::Level::Token,
            Level::Word => whylm_explain::Level::Word,
            Level::Sentence => whylm_explain::Level::Sentence,
        }
    }
}

impl MethodChoice {
    pub fn to_choice(self) -> whylm_explain::MethodChoice {
        use whylm_explain::MethodChoice::{Auto, Fixed};
        use whylm_shapley::Method;
        match self {
            MethodChoice::Auto => Auto,
            MethodChoice::Exact => Fixed(Method::Exact),
            MethodChoice::Permutation => Fixed(Method::Permutation),
            MethodChoice::Kernel => Fixed(Method::Kernel),
            MethodChoice::Msr => Fixed(Method::RegressionMc),
            MethodChoice::Gp => Fixed(Method::GaussianProcess),
            MethodChoice::Partition => Fixed(Method::Partition),
            MethodChoice::Loo => Fixed(Method::LeaveOneOut),
        }
    }
}

impl MaskerChoice {
    pub fn to_spec(&self) -> whylm_explain::MaskerSpec {
        use whylm_explain::MaskerSpec;
        match self {
            MaskerChoice::Delete => MaskerSpec::Delete,
            MaskerChoice::Hide => MaskerSpec::Hide,
            MaskerChoice::Replace(baseline) => MaskerSpec::Replace {
                baseline: baseline.clone(),
                collapse: false,
            },
            MaskerChoice::Shap => MaskerSpec::shap(),
        }
    }
}

impl ScoreChoice {
    pub fn to_spec(&self) -> whylm_explain::ScoreSpec {
        use whylm_explain::ScoreSpec;
        match self {
            ScoreChoice::LogProb => ScoreSpec::LogProb,
            ScoreChoice::Prob => ScoreSpec::Prob,
            ScoreChoice::Logit => ScoreSpec::Logit,
            ScoreChoice::LogOdds => ScoreSpec::LogOdds,
            ScoreChoice::Contrast(alternative) => ScoreSpec::Contrast {
                alternative: alternative.clone(),
            },
        }
    }
}

/// A count that must be at least 1 (`--max-evals`, `--batch-size`, `--threads`).
pub fn positive_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("it must be 1 or more; give a positive number or leave the option out".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("it is not a whole number; give a positive whole number such as 100".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maskers_parse_and_print_back() {
        for text in [
            "delete",
            "hide",
            "shap",
            "replace",
            "replace:<unk>",
            "replace: ...",
        ] {
            let parsed: MaskerChoice = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
        assert!("replace:".parse::<MaskerChoice>().is_err());
        assert!("drop".parse::<MaskerChoice>().is_err());
    }

    #[test]
    fn scores_parse_and_print_back() {
        for text in ["logprob", "prob", "logit", "logodds", "contrast: dog"] {
            let parsed: ScoreChoice = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
        assert_eq!(
            "contrast: a:b".parse::<ScoreChoice>().unwrap(),
            ScoreChoice::Contrast(" a:b".into())
        );
        assert!("contrast:".parse::<ScoreChoice>().is_err());
        assert!("loss".parse::<ScoreChoice>().is_err());
    }

    #[test]
    fn counts_must_be_positive_whole_numbers() {
        assert_eq!(positive_count("12"), Ok(12));
        assert!(positive_count("0").is_err());
        assert!(positive_count("-3").is_err());
        assert!(positive_count("1.5").is_err());
    }
}
