"""shap's ``clustering`` (a scipy linkage matrix) and ``hierarchical_values`` from whylm's nested feature levels.

shap's PartitionExplainer describes its feature tree as an (M - 1) x 4 linkage matrix over the M leaf features
(rows ``[left, right, height, leaf count]``; node ``M + k`` is row k) and gives ``hierarchical_values`` one row per
node (2M - 1 rows): the leaves' credit, then the credit an internal node kept because the explainer never expanded
it. whylm's explanation of a level is fully expanded (every unit of credit sits on the level's own features), so
the internal rows are zero and the rows still sum to the values' total. The tree is the explanation's coarser
levels: the words of a sentence join under that sentence, the sentences of a turn under that turn.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import numpy as np


def partition_tree(leaves: Any, coarser: Sequence[Any]) -> Optional[np.ndarray]:
    """The linkage matrix of ``leaves`` (a level) nested in the ``coarser`` levels that contain it, or None
    when no other level contains its features (a single-level explanation has no tree to give)."""
    spans = [(f.start, f.end) for f in leaves.features]
    levels = [level for level in coarser if _contains_all(level, spans)]
    if not levels or len(spans) < 2:
        return None
    # Coarsest first: fewer features means a higher level of the tree.
    levels.sort(key=lambda level: len(level.features))
    rows: List[List[float]] = []
    sizes = [1] * len(spans)
    root = _merge_groups(list(range(len(spans))), levels, spans, rows, sizes, len(levels) + 1)
    assert root == 2 * len(spans) - 2
    return np.asarray(rows, dtype=np.float64)


def hierarchical_values(values: np.ndarray) -> np.ndarray:
    """One row per node of the tree: the leaves' values, then zero for every internal node (nothing left unexpanded)."""
    internal = np.zeros((values.shape[0] - 1,) + values.shape[1:], dtype=values.dtype)
    return np.concatenate([values, internal], axis=0)


def _contains_all(level: Any, spans: Sequence[Tuple[int, int]]) -> bool:
    """True when every leaf lies inside one of ``level``'s features and ``level`` is coarser (fewer features)."""
    groups = [(f.start, f.end) for f in level.features]
    if len(groups) >= len(spans):
        return False
    return all(any(start <= s and e <= end for start, end in groups) for s, e in spans)


def _merge_groups(
    members: List[int], levels: Sequence[Any], spans: Sequence[Tuple[int, int]], rows: List[List[float]],
    sizes: List[int], height: int,
) -> int:
    """Joins ``members`` (leaf indices, in text order) into one node: first each group of the next finer level
    inside them, then those groups one after another, left to right. Returns the node's id."""
    if len(members) == 1:
        return members[0]
    if not levels:
        children = members
    else:
        level, finer = levels[0], levels[1:]
        children = []
        for group in level.features:
            inside = [m for m in members if group.start <= spans[m][0] and spans[m][1] <= group.end]
            if inside:
                children.append(_merge_groups(inside, finer, spans, rows, sizes, height - 1))
    node = children[0]
    for child in children[1:]:
        sizes.append(sizes[node] + sizes[child])
        rows.append([float(node), float(child), float(height), float(sizes[-1])])
        node = len(sizes) - 1
    return node
