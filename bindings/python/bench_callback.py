"""The overhead of whylm.shapley's Python callback over the pure-Rust engine, on a cheap additive game.

The same estimator runs twice on v(S) = sum of the kept players' coefficients: once with the values computed by a
numpy callback (whylm.shapley, the GIL taken once per batch), once with the values computed in Rust
(_native.additive_game_seconds). The ratio is what the callback costs on a game where the model is free; with a real
model the model's time dominates.

Usage: python bench_callback.py [players] [max_evals]
"""

from __future__ import annotations

import sys
import time

import numpy as np

import whylm
from whylm import _native


def main() -> None:
    players = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    max_evals = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    coefficients = np.random.default_rng(0).normal(size=(players, 4))

    def value_fn(masks: np.ndarray) -> np.ndarray:
        return masks.astype(np.float64) @ coefficients

    print(f"{players} players, 4 outputs, max_evals {max_evals}")
    for method in ("permutation", "kernel"):
        for batch_size in (64, 256, 1024):
            # best of 3 for both, to keep the machine's noise out of the ratio
            python_s, rust_s = float("inf"), float("inf")
            for _ in range(3):
                started = time.perf_counter()
                result = whylm.shapley(value_fn, players, 4, method=method, max_evals=max_evals, batch_size=batch_size)
                python_s = min(python_s, time.perf_counter() - started)
                seconds, evaluations = _native.additive_game_seconds(coefficients, method, max_evals, 0, batch_size)
                rust_s = min(rust_s, seconds)
            assert evaluations == result.evaluations
            print(
                f"{method:12} batch {batch_size:5}: {result.evaluations} evals, {result.calls:4} calls; "
                f"python callback {python_s * 1e3:8.1f} ms, rust game {rust_s * 1e3:8.1f} ms, "
                f"ratio {python_s / rust_s:5.2f}"
            )


if __name__ == "__main__":
    main()
