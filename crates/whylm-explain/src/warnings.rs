//! Warnings that keep an explanation from being silently all zero or silently not a Shapley value.

use whylm_shapley::Method;

/// What a level's explanation looked like, as far as the warnings care.
pub struct LevelOutcome<'a> {
    pub level: &'a str,
    pub masker: &'a str,
    pub method: Method,
    pub base: &'a [f64],
    pub full: &'a [f64],
    /// Coalitions with at least one feature masked that were evaluated, and how many changed the model input.
    pub masked_rows: usize,
    pub changed_rows: usize,
}

/// Scores closer than this (relative to their size) count as equal: batches of different composition may round
/// the same row differently in the last bits.
const SAME_SCORE: f64 = 1e-6;

/// The warnings for one level (empty when all is well).
pub fn level_warnings(o: &LevelOutcome<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if o.masked_rows > 0 && o.changed_rows == 0 {
        out.push(format!(
            "{} level: the {} masker left every input unchanged (all {} masked coalitions gave the model the \
             unmasked prompt), so every attribution is 0 by construction; use another masker (delete removes \
             tokens outright)",
            o.level, o.masker, o.masked_rows
        ));
    } else if !o.base.is_empty()
        && o.base
            .iter()
            .zip(o.full)
            .all(|(b, f)| (b - f).abs() <= SAME_SCORE * (1.0 + b.abs().max(f.abs())))
    {
        out.push(format!(
            "{} level: v(N) equals v(∅) for every target token (masking all features with the {} masker does not \
             change any score), so the attributions sum to 0; try another masker or score, or check that the \
             prompt can influence the target",
            o.level, o.masker
        ));
    }
    if o.method == Method::LeaveOneOut {
        out.push(format!(
            "{} level: leave-one-out values are not Shapley values; they need not sum to v(N) − v(∅)",
            o.level
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome<'a>(base: &'a [f64], full: &'a [f64], masked: usize, changed: usize) -> LevelOutcome<'a> {
        LevelOutcome {
            level: "word",
            masker: "hide",
            method: Method::Exact,
            base,
            full,
            masked_rows: masked,
            changed_rows: changed,
        }
    }

    #[test]
    fn an_unchanging_masker_is_reported() {
        let w = level_warnings(&outcome(&[1.0], &[1.0], 7, 0));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("left every input unchanged"));
    }

    #[test]
    fn equal_base_and_full_values_are_reported_only_when_every_token_is_equal() {
        let w = level_warnings(&outcome(&[1.0, -2.0], &[1.0, -2.0 + 1e-9], 7, 7));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("v(N) equals v(∅)"));
        assert!(level_warnings(&outcome(&[1.0, -2.0], &[1.0, -1.5], 7, 7)).is_empty());
    }

    #[test]
    fn leave_one_out_is_flagged() {
        let mut o = outcome(&[0.0], &[1.0], 3, 3);
        o.method = Method::LeaveOneOut;
        assert!(level_warnings(&o)[0].contains("not Shapley values"));
    }
}
