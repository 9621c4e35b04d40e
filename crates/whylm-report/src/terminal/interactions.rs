//! The interaction block of a level: the strongest pairs of its top features, with sign.

use std::fmt::Write as _;

use crate::document::LevelExplanation;
use crate::escape::quoted_label;
use crate::format::signed;

/// Pairs listed: the strongest few, enough to see the structure on one screen.
const PAIRS_SHOWN: usize = 5;

/// Writes nothing for a level without interactions.
pub(super) fn write_interactions(out: &mut String, level: &LevelExplanation) {
    let Some(m) = &level.interactions else {
        return;
    };
    let how = if m.exact {
        "exact".to_string()
    } else {
        format!("sampled, {} evaluations, seed {}", m.evaluations, m.seed)
    };
    let _ = writeln!(
        out,
        "Interactions of the top {} features (Shapley interaction index summed over the target tokens; {how}):",
        m.features.len()
    );
    let pairs = m.strongest_pairs();
    let scale = pairs.first().map_or(0.0, |p| p.value.abs());
    let name = |f: usize| {
        level
            .features
            .get(f)
            .map(|f| quoted_label(&f.text))
            .unwrap_or_default()
    };
    for pair in pairs.iter().take(PAIRS_SHOWN) {
        let kind = if pair.value >= 0.0 {
            "synergy"
        } else {
            "redundancy"
        };
        let err = pair
            .std_err
            .map(|e| format!(" ±{}", signed(e, scale).trim_start_matches('+')))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} + {}  {}{err}  {kind}",
            name(pair.a),
            name(pair.b),
            signed(pair.value, scale)
        );
    }
}
