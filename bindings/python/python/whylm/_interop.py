"""Explanations in the layouts of other libraries: shap's ``Explanation`` and Captum's ``LLMAttributionResult``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Sequence

import numpy as np

from . import _clustering


def to_shap(level: Any, target_tokens: List[str], coarser: Sequence[Any] = ()) -> Any:
    """``shap.Explanation(values (M x N), base_values (N,), data (M feature texts), output_names (N), clustering,
    hierarchical_values)``: the input x output view of ``shap.plots.text``. ``clustering`` is the tree of the
    ``coarser`` levels that contain this one (None without one: see _clustering.py)."""
    try:
        import shap
    except ImportError as error:
        raise ImportError("to_shap() needs shap; install it with `pip install shap`") from error
    clustering = _clustering.partition_tree(level, coarser)
    return shap.Explanation(
        values=level.values,
        base_values=level.base_values,
        data=np.array([f.text for f in level.features], dtype=object),
        output_names=list(target_tokens),
        clustering=clustering,
        hierarchical_values=None if clustering is None else _clustering.hierarchical_values(level.values),
    )


@dataclass
class CaptumAttribution:
    """The fields of Captum's ``LLMAttributionResult``, as numpy arrays (returned when captum is not installed)."""

    #: Sequence attribution per input feature: the sum over target tokens (M,).
    seq_attr: np.ndarray
    #: Per target token and input feature: target x input (N x M), as Captum lays it out.
    token_attr: np.ndarray
    input_tokens: List[str]
    output_tokens: List[str]


def to_captum(level: Any, target_tokens: List[str]) -> Any:
    layout = CaptumAttribution(
        seq_attr=level.values.sum(axis=1),
        token_attr=level.values.T.copy(),
        input_tokens=[f.text for f in level.features],
        output_tokens=list(target_tokens),
    )
    try:
        import torch
        from captum.attr import LLMAttributionResult
    except ImportError:
        return layout
    return LLMAttributionResult(
        seq_attr=torch.from_numpy(layout.seq_attr),
        token_attr=torch.from_numpy(layout.token_attr),
        input_tokens=layout.input_tokens,
        output_tokens=layout.output_tokens,
    )
