//! Errors of loading, checking and rendering a report document.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read the report file {path}: {source}; check that the path exists and is readable")]
    Read { path: PathBuf, source: std::io::Error },

    #[error(
        "{origin} is not valid JSON ({source}); pass a file written by `whylm explain --json` or `--out report.json`"
    )]
    NotJson {
        origin: String,
        source: serde_json::Error,
    },

    #[error(
        "{origin} has no numeric `schema_version` field, so it is not a whylm report; \
         pass a file written by `whylm explain --json`"
    )]
    MissingSchemaVersion { origin: String },

    #[error(
        "{origin} has schema_version {found}, but this whylm reads schema versions 1 to {supported}; \
         re-run `whylm explain` with this whylm, or render the file with the whylm version that wrote it"
    )]
    UnsupportedSchemaVersion {
        origin: String,
        found: u64,
        supported: u32,
    },

    #[error("{origin} does not follow the whylm report schema ({source}); see docs/report-schema.md")]
    Schema {
        origin: String,
        source: serde_json::Error,
    },

    #[error(
        "the report is inconsistent: {0}; if the file was edited by hand, restore it, otherwise re-run \
         `whylm explain` (and report this as a bug if it persists)"
    )]
    Inconsistent(String),

    #[error("cannot write the report as JSON: {0}")]
    Serialize(#[source] serde_json::Error),
}
