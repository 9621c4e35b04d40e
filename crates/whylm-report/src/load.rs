//! Reading and writing the document as JSON, with the schema version checked before anything else so that a file
//! from another whylm version gets a message about versions rather than about some renamed field.

use std::path::Path;

use crate::document::{ReportDoc, OLDEST_READABLE_SCHEMA_VERSION, SCHEMA_VERSION};
use crate::error::ReportError;

impl ReportDoc {
    /// Parses a document from JSON text; `origin` names the source in error messages (e.g. a path).
    pub fn from_json_str_with_origin(text: &str, origin: &str) -> Result<ReportDoc, ReportError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|source| ReportError::NotJson {
            origin: origin.to_string(),
            source,
        })?;
        let found = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| ReportError::MissingSchemaVersion {
                origin: origin.to_string(),
            })?;
        if !(u64::from(OLDEST_READABLE_SCHEMA_VERSION)..=u64::from(SCHEMA_VERSION)).contains(&found) {
            return Err(ReportError::UnsupportedSchemaVersion {
                origin: origin.to_string(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        // Parsing the text again (not the Value) keeps line and column numbers in schema errors.
        let mut doc: ReportDoc = serde_json::from_str(text).map_err(|source| ReportError::Schema {
            origin: origin.to_string(),
            source,
        })?;
        // An older document lacks only fields that have defaults: read it as the current version.
        doc.schema_version = SCHEMA_VERSION;
        doc.validate()?;
        Ok(doc)
    }

    /// Parses a document from JSON text (see [`ReportDoc::from_json_str_with_origin`]).
    pub fn from_json_str(text: &str) -> Result<ReportDoc, ReportError> {
        Self::from_json_str_with_origin(text, "the report JSON")
    }

    /// Reads and checks a document from a JSON file.
    pub fn load(path: impl AsRef<Path>) -> Result<ReportDoc, ReportError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json_str_with_origin(&text, &path.display().to_string())
    }

    /// Pretty JSON. Checks the document first: JSON has no NaN or infinity (serde_json would write `null`, which
    /// no reader could load back), and a reader should never receive a document this crate would reject.
    pub fn to_json_pretty(&self) -> Result<String, ReportError> {
        self.validate()?;
        serde_json::to_string_pretty(self).map_err(ReportError::Serialize)
    }

    /// Compact JSON (one line), checked like [`ReportDoc::to_json_pretty`].
    pub fn to_json_compact(&self) -> Result<String, ReportError> {
        self.validate()?;
        serde_json::to_string(self).map_err(ReportError::Serialize)
    }
}
