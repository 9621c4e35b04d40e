//! A Shapley game whose values come from a Python callable, called once per batch of coalitions with a boolean
//! mask matrix. The engine runs without the GIL; each batch re-acquires it only for the call.

use numpy::ndarray::Array2;
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use whylm_shapley::{Coalition, Game, GameError};

/// `value_fn(masks: bool[B, n]) -> float[B, n_outputs]`. The first Python exception (raised by the callback, a
/// bad return value, Ctrl-C) is kept in `failure` for the binding to raise once the engine has stopped.
pub struct CallbackGame {
    value_fn: Py<PyAny>,
    players: usize,
    outputs: usize,
    pub calls: usize,
    pub failure: Option<PyErr>,
}

impl CallbackGame {
    pub fn new(value_fn: Py<PyAny>, players: usize, outputs: usize) -> Self {
        CallbackGame {
            value_fn,
            players,
            outputs,
            calls: 0,
            failure: None,
        }
    }

    fn call(&self, py: Python<'_>, coalitions: &[Coalition]) -> PyResult<Vec<f64>> {
        py.check_signals()?;
        let masks = Array2::from_shape_fn((coalitions.len(), self.players), |(row, player)| {
            coalitions[row].contains(player)
        });
        let masks = PyArray2::from_owned_array(py, masks);
        let returned = self.value_fn.bind(py).call1((masks,))?;
        let numpy = py.import("numpy")?;
        let array = numpy.call_method1("asarray", (returned, "float64"))?;
        self.values_of(coalitions.len(), &array)
    }

    /// The callback's result as `B * n_outputs` row-major numbers, refusing a wrong shape and non-finite values.
    fn values_of(&self, batch: usize, array: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
        let values: Vec<f64> = if let Ok(matrix) = array.cast::<PyArray2<f64>>() {
            if matrix.shape() != [batch, self.outputs] {
                return Err(self.shape_error(batch, matrix.shape()));
            }
            matrix.to_owned_array().iter().copied().collect()
        } else if let Ok(vector) = array.cast::<PyArray1<f64>>() {
            // One output per coalition may come back as a flat vector.
            if self.outputs != 1 || vector.shape() != [batch] {
                return Err(self.shape_error(batch, vector.shape()));
            }
            vector.to_vec()?
        } else {
            let ndim: usize = array.getattr("ndim")?.extract()?;
            return Err(PyValueError::new_err(format!(
                "value_fn returned a {ndim}-dimensional array; return a float array of shape ({batch}, {}), one \
                 row per mask row",
                self.outputs
            )));
        };
        if let Some(at) = values.iter().position(|v| !v.is_finite()) {
            return Err(PyValueError::new_err(format!(
                "value_fn returned {} for row {} (output {}) of a batch of {batch}; every value must be finite",
                values[at],
                at / self.outputs,
                at % self.outputs
            )));
        }
        Ok(values)
    }

    fn shape_error(&self, batch: usize, shape: &[usize]) -> PyErr {
        PyValueError::new_err(format!(
            "value_fn returned an array of shape {shape:?} for {batch} masks; return shape ({batch}, {}): one row per \
             mask row, one column per output",
            self.outputs
        ))
    }
}

impl Game for CallbackGame {
    fn num_players(&self) -> usize {
        self.players
    }
    fn num_outputs(&self) -> usize {
        self.outputs
    }
    fn evaluate(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, GameError> {
        if self.failure.is_some() {
            return Err(GameError::new("an earlier call of value_fn failed"));
        }
        self.calls += 1;
        let result = Python::attach(|py| self.call(py, coalitions));
        result.map_err(|error| {
            let message = error.to_string();
            self.failure = Some(error);
            GameError::new(message)
        })
    }
}
