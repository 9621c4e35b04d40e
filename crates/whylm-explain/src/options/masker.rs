//! The masker the user chooses: what "feature absent" means.
//!
//! Syntax (what `Display` writes is what the report's `masker` field shows):
//! - `delete`, `hide`;
//! - `replace` (the tokenizer's unk/pad token; written `replace:auto`), `replace:TOKEN`, and either with
//!   `:collapse` appended (`replace:auto:collapse`, `replace:<unk>:collapse`) for one baseline token per run of
//!   absent tokens. `auto` as TOKEN means the tokenizer's own baseline;
//! - `shap` (shap's Text masker with `"..."` and collapse), `shap:MASK` (another mask text, collapsed) and
//!   `shap:MASK:nocollapse`.

use std::fmt;
use std::str::FromStr;

use super::ParseOptionError;

/// What "feature absent" means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaskerSpec {
    /// Absent tokens are removed and the kept ones renumbered (the default).
    Delete,
    /// Absent tokens are hidden from attention, positions unchanged.
    Hide,
    /// Absent tokens become a baseline token: a vocabulary piece (e.g. `<unk>`) or text that is one token; None
    /// takes the first of `<unk>`, `<pad>`, `[UNK]`, `[PAD]`, `<|endoftext|>` that the vocabulary has. With `collapse` a
    /// run of absent tokens becomes one baseline token.
    Replace {
        baseline: Option<String>,
        collapse: bool,
    },
    /// shap's Text masker (`mask_token`, usually "...", and `collapse_mask_token`).
    Shap { mask_token: String, collapse: bool },
}

/// The mask text of shap's own examples.
const SHAP_MASK: &str = "...";

impl MaskerSpec {
    /// shap's `maskers.Text(tokenizer, mask_token="...", collapse_mask_token=True)`.
    pub fn shap() -> Self {
        MaskerSpec::Shap {
            mask_token: SHAP_MASK.into(),
            collapse: true,
        }
    }
}

impl fmt::Display for MaskerSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaskerSpec::Delete => f.write_str("delete"),
            MaskerSpec::Hide => f.write_str("hide"),
            MaskerSpec::Replace { baseline, collapse } => {
                write!(f, "replace:{}", baseline.as_deref().unwrap_or("auto"))?;
                if *collapse {
                    f.write_str(":collapse")?;
                }
                Ok(())
            }
            MaskerSpec::Shap { mask_token, collapse } => match (mask_token.as_str(), collapse) {
                (SHAP_MASK, true) => f.write_str("shap"),
                (mask, true) => write!(f, "shap:{mask}"),
                (mask, false) => write!(f, "shap:{mask}:nocollapse"),
            },
        }
    }
}

const FORMS: &str = "use delete, hide, replace, replace:TOKEN, replace:TOKEN:collapse, shap or shap:MASK";

impl FromStr for MaskerSpec {
    type Err = ParseOptionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "delete" => return Ok(MaskerSpec::Delete),
            "hide" => return Ok(MaskerSpec::Hide),
            "shap" => return Ok(MaskerSpec::shap()),
            "replace" => {
                return Ok(MaskerSpec::Replace {
                    baseline: None,
                    collapse: false,
                })
            }
            _ => {}
        }
        if let Some(rest) = text.strip_prefix("replace:") {
            return parse_replace(rest);
        }
        if let Some(rest) = text.strip_prefix("shap:") {
            return parse_shap(rest);
        }
        Err(ParseOptionError(format!("unknown masker '{text}'; {FORMS}")))
    }
}

/// `TOKEN` or `TOKEN:collapse` after `replace:`.
fn parse_replace(rest: &str) -> Result<MaskerSpec, ParseOptionError> {
    let (token, collapse) = match rest.strip_suffix(":collapse") {
        Some(token) if !token.is_empty() => (token, true),
        _ => (rest, false),
    };
    if token.is_empty() {
        return Err(ParseOptionError(
            "replace: names no token; write replace:TOKEN (e.g. replace:<unk>) or plain replace".into(),
        ));
    }
    Ok(MaskerSpec::Replace {
        baseline: (token != "auto").then(|| token.to_string()),
        collapse,
    })
}

/// `MASK` or `MASK:nocollapse` after `shap:`.
fn parse_shap(rest: &str) -> Result<MaskerSpec, ParseOptionError> {
    let (mask, collapse) = match rest.strip_suffix(":nocollapse") {
        Some(mask) if !mask.is_empty() => (mask, false),
        _ => (rest, true),
    };
    if mask.is_empty() {
        return Err(ParseOptionError(
            "shap: names no mask text; write shap:MASK (e.g. shap:...) or plain shap".into(),
        ));
    }
    Ok(MaskerSpec::Shap {
        mask_token: mask.to_string(),
        collapse,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(baseline: Option<&str>, collapse: bool) -> MaskerSpec {
        MaskerSpec::Replace {
            baseline: baseline.map(str::to_string),
            collapse,
        }
    }

    #[test]
    fn the_command_line_forms_parse() {
        assert_eq!("delete".parse(), Ok(MaskerSpec::Delete));
        assert_eq!("hide".parse(), Ok(MaskerSpec::Hide));
        assert_eq!("shap".parse(), Ok(MaskerSpec::shap()));
        assert_eq!("replace".parse(), Ok(replace(None, false)));
        assert_eq!("replace:<unk>".parse(), Ok(replace(Some("<unk>"), false)));
        assert_eq!("replace: ...".parse(), Ok(replace(Some(" ..."), false)));
        assert_eq!("replace:X:collapse".parse(), Ok(replace(Some("X"), true)));
        assert_eq!("replace:auto:collapse".parse(), Ok(replace(None, true)));
        // a token named "collapse" is a token, not the flag
        assert_eq!("replace:collapse".parse(), Ok(replace(Some("collapse"), false)));
    }

    #[test]
    fn display_writes_the_report_names_and_parses_back() {
        let cases = [
            (MaskerSpec::Delete, "delete"),
            (MaskerSpec::Hide, "hide"),
            (replace(None, false), "replace:auto"),
            (replace(None, true), "replace:auto:collapse"),
            (replace(Some("<unk>"), false), "replace:<unk>"),
            (replace(Some("▁a"), true), "replace:▁a:collapse"),
            (MaskerSpec::shap(), "shap"),
            (
                MaskerSpec::Shap {
                    mask_token: "[MASK]".into(),
                    collapse: false,
                },
                "shap:[MASK]:nocollapse",
            ),
        ];
        for (spec, name) in cases {
            assert_eq!(spec.to_string(), name);
            assert_eq!(name.parse::<MaskerSpec>(), Ok(spec));
        }
    }

    #[test]
    fn errors_are_one_line_and_name_the_forms() {
        let cases = [
            ("blank", "replace:TOKEN"),
            ("Delete", "delete"),
            ("replace:", "replace:TOKEN"),
            ("shap:", "shap:MASK"),
        ];
        for (bad, form) in cases {
            let error = bad.parse::<MaskerSpec>().unwrap_err().to_string();
            assert!(!error.contains('\n'), "{error}");
            assert!(error.contains(form), "{bad}: {error}");
        }
        assert!("blank"
            .parse::<MaskerSpec>()
            .unwrap_err()
            .to_string()
            .contains("'blank'"));
    }
}
