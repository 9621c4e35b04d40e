import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

__version__: str

class WhylmError(Exception): ...
class ModelLoadError(WhylmError): ...
class ExplainError(WhylmError): ...
class ShapleyError(WhylmError): ...
class ReportError(WhylmError): ...

@dataclass(frozen=True)
class Feature:
    text: str
    start: int
    end: int
    tokens: List[int]

class LevelExplanation:
    level: str
    features: List[Feature]
    values: np.ndarray
    std_err: Optional[np.ndarray]
    base_values: np.ndarray
    full_values: np.ndarray
    method: str
    method_reason: str
    evaluations: int
    efficiency_residual: float
    seed: int
    parent: Optional[np.ndarray]
    split: Optional[np.ndarray]
    interactions: Optional[np.ndarray]
    interaction_features: Optional[List[int]]
    interaction_std_err: Optional[np.ndarray]
    attention: Dict[str, np.ndarray]

class Explanation:
    document: Dict[str, Any]
    levels: Dict[str, LevelExplanation]
    prompt: str
    target_tokens: List[str]
    target_ids: List[int]
    score: str
    masker: str
    warnings: List[str]
    values: np.ndarray
    std_err: Optional[np.ndarray]
    base_values: np.ndarray
    full_values: np.ndarray
    features: List[Feature]
    method: str
    evaluations: int
    efficiency_residual: float
    @classmethod
    def from_json(cls, text: str) -> Explanation: ...
    @property
    def primary(self) -> LevelExplanation: ...
    def to_json(self, path: Optional[Union[str, os.PathLike[str]]] = ...) -> str: ...
    def to_html(self) -> str: ...
    def _repr_html_(self) -> str: ...
    def show(self) -> str: ...
    def to_shap(self, level: Optional[str] = ...) -> Any: ...
    def to_captum(self, level: Optional[str] = ...) -> Any: ...

class Model:
    source: str
    @property
    def name(self) -> str: ...
    def explain(
        self,
        prompt: Optional[str] = ...,
        target: Optional[str] = ...,
        *,
        level: Union[str, Sequence[str]] = ...,
        method: str = ...,
        max_evals: Optional[int] = ...,
        masker: str = ...,
        score: str = ...,
        prefix: str = ...,
        suffix: str = ...,
        chat: Union[None, str, Sequence[Mapping[str, Any]], Mapping[str, Any]] = ...,
        chat_template: Optional[Union[str, os.PathLike[str]]] = ...,
        template_vars: Optional[Mapping[str, Any]] = ...,
        explain_turns: Union[str, Sequence[int]] = ...,
        keep_system: bool = ...,
        seed: int = ...,
        batch_size: Optional[int] = ...,
        refine: Optional[int] = ...,
        max_new_tokens: int = ...,
        interactions: Optional[int] = ...,
        interaction_evals: Optional[int] = ...,
        attention: bool = ...,
        progress: bool = ...,
    ) -> Explanation: ...

@dataclass
class ShapleyValues:
    values: np.ndarray
    std_err: Optional[np.ndarray]
    base_values: np.ndarray
    full_values: np.ndarray
    evaluations: int
    method: str
    efficiency_residual: float
    calls: int

def load(
    path: Union[str, os.PathLike[str]] = ...,
    dtype: str = ...,
    max_memory: Union[int, str, None] = ...,
) -> Model: ...
def load_explanation(path_or_json: Union[str, os.PathLike[str]]) -> Explanation: ...
def shapley(
    value_fn: Callable[[np.ndarray], np.ndarray],
    n_players: int,
    n_outputs: int = ...,
    *,
    method: str = ...,
    max_evals: Optional[int] = ...,
    seed: int = ...,
    batch_size: int = ...,
) -> ShapleyValues: ...
