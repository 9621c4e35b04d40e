//! The scores an engine's log-probabilities allow: logprob, prob and logodds. A raw logit (and a contrast, which
//! needs a second token's log-probability at every position) is refused with a one-line error.

use whylm_backend::{BackendError, ScoreKind};

/// Refuses the score kinds a log-probability cannot give.
pub fn check_kind(kind: &ScoreKind) -> Result<(), BackendError> {
    match kind {
        ScoreKind::LogProb | ScoreKind::Prob | ScoreKind::LogOdds => Ok(()),
        ScoreKind::Logit => Err(BackendError::Unsupported(
            "a remote engine returns log-probabilities, not raw logits, so --score logit cannot be computed; use \
             --score logprob, prob or logodds"
                .into(),
        )),
        ScoreKind::Contrast(_) => Err(BackendError::Unsupported(
            "a remote engine returns the log-probability of the target token only, so --score contrast cannot be \
             computed; use --score logprob, prob or logodds"
                .into(),
        )),
    }
}

/// The score of a token whose log-probability is `logprob`.
pub fn from_logprob(logprob: f64, kind: &ScoreKind) -> f32 {
    match kind {
        ScoreKind::Prob => logprob.exp() as f32,
        // log p - log(1 - p), with 1 - p = -expm1(log p) exact for small p
        ScoreKind::LogOdds => (logprob - (-logprob.exp_m1()).ln()) as f32,
        _ => logprob as f32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_scores_match_their_definitions() {
        let p: f64 = 0.2;
        let lp = p.ln();
        assert!((from_logprob(lp, &ScoreKind::LogProb) - lp as f32).abs() < 1e-7);
        assert!((from_logprob(lp, &ScoreKind::Prob) - 0.2).abs() < 1e-7);
        assert!((from_logprob(lp, &ScoreKind::LogOdds) - (0.25f64).ln() as f32).abs() < 1e-6);
        assert!(check_kind(&ScoreKind::Logit)
            .unwrap_err()
            .to_string()
            .contains("--score logprob"));
        assert!(check_kind(&ScoreKind::Contrast(vec![1])).is_err());
        assert!(check_kind(&ScoreKind::LogOdds).is_ok());
    }
}
