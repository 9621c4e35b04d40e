//! The exceptions Python sees. Every message is the library's own one-line message (what is wrong and what to do);
//! the class says whose fault it is: `ValueError` for a bad argument, a `WhylmError` subclass for the rest.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;

create_exception!(
    whylm,
    WhylmError,
    PyException,
    "Base class of every error whylm raises itself."
);
create_exception!(
    whylm,
    ModelLoadError,
    WhylmError,
    "A model file or directory could not be loaded."
);
create_exception!(
    whylm,
    ExplainError,
    WhylmError,
    "An explanation could not be computed (input or model failure)."
);
create_exception!(
    whylm,
    ShapleyError,
    WhylmError,
    "The Shapley engine refused the settings or the game failed."
);
create_exception!(
    whylm,
    ReportError,
    WhylmError,
    "An explanation document could not be read or rendered."
);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("WhylmError", py.get_type::<WhylmError>())?;
    m.add("ModelLoadError", py.get_type::<ModelLoadError>())?;
    m.add("ExplainError", py.get_type::<ExplainError>())?;
    m.add("ShapleyError", py.get_type::<ShapleyError>())?;
    m.add("ReportError", py.get_type::<ReportError>())?;
    Ok(())
}

/// A bad option string or number: the parser's message, as a `ValueError`.
pub fn bad_argument(message: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(message.to_string())
}
