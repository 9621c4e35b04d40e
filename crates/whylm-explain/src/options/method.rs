//! The estimator choice: `auto` or one of whylm_shapley's methods by its report name.

use std::fmt;
use std::str::FromStr;

use whylm_shapley::Method;

use super::ParseOptionError;

/// Which estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodChoice {
    /// Exact when all 2^n coalitions fit the budget (and n is at most the exact limit), otherwise
    /// whylm_shapley's recommended method.
    Auto,
    Fixed(Method),
}

impl fmt::Display for MethodChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MethodChoice::Auto => f.write_str("auto"),
            MethodChoice::Fixed(method) => f.write_str(method.name()),
        }
    }
}

impl FromStr for MethodChoice {
    type Err = ParseOptionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "auto" {
            return Ok(MethodChoice::Auto);
        }
        Method::ALL
            .into_iter()
            .find(|method| method.name() == text)
            .map(MethodChoice::Fixed)
            .ok_or_else(|| {
                let names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
                ParseOptionError(format!("unknown method '{text}'; use auto, {}", names.join(", ")))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_and_every_method_round_trip() {
        assert_eq!("auto".parse::<MethodChoice>(), Ok(MethodChoice::Auto));
        assert_eq!("msr".parse(), Ok(MethodChoice::Fixed(Method::RegressionMc)));
        assert_eq!("loo".parse(), Ok(MethodChoice::Fixed(Method::LeaveOneOut)));
        for method in Method::ALL {
            let choice = MethodChoice::Fixed(method);
            assert_eq!(choice.to_string().parse::<MethodChoice>(), Ok(choice));
        }
        let error = "fast".parse::<MethodChoice>().unwrap_err().to_string();
        assert!(error.contains("'fast'") && error.contains("partition"), "{error}");
    }
}
