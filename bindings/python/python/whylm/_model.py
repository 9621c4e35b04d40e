"""``whylm.load`` and ``Model.explain``: thin keyword wrappers over the Rust model (same syntax as the CLI)."""

from __future__ import annotations

import os
from typing import Optional, Sequence, Union

from . import _native
from ._explanation import Explanation


class Model:
    """A language model loaded into whylm's embedded candle runtime."""

    def __init__(self, native: _native.Model, source: str) -> None:
        self._native = native
        self.source = source

    @property
    def name(self) -> str:
        return self._native.name

    def __repr__(self) -> str:
        return f"whylm.Model({self.name!r}, source={self.source!r})"

    def explain(
        self,
        prompt: str,
        target: Optional[str] = None,
        *,
        level: Union[str, Sequence[str]] = "word",
        method: str = "auto",
        max_evals: Optional[int] = None,
        masker: str = "delete",
        score: str = "logprob",
        prefix: str = "",
        suffix: str = "",
        chat: Optional[Sequence[dict]] = None,
        seed: int = 0,
        batch_size: Optional[int] = None,
        progress: bool = True,
    ) -> Explanation:
        """Explains ``target`` (or the model's greedy continuation) given ``prompt``.

        ``level``, ``method``, ``masker`` and ``score`` take the strings of ``whylm explain``'s options (e.g.
        ``level="word,sentence"`` or ``["word", "token"]``, ``masker="replace:<unk>"``, ``score="contrast: no"``).
        """
        if chat is not None:
            raise NotImplementedError(
                "chat= is not supported by the Python bindings yet; render the conversation with the CLI "
                "(`whylm explain --chat FILE`) or pass the rendered text as prefix/prompt/suffix"
            )
        levels = _levels(level)
        json = self._native.explain_json(
            prompt, target, levels, method, max_evals, masker, score, prefix, suffix, seed, batch_size, progress
        )
        return Explanation.from_json(json)


def _levels(level: Union[str, Sequence[str]]) -> list:
    """The levels asked for, each once in order: a comma list or a sequence of names, as ``--level`` takes."""
    names = level.split(",") if isinstance(level, str) else list(level)
    if not all(isinstance(name, str) for name in names):
        raise ValueError(f"level must be a string or a list of strings, got {level!r}")
    unique: list = []
    for name in (n.strip() for n in names):
        if name not in unique:
            unique.append(name)
    return unique


def load(path: Union[str, "os.PathLike[str]"] = "builtin") -> Model:
    """Loads ``"builtin"`` (the CLI's default model), a GGUF file, a Hugging Face directory or a llama2.c ``.bin``."""
    source = os.fspath(path)
    return Model(_native.load(source), source)
