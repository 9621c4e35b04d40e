//! How the model continues a prompt: greedy by default, sampling with a temperature above zero.

use clap::Args;
use whylm_model::{Backend, GenerateSettings, Sampling};

use crate::options::count::positive_count;

#[derive(Args, Debug, Clone)]
pub struct SamplingOptions {
    /// Most tokens to generate (generation also stops at the end-of-text token).
    #[arg(long, value_name = "N", default_value = "32", value_parser = positive_count)]
    pub max_new_tokens: usize,
    /// Sampling temperature; 0 means greedy decoding.
    #[arg(long, value_name = "T", default_value = "0", value_parser = non_negative)]
    pub temperature: f64,
    /// Sample only among the K most likely tokens.
    #[arg(long, value_name = "K", value_parser = positive_count)]
    pub top_k: Option<usize>,
    /// Sample only among the most likely tokens whose probabilities add up to P (0 < P <= 1).
    #[arg(long, value_name = "P", value_parser = probability)]
    pub top_p: Option<f64>,
}

impl SamplingOptions {
    /// Generation settings for `backend`, which says itself which ids end an answer ([`Backend::stop_tokens`]).
    pub fn settings(&self, seed: u64, backend: &dyn Backend) -> GenerateSettings {
        let sampling = if self.temperature > 0.0 {
            Sampling::Random {
                temperature: self.temperature as f32,
                top_k: self.top_k,
                top_p: self.top_p.map(|p| p as f32),
                seed,
            }
        } else {
            Sampling::Greedy
        };
        GenerateSettings {
            max_new_tokens: self.max_new_tokens,
            sampling,
            stop_tokens: backend.stop_tokens(),
        }
    }
}

fn non_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err("it must be a number of 0 or more; use 0 for greedy decoding or e.g. 0.8 to sample".into()),
    }
}

fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value > 0.0 && value <= 1.0 => Ok(value),
        _ => Err("it must be a number above 0 and at most 1; e.g. 0.9".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_and_top_p_ranges() {
        assert_eq!(non_negative("0"), Ok(0.0));
        assert!(non_negative("-0.1").is_err());
        assert!(non_negative("nan").is_err());
        assert_eq!(probability("1"), Ok(1.0));
        assert!(probability("0").is_err());
        assert!(probability("1.5").is_err());
    }
}
