"""``whylm.load`` and ``Model.explain``: thin keyword wrappers over the Rust model (same syntax as the CLI)."""

from __future__ import annotations

import json as _json
import os
from typing import Any, Dict, Mapping, Optional, Sequence, Union

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
        prompt: Optional[str] = None,
        target: Optional[str] = None,
        *,
        level: Union[str, Sequence[str]] = "word",
        method: str = "auto",
        max_evals: Optional[int] = None,
        masker: str = "delete",
        score: str = "logprob",
        prefix: str = "",
        suffix: str = "",
        chat: Union[None, str, Sequence[Mapping[str, Any]], Mapping[str, Any]] = None,
        chat_template: Optional[Union[str, "os.PathLike[str]"]] = None,
        template_vars: Optional[Mapping[str, Any]] = None,
        explain_turns: Union[str, Sequence[int]] = "all",
        keep_system: bool = False,
        seed: int = 0,
        batch_size: Optional[int] = None,
        refine: Optional[int] = None,
        max_new_tokens: int = 32,
        interactions: Optional[int] = None,
        interaction_evals: Optional[int] = None,
        attention: bool = False,
        progress: bool = True,
    ) -> Explanation:
        """Explains ``target`` (or the model's greedy continuation) given ``prompt`` or a conversation ``chat``.

        ``level``, ``method``, ``masker`` and ``score`` take the strings of ``whylm explain``'s options (e.g.
        ``level="word,sentence"`` or ``["word", "token"]``, ``masker="replace:<unk>"``, ``score="contrast: no"``).

        ``chat`` is a conversation instead of a prompt, as ``whylm explain --chat FILE`` reads it: a list of
        ``{"role": "system"|"user"|"assistant", "content": "..."}`` (or that list as JSON text). A final assistant
        message is the reply that is explained unless ``target`` gives another. It is rendered by ``chat_template``
        (a Jinja file, ``--chat-template``) or else the model's own template, with ``template_vars`` as template
        variables (``--set``); ``explain_turns`` (all, user, history or message indices) and ``keep_system`` choose
        the messages that are features, as ``--explain-turns`` and ``--keep-system`` do.

        ``refine=k`` explains the levels from coarse to fine (e.g. ``level="sentence,word"``), splitting only the
        ``k`` units of largest |value| of each level into their parts at the next, within ``max_evals`` for all
        levels together (``--refine``); each refined level's ``parent`` and ``split`` say where its features came
        from. ``max_new_tokens`` bounds the answer generated when no target is given (``--max-new-tokens``).

        ``interactions=k`` adds the pairwise Shapley interaction index of the top ``k`` features of each level
        (``--interactions``, ``interaction_evals`` is ``--interaction-evals``): a level's ``interactions`` is then a
        k x k array over its features ``interaction_features``. ``attention=True`` (``--attention``) adds every
        attention view (rollout, each layer's mean, each head) aggregated to each level's features: a level's
        ``attention`` maps a view's name to its weights, features x target tokens like ``values``.
        """
        levels = _levels(level)
        chat_arguments = None
        if chat is not None:
            if prompt is not None:
                raise ValueError("give the prompt or the chat, not both")
            if prefix or suffix:
                raise ValueError(
                    "prefix and suffix do not go with chat; the chat template writes the text around the messages"
                )
            chat_arguments = _chat_arguments(chat, chat_template, template_vars, explain_turns, keep_system)
            prompt = ""
        elif prompt is None:
            raise ValueError("give the prompt to explain (or a conversation with chat=...)")
        json = self._native.explain_json(
            prompt,
            target,
            levels,
            method,
            max_evals,
            masker,
            score,
            prefix,
            suffix,
            chat_arguments,
            seed,
            batch_size,
            refine,
            max_new_tokens,
            interactions,
            interaction_evals,
            attention,
            progress,
        )
        return Explanation.from_json(json)


def _chat_arguments(
    chat: Any,
    template: Optional[Union[str, "os.PathLike[str]"]],
    template_vars: Optional[Mapping[str, Any]],
    explain_turns: Union[str, Sequence[int]],
    keep_system: bool,
) -> Dict[str, Any]:
    """The chat arguments as the native module takes them: the conversation as JSON text (parsed, and refused with
    the command line's messages, in Rust), template variables as ``--set``'s NAME=JSON assignments."""
    if isinstance(chat, str):
        messages = chat
    else:
        conversation = dict(chat) if isinstance(chat, Mapping) else list(chat)
        try:
            messages = _json.dumps(conversation, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            raise ValueError(f"chat must be a list of role/content dicts or JSON text: {error}") from None
    assignments = []
    for name, value in (template_vars or {}).items():
        try:
            assignments.append(f"{name}={_json.dumps(value, ensure_ascii=False)}")
        except (TypeError, ValueError) as error:
            raise ValueError(f"template variable {name!r} cannot be written as JSON: {error}") from None
    if not isinstance(explain_turns, str):
        explain_turns = ",".join(str(int(index)) for index in explain_turns)
    return {
        "messages": messages,
        "template": None if template is None else os.fspath(template),
        "assignments": assignments,
        "explain_turns": explain_turns,
        "keep_system": bool(keep_system),
    }


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


def load(
    path: Union[str, "os.PathLike[str]"] = "builtin",
    dtype: str = "auto",
    max_memory: Union[int, str, None] = None,
) -> Model:
    """Loads ``"builtin"`` (the CLI's default model), a GGUF file, a Hugging Face directory or a llama2.c ``.bin``.

    ``dtype`` stores the weight matrices as ``whylm --dtype`` does: ``"auto"`` (the fastest that fits in
    ``max_memory``), ``"f32"``, ``"f16"``, ``"bf16"`` or ``"native"`` (each tensor in its file's type).
    ``max_memory`` bounds the weights plus one scoring batch: a byte count or a size such as ``"2G"``.
    """
    source = os.fspath(path)
    limit = None if max_memory is None else str(max_memory)
    return Model(_native.load(source, dtype, limit), source)
