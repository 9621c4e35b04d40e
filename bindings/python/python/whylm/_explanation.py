"""The result of ``Model.explain``: a whylm report document (the CLI's ``--json`` schema) seen through numpy."""

from __future__ import annotations

import html
import json as _json
import os
import tempfile
import webbrowser
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Union

import numpy as np

from . import _interop, _native


@dataclass(frozen=True)
class Feature:
    """A group of prompt tokens kept or masked together; ``prompt[start:end]`` in bytes is ``text``."""

    text: str
    start: int
    end: int
    tokens: List[int]


class LevelExplanation:
    """The explanation at one feature level (word, token, sentence, ...)."""

    def __init__(self, level: Dict[str, Any]) -> None:
        self._level = level
        targets = len(level["base_value"])
        self.level: str = level["level"]
        self.features = [Feature(f["text"], f["start"], f["end"], list(f["tokens"])) for f in level["features"]]
        #: phi: features x target tokens.
        self.values = np.asarray(level["phi"], dtype=np.float64).reshape(len(self.features), targets)
        std_err = level.get("std_err")
        self.std_err = None if std_err is None else np.asarray(std_err, dtype=np.float64).reshape(self.values.shape)
        self.base_values = np.asarray(level["base_value"], dtype=np.float64)
        self.full_values = np.asarray(level["full_value"], dtype=np.float64)
        self.method: str = level["method"]
        self.method_reason: str = level.get("method_reason", "")
        self.evaluations: int = level["evaluations"]
        self.efficiency_residual: float = level["efficiency_residual"]
        self.seed: int = level.get("seed", 0)
        refinement = level.get("refinement")
        #: With ``refine``, per feature: the index of the coarser level's feature that holds it (else None).
        self.parent: Optional[np.ndarray] = None if refinement is None else np.asarray(refinement["parent"], dtype=np.int64)
        #: With ``refine``, per feature: True when it is a part of a split unit, False when its unit was kept whole.
        self.split: Optional[np.ndarray] = None if refinement is None else np.asarray(refinement["split"], dtype=bool)
        pairs = level.get("interactions")
        #: With ``interactions=k``: the k x k interaction index (synergy > 0, redundancy < 0) over
        #: ``interaction_features`` (indices into ``features``, strongest first), summed over the target tokens.
        self.interactions: Optional[np.ndarray] = None if pairs is None else np.asarray(pairs["matrix"], dtype=np.float64)
        self.interaction_features: Optional[List[int]] = None if pairs is None else list(pairs["features"])
        pairs_err = None if pairs is None else pairs.get("std_err")
        self.interaction_std_err = None if pairs_err is None else np.asarray(pairs_err, dtype=np.float64)
        #: With ``attention=True``: each attention view's weights (features x target tokens), by the view's name
        #: ("rollout", "layer 3 mean", "layer 3 head 5"); filled in by :class:`Explanation`.
        self.attention: Dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return (
            f"<whylm level {self.level!r}: {len(self.features)} features x {self.values.shape[1]} targets, "
            f"{self.method}, {self.evaluations} evaluations>"
        )


class Explanation:
    """Why the model produced the target: ``values`` (features x target tokens) and what is needed to judge them.

    The attributes without a level (``values``, ``features``, ...) are those of the first level asked for;
    ``levels`` maps every level's name to its :class:`LevelExplanation`.
    """

    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document
        self.levels: Dict[str, LevelExplanation] = {
            level["level"]: LevelExplanation(level) for level in document["levels"]
        }
        for view in (document.get("attention") or {}).get("views", []):
            for level, weights in zip(self.levels.values(), view["levels"]):
                level.attention[_view_name(view)] = np.asarray(weights["weights"], dtype=np.float64).T
        self.prompt: str = document["prompt"]
        self.target_tokens: List[str] = [t["text"] for t in document["target_tokens"]]
        self.target_ids: List[int] = [t["id"] for t in document["target_tokens"]]
        self.score: str = document["score"]
        self.masker: str = document["masker"]
        self.warnings: List[str] = list(document.get("warnings", []))

    @classmethod
    def from_json(cls, text: str) -> "Explanation":
        """Reads a report document (checked by whylm-report's loader; older schema versions are upgraded)."""
        return cls(_json.loads(_native.normalise_report(text)))

    @property
    def primary(self) -> LevelExplanation:
        return next(iter(self.levels.values()))

    def __getattr__(self, name: str) -> Any:
        # values, std_err, base_values, full_values, features, method, evaluations, efficiency_residual: the
        # first level's (most explanations have one).
        if name in _LEVEL_ATTRIBUTES:
            return getattr(self.primary, name)
        raise AttributeError(f"'Explanation' object has no attribute {name!r}")

    def __repr__(self) -> str:
        levels = ", ".join(self.levels)
        return f"<whylm.Explanation of {len(self.target_tokens)} target tokens at level(s) {levels}>"

    def to_json(self, path: Optional[Union[str, "os.PathLike[str]"]] = None) -> str:
        """The document as JSON (the schema of ``whylm explain --json``); also written to ``path`` if given."""
        text = _json.dumps(self.document, indent=2, ensure_ascii=False)
        if path is not None:
            with open(path, "w", encoding="utf-8") as file:
                file.write(text)
        return text

    def to_html(self) -> str:
        """The self-contained HTML report (as ``whylm explain --html`` writes it)."""
        return _native.render_html(_json.dumps(self.document))

    def _repr_html_(self) -> str:
        # A sandboxed frame keeps the report's styles and script away from the notebook's own page.
        return (
            f'<iframe srcdoc="{html.escape(self.to_html(), quote=True)}" '
            'style="width:100%;height:640px;border:0" sandbox="allow-scripts"></iframe>'
        )

    def show(self) -> str:
        """Writes the HTML report to a temporary file and opens it in a browser; returns the file's path."""
        with tempfile.NamedTemporaryFile("w", suffix=".html", prefix="whylm-", delete=False, encoding="utf-8") as f:
            f.write(self.to_html())
        webbrowser.open("file://" + f.name)
        return f.name

    def to_shap(self, level: Optional[str] = None) -> Any:
        """A ``shap.Explanation`` of one level (the first by default) that ``shap.plots.text`` renders; when the
        explanation has coarser levels (``level="sentence,word"``), they are its ``clustering``."""
        chosen = self._level(level)
        coarser = [other for other in self.levels.values() if other is not chosen]
        return _interop.to_shap(chosen, self.target_tokens, coarser)

    def to_captum(self, level: Optional[str] = None) -> Any:
        """Captum's ``LLMAttributionResult`` (or, without captum and torch, an object with its fields)."""
        return _interop.to_captum(self._level(level), self.target_tokens)

    def _level(self, level: Optional[str]) -> LevelExplanation:
        if level is None:
            return self.primary
        if level not in self.levels:
            raise ValueError(f"this explanation has no level {level!r}; it has {', '.join(self.levels)}")
        return self.levels[level]


_LEVEL_ATTRIBUTES = frozenset(
    ["values", "std_err", "base_values", "full_values", "features", "method", "evaluations", "efficiency_residual",
     "interactions", "interaction_features", "interaction_std_err", "attention"]
)


def load_explanation(path_or_json: Union[str, "os.PathLike[str]"]) -> Explanation:
    """Reads a report document: a path to a ``--json`` file, or the JSON text itself."""
    text = os.fspath(path_or_json)
    if not text.lstrip().startswith("{"):
        with open(text, encoding="utf-8") as file:
            text = file.read()
    return Explanation.from_json(text)


def _view_name(view: Dict[str, Any]) -> str:
    """An attention view's name, as the report writes it: "rollout", "layer 3 mean" or "layer 3 head 5"."""
    if view["kind"] == "rollout":
        return "rollout"
    if view.get("head") is not None:
        return f"layer {view['layer']} head {view['head']}"
    if view.get("layer") is not None:
        return f"layer {view['layer']} mean"
    return str(view["kind"])
