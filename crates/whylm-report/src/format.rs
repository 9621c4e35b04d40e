//! Number formatting shared by the renderers.

/// Formats a signed attribution with a precision that suits `scale` (the largest |value| shown beside it), so that
/// tiny values (e.g. probabilities' attributions) do not all print as +0.000.
pub fn signed(value: f64, scale: f64) -> String {
    if scale != 0.0 && scale.abs() < 0.01 {
        format!("{value:+.2e}")
    } else {
        format!("{value:+.3}")
    }
}

/// Formats an unsigned quantity (score, standard error, residual) the same way.
pub fn plain(value: f64) -> String {
    if value != 0.0 && value.abs() < 0.001 {
        format!("{value:.2e}")
    } else {
        format!("{value:.3}")
    }
}

/// The largest |value|, or 0 for an empty list.
pub fn max_abs(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |m, v| m.max(v.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_scales_switch_to_scientific() {
        assert_eq!(signed(0.1234, 0.5), "+0.123");
        assert_eq!(signed(-0.000_123, 0.000_5), "-1.23e-4");
        assert_eq!(plain(2.5e-9), "2.50e-9");
        assert_eq!(plain(-1.5), "-1.500");
    }
}
