//! `whylm._native`: the Rust half of the whylm Python package. The pure-Python package (python/whylm) wraps these
//! functions in the documented API; this module only crosses the FFI boundary: it loads models, runs explanations
//! (returning the report JSON, so Python and the CLI read one document type), renders reports and runs the Shapley
//! engine on a Python callback.

mod bench;
mod chat;
mod errors;
mod interrupt;
mod model;
mod report;
mod shapley;
mod shapley_game;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<model::Model>()?;
    m.add_function(wrap_pyfunction!(model::load, m)?)?;
    m.add_function(wrap_pyfunction!(report::render_html, m)?)?;
    m.add_function(wrap_pyfunction!(report::normalise_report, m)?)?;
    m.add_function(wrap_pyfunction!(shapley::shapley, m)?)?;
    m.add_function(wrap_pyfunction!(bench::additive_game_seconds, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
