//! The report document across the boundary: Python holds it as JSON text (the schema of docs/report-schema.md), and
//! these functions read it with whylm-report's own loader and renderer.

use pyo3::prelude::*;
use whylm_report::ReportDoc;

use crate::errors::ReportError;

fn parse(json: &str) -> PyResult<ReportDoc> {
    ReportDoc::from_json_str(json).map_err(|e| ReportError::new_err(e.to_string()))
}

/// The self-contained HTML report of a document.
#[pyfunction]
pub fn render_html(json: &str) -> PyResult<String> {
    whylm_report::render_html(&parse(json)?).map_err(|e| ReportError::new_err(e.to_string()))
}

/// Checks a document (schema version, shapes) and writes it back in the current schema.
#[pyfunction]
pub fn normalise_report(json: &str) -> PyResult<String> {
    parse(json)?
        .to_json_pretty()
        .map_err(|e| ReportError::new_err(e.to_string()))
}
