"""whylm.shapley on Python games: exact answers, golden values, one call per batch, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import whylm
from conftest import shared


def additive(coefficients: np.ndarray, offset: np.ndarray):
    """v(S) = offset + sum of the kept players' coefficients (n x T): phi is the coefficients exactly."""

    def value_fn(masks: np.ndarray) -> np.ndarray:
        assert masks.dtype == np.bool_
        return offset + masks.astype(np.float64) @ coefficients

    return value_fn


@pytest.mark.parametrize("method", ["exact", "kernel", "permutation", "auto"])
def test_an_additive_game_gives_its_coefficients(method):
    rng = np.random.default_rng(7)
    coefficients = rng.normal(size=(9, 3))
    offset = rng.normal(size=3)
    result = whylm.shapley(additive(coefficients, offset), 9, 3, method=method, max_evals=600)
    np.testing.assert_allclose(result.values, coefficients, rtol=0, atol=1e-9)
    np.testing.assert_allclose(result.base_values, offset, rtol=0, atol=1e-9)
    np.testing.assert_allclose(result.full_values, offset + coefficients.sum(axis=0), rtol=0, atol=1e-9)


def test_the_golden_exact_values_come_back_from_values_by_bitmask():
    cases = json.loads(shared("golden/shap_stories260K.json").read_text())
    for case in cases:
        table = np.asarray(case["values_by_bitmask"], dtype=np.float64)
        n = len(case["feature_segment_index"])
        weights = 1 << np.arange(n)

        def value_fn(masks: np.ndarray) -> np.ndarray:
            return table[masks.astype(np.int64) @ weights]

        result = whylm.shapley(value_fn, n, table.shape[1], method="exact")
        np.testing.assert_allclose(result.values, np.asarray(case["shapley"]), rtol=0, atol=1e-9)
        assert result.method == "exact" and result.evaluations == 2**n


def test_the_callback_is_called_once_per_batch():
    calls = []

    def value_fn(masks: np.ndarray) -> np.ndarray:
        calls.append(len(masks))
        return masks.sum(axis=1, keepdims=True).astype(np.float64)

    result = whylm.shapley(value_fn, 10, 1, method="exact", batch_size=100)
    assert sum(calls) == result.evaluations == 1024
    assert len(calls) == result.calls <= 1024 // 100 + 3
    assert max(calls) <= 100


def test_an_exception_in_the_callback_propagates():
    class Boom(RuntimeError):
        pass

    def value_fn(masks):
        raise Boom("the model ran out of memory")

    with pytest.raises(Boom, match="out of memory"):
        whylm.shapley(value_fn, 4, 1)


@pytest.mark.parametrize(
    "returned, message",
    [
        (lambda m: np.zeros((len(m), 3)), r"shape \(\d+, 2\)"),
        (lambda m: np.zeros(len(m)), r"shape \(\d+, 2\)"),
        (lambda m: np.full((len(m), 2), np.nan), "must be finite"),
        (lambda m: np.zeros((len(m), 2, 1)), "3-dimensional"),
    ],
)
def test_a_bad_return_value_is_a_clear_error(returned, message):
    with pytest.raises(ValueError, match=message):
        whylm.shapley(returned, 4, 2, method="exact")


def test_bad_settings_are_value_errors():
    with pytest.raises(ValueError, match="unknown method"):
        whylm.shapley(lambda m: np.zeros((len(m), 1)), 3, 1, method="fast")
    with pytest.raises(ValueError, match="batch_size"):
        whylm.shapley(lambda m: np.zeros((len(m), 1)), 3, 1, batch_size=0)
    with pytest.raises(whylm.ShapleyError):
        whylm.shapley(lambda m: np.zeros((len(m), 1)), 3, 1, method="kernel", max_evals=2)
