//! A reference for the callback's overhead: the same estimator on an additive game computed in Rust, so that
//! bench_callback.py can compare `whylm.shapley` on the Python version of the game with the engine alone.

use numpy::{PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use whylm_shapley::{Game, GameError, Settings};

use crate::errors::ShapleyError;

/// v(S) = sum of the kept players' rows of `coefficients` (n x T), as the Python benchmark game computes it.
struct AdditiveGame {
    coefficients: Vec<f64>,
    players: usize,
    outputs: usize,
}

impl Game for AdditiveGame {
    fn num_players(&self) -> usize {
        self.players
    }
    fn num_outputs(&self) -> usize {
        self.outputs
    }
    fn evaluate(&mut self, coalitions: &[whylm_shapley::Coalition]) -> Result<Vec<f64>, GameError> {
        let mut out = vec![0.0; coalitions.len() * self.outputs];
        for (row, coalition) in out.chunks_mut(self.outputs).zip(coalitions) {
            for player in coalition.iter_kept() {
                let weights = &self.coefficients[player * self.outputs..(player + 1) * self.outputs];
                row.iter_mut()
                    .zip(weights)
                    .for_each(|(value, weight)| *value += weight);
            }
        }
        Ok(out)
    }
}

/// Seconds the engine takes on the additive game of `coefficients` (no Python inside), and its evaluations.
#[pyfunction]
#[pyo3(signature = (coefficients, method, max_evals, seed, batch_size))]
pub fn additive_game_seconds(
    py: Python<'_>,
    coefficients: PyReadonlyArray2<'_, f64>,
    method: &str,
    max_evals: Option<usize>,
    seed: u64,
    batch_size: usize,
) -> PyResult<(f64, usize)> {
    let shape = coefficients.shape().to_vec();
    let mut game = AdditiveGame {
        coefficients: coefficients.as_array().iter().copied().collect(),
        players: shape[0],
        outputs: shape[1],
    };
    let chosen = crate::shapley::resolve_method(method, shape[0], max_evals)?;
    let settings = Settings {
        method: chosen.method,
        max_evals: chosen.max_evals,
        batch_size,
        seed,
        ..Settings::default()
    };
    py.detach(|| {
        let started = std::time::Instant::now();
        let result = whylm_shapley::explain(&mut game, &settings, None, &mut |_| {});
        result
            .map(|explanation| (started.elapsed().as_secs_f64(), explanation.evaluations))
            .map_err(|e| ShapleyError::new_err(e.to_string()))
    })
}
