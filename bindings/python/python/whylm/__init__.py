"""whylm: explain language-model outputs with Shapley values.

The work runs in Rust (the ``whylm._native`` extension); this package turns its results into numpy arrays and into
the objects shap and Captum plot.

>>> import whylm
>>> model = whylm.load("builtin")
>>> explanation = model.explain("The key of box 3 is", target=" red")
>>> explanation.values.shape  # features x target tokens
"""

from ._native import (
    ExplainError,
    ModelLoadError,
    ReportError,
    ShapleyError,
    WhylmError,
    __version__,
)
from ._explanation import Explanation, LevelExplanation, load_explanation
from ._model import Model, load
from ._shapley import ShapleyValues, shapley

__all__ = [
    "Explanation",
    "ExplainError",
    "LevelExplanation",
    "Model",
    "ModelLoadError",
    "ReportError",
    "ShapleyError",
    "ShapleyValues",
    "WhylmError",
    "__version__",
    "load",
    "load_explanation",
    "shapley",
]
