"""``whylm.shapley``: whylm's estimators on any Python game (e.g. a PyTorch model behind a mask function)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from . import _native

#: Coalitions per call of the value function unless the caller says otherwise: large enough that the Python call
#: overhead is small, small enough that a model batch fits in memory.
DEFAULT_BATCH_SIZE = 256


@dataclass
class ShapleyValues:
    """Attributions of a game: ``values[i, t]`` is player i's share of output t."""

    values: np.ndarray
    std_err: Optional[np.ndarray]
    base_values: np.ndarray
    full_values: np.ndarray
    evaluations: int
    method: str
    efficiency_residual: float
    #: How many times the value function was called (one call per batch of coalitions).
    calls: int


def shapley(
    value_fn: Callable[[np.ndarray], np.ndarray],
    n_players: int,
    n_outputs: int = 1,
    *,
    method: str = "auto",
    max_evals: Optional[int] = None,
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ShapleyValues:
    """Shapley values of the game ``value_fn``.

    ``value_fn(masks)`` receives a boolean array of shape ``(B, n_players)`` (True = player kept) and must return
    floats of shape ``(B, n_outputs)``. It is called once per batch of at most ``batch_size`` coalitions; the GIL is
    released while the Rust estimator works. ``method`` is one of ``whylm explain --method``'s names.
    """
    if not callable(value_fn):
        raise TypeError(f"value_fn must be callable, got {type(value_fn).__name__}")
    raw = _native.shapley(value_fn, n_players, n_outputs, method, max_evals, seed, batch_size)
    return ShapleyValues(
        values=raw["values"],
        std_err=raw["std_err"],
        base_values=np.asarray(raw["base_values"], dtype=np.float64),
        full_values=np.asarray(raw["full_values"], dtype=np.float64),
        evaluations=raw["evaluations"],
        method=raw["method"],
        efficiency_residual=raw["efficiency_residual"],
        calls=raw["calls"],
    )
