//! The attribution colour scale, shared by the terminal and SVG renderers (the HTML page has the same in JS):
//! red raises the target's score, blue lowers it (shap's colours), white-to-colour by |value| / scale.

/// shap's red for positive attributions.
pub const POSITIVE: Rgb = Rgb(255, 0, 81);
/// shap's blue for negative attributions.
pub const NEGATIVE: Rgb = Rgb(0, 139, 251);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Perceived brightness in 0..=255, to choose black or white text on this background.
    pub fn luma(self) -> f64 {
        0.299 * f64::from(self.0) + 0.587 * f64::from(self.1) + 0.114 * f64::from(self.2)
    }

    /// Nearest colour of the xterm 256-colour 6×6×6 cube.
    pub fn ansi256(self) -> u8 {
        let level = |c: u8| ((f64::from(c) / 255.0) * 5.0).round() as u8;
        16 + 36 * level(self.0) + 6 * level(self.1) + level(self.2)
    }
}

/// The strength of `value` relative to `scale`, in 0..=1.
pub fn intensity(value: f64, scale: f64) -> f64 {
    if scale <= 0.0 || !value.is_finite() {
        return 0.0;
    }
    (value.abs() / scale).clamp(0.0, 1.0)
}

/// The background colour for an attribution: white blended toward red or blue.
pub fn attribution_color(value: f64, scale: f64) -> Rgb {
    let a = intensity(value, scale);
    let target = if value >= 0.0 { POSITIVE } else { NEGATIVE };
    let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * a).round() as u8;
    Rgb(mix(target.0), mix(target.1), mix(target.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_picks_the_hue_and_magnitude_the_strength() {
        assert_eq!(attribution_color(1.0, 1.0), POSITIVE);
        assert_eq!(attribution_color(-2.0, 1.0), NEGATIVE);
        assert_eq!(attribution_color(0.0, 1.0), Rgb(255, 255, 255));
        let half = attribution_color(0.5, 1.0);
        assert!(half.0 == 255 && half.1 > 100 && half.1 < 150);
        assert_eq!(attribution_color(1.0, 0.0), Rgb(255, 255, 255));
    }

    #[test]
    fn cube_index_of_pure_colours() {
        assert_eq!(Rgb(0, 0, 0).ansi256(), 16);
        assert_eq!(Rgb(255, 255, 255).ansi256(), 231);
        assert_eq!(Rgb(255, 0, 0).ansi256(), 196);
    }
}
