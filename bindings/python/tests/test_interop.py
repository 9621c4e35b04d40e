"""to_shap() feeds shap's real text plot; to_captum() has Captum's layout."""

from __future__ import annotations

import numpy as np
import shap

import whylm

PROMPT = "the red box has 7 . the blue cup has 3 . the blue cup has"


def explanation() -> whylm.Explanation:
    return whylm.load("builtin").explain(PROMPT, " 3 .", progress=False)


def test_shap_text_plot_renders_every_feature():
    ours = explanation()
    as_shap = ours.to_shap()
    assert as_shap.values.shape == ours.values.shape
    html = shap.plots.text(as_shap, display=False)
    assert isinstance(html, str)
    for feature in ours.features:
        assert feature.text.strip() in html, feature.text
    for token in ours.target_tokens:
        assert token.strip() in html


def test_captum_layout_is_target_by_input():
    ours = explanation()
    captum = ours.to_captum()
    assert captum.token_attr.shape == (len(ours.target_tokens), len(ours.features))
    np.testing.assert_allclose(captum.token_attr, ours.values.T)
    np.testing.assert_allclose(captum.seq_attr, ours.values.sum(axis=1))
    assert captum.input_tokens == [f.text for f in ours.features]


def _leaf_sets(linkage: np.ndarray, leaves: int) -> list:
    """The leaves under each internal node of a linkage matrix, node M + k being row k."""
    sets = [frozenset([i]) for i in range(leaves)]
    for left, right, _height, count in linkage:
        sets.append(sets[int(left)] | sets[int(right)])
        assert len(sets[-1]) == count
    return sets[leaves:]


def test_shap_clustering_is_the_sentence_tree_over_the_words():
    from scipy.cluster.hierarchy import is_valid_linkage

    ours = whylm.load("builtin").explain(PROMPT, " 3 .", level="word,sentence", progress=False)
    words, sentences = ours.levels["word"], ours.levels["sentence"]
    assert len(sentences.features) >= 2
    as_shap = ours.to_shap("word")
    m = len(words.features)
    assert as_shap.clustering.shape == (m - 1, 4) and is_valid_linkage(as_shap.clustering)
    # Every sentence is one node of the tree, holding exactly its own words.
    nodes = _leaf_sets(as_shap.clustering, m)
    for sentence in sentences.features:
        inside = frozenset(
            i for i, w in enumerate(words.features) if sentence.start <= w.start and w.end <= sentence.end
        )
        assert inside in nodes, sentence.text
    # Fully expanded: the leaves carry the values, the internal nodes nothing, so the rows sum to the values' total.
    assert as_shap.hierarchical_values.shape == (2 * m - 1, len(ours.target_tokens))
    np.testing.assert_array_equal(as_shap.hierarchical_values[:m], words.values)
    np.testing.assert_allclose(as_shap.hierarchical_values.sum(axis=0), words.values.sum(axis=0), atol=1e-12)
    html = shap.plots.text(as_shap, display=False)
    for feature in words.features:
        assert feature.text.strip() in html, feature.text
    # A level with nothing coarser beside it has no tree, and the single-level view is unchanged.
    assert ours.to_shap("sentence").clustering is None
    assert explanation().to_shap().clustering is None
