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
