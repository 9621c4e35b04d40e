//! `whylm.shapley`: whylm's estimators on a Python game, so that any model (PyTorch, transformers, ...) can be
//! explained by them.

use numpy::PyArray2;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use whylm_explain::{choose_method, ChosenMethod, MethodChoice, DEFAULT_EXACT_LIMIT};
use whylm_shapley::Settings;

use crate::errors::{bad_argument, ShapleyError};
use crate::shapley_game::CallbackGame;

/// The method and budget for `players`: `auto` chooses as `whylm explain` does for a level (exact when all 2^n
/// coalitions fit the budget); the report-facing reason is dropped.
pub fn resolve_method(method: &str, players: usize, max_evals: Option<usize>) -> PyResult<ChosenMethod> {
    let choice = method.parse::<MethodChoice>().map_err(bad_argument)?;
    choose_method(choice, players, "player", max_evals, DEFAULT_EXACT_LIMIT)
        .map_err(|e| bad_argument(e.to_string()))
}

/// Runs the engine on `value_fn`; returns a dict of numpy arrays and numbers (python/whylm wraps it).
// The Python keyword API is flat, hence the many arguments.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (value_fn, n_players, n_outputs, method, max_evals, seed, batch_size))]
pub fn shapley<'py>(
    py: Python<'py>,
    value_fn: Py<PyAny>,
    n_players: usize,
    n_outputs: usize,
    method: &str,
    max_evals: Option<usize>,
    seed: u64,
    batch_size: usize,
) -> PyResult<Bound<'py, PyDict>> {
    if n_outputs == 0 {
        return Err(bad_argument(
            "n_outputs is 0; a game needs at least one output per coalition",
        ));
    }
    if batch_size == 0 {
        return Err(bad_argument(
            "batch_size is 0; give at least 1 coalition per call of value_fn",
        ));
    }
    let chosen = resolve_method(method, n_players, max_evals)?;
    let settings = Settings {
        method: chosen.method,
        max_evals: chosen.max_evals,
        batch_size,
        seed,
        ..Settings::default()
    };
    let mut game = CallbackGame::new(value_fn, n_players, n_outputs);
    let result = py.detach(|| whylm_shapley::explain(&mut game, &settings, None, &mut |_| {}));
    if let Some(failure) = game.failure.take() {
        return Err(failure);
    }
    let explanation = result.map_err(|e| ShapleyError::new_err(e.to_string()))?;
    let out = PyDict::new(py);
    out.set_item("values", matrix(py, &explanation.phi, n_outputs)?)?;
    let std_err = explanation
        .std_err
        .as_ref()
        .map(|s| matrix(py, s, n_outputs))
        .transpose()?;
    out.set_item("std_err", std_err)?;
    out.set_item("base_values", explanation.base_value.clone())?;
    out.set_item("full_values", explanation.full_value.clone())?;
    out.set_item("evaluations", explanation.evaluations)?;
    out.set_item("method", explanation.method.name())?;
    out.set_item("efficiency_residual", explanation.efficiency_residual)?;
    out.set_item("calls", game.calls)?;
    Ok(out)
}

/// `rows` (n x T) as a numpy matrix; zero rows give shape (0, T).
fn matrix<'py>(py: Python<'py>, rows: &[Vec<f64>], columns: usize) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let flat: Vec<f64> = rows.concat();
    let array = numpy::ndarray::Array2::from_shape_vec((rows.len(), columns), flat)
        .map_err(|e| ShapleyError::new_err(format!("the engine returned a ragged matrix: {e}")))?;
    Ok(PyArray2::from_owned_array(py, array))
}
