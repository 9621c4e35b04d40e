//! Counts on the command line (`--max-evals`, `--batch-size`, `--threads`, `--max-new-tokens`, `--top-k`).

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
    fn counts_must_be_positive_whole_numbers() {
        assert_eq!(positive_count("12"), Ok(12));
        assert!(positive_count("0").is_err());
        assert!(positive_count("-3").is_err());
        assert!(positive_count("1.5").is_err());
    }
}
