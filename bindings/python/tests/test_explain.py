"""Model.explain gives the CLI's numbers for the same arguments, and its document reads back."""

from __future__ import annotations

import numpy as np
import pytest

import whylm
from conftest import assert_same_levels, cli_json, shared

TOY_PROMPT = "the red box has 7 . the blue cup has 3 . the blue cup has"
STORY_PROMPT = "Once upon a time, there was a little girl named"


def test_builtin_model_matches_the_cli(tmp_path):
    model = whylm.load("builtin")
    ours = model.explain(TOY_PROMPT, " 3", level=["word", "token"], progress=False)
    document = cli_json(tmp_path, ["--prompt", TOY_PROMPT, "--target", " 3", "--level", "word,token"])
    assert_same_levels(ours, document)
    assert ours.values.shape == (len(ours.features), len(ours.target_tokens))
    assert ours.efficiency_residual < 1e-6


def test_long_builtin_model_loads_by_name_and_matches_the_cli(tmp_path):
    model = whylm.load("builtin:long")
    assert model.name == "whylm-toy long (built-in)"
    prompt = "the red box has 7 . it is sunny today we like to sing . the blue cup has 3 ."
    options = dict(level=["sentence"], method="kernel", max_evals=16, seed=2)
    ours = model.explain(prompt, " 3", suffix=" the blue cup has", progress=False, **options)
    document = cli_json(
        tmp_path,
        ["--model", "builtin:long", "--prompt", prompt, "--suffix", " the blue cup has", "--target", " 3",
         "--level", "sentence", "--method", "kernel", "--max-evals", "16", "--seed", "2"],
    )
    assert_same_levels(ours, document)
    assert len(ours.features) == 3


def test_refinement_and_generation_length_match_the_cli(tmp_path):
    model = whylm.load("builtin")
    prompt = "the red box has 7 . the blue cup has 3 . the green bag has 5 ."
    options = dict(level="sentence,word", refine=1, max_evals=64, seed=1)
    ours = model.explain(prompt, " 3", suffix=" the blue cup has", progress=False, **options)
    document = cli_json(
        tmp_path,
        ["--prompt", prompt, "--suffix", " the blue cup has", "--target", " 3", "--level", "sentence,word",
         "--refine", "1", "--max-evals", "64", "--seed", "1"],
    )
    assert_same_levels(ours, document)
    sentences, words = ours.levels["sentence"], ours.levels["word"]
    assert sentences.parent is None and words.parent is not None
    top = int(np.argmax(np.abs(sentences.values.sum(axis=1))))
    # Only the sentence of largest |value| is split into words; the others stay whole, one feature each.
    assert set(words.parent[words.split]) == {top}
    assert list(words.parent[~words.split]) == [i for i in range(len(sentences.features)) if i != top]
    generated = model.explain(prompt, suffix=" the blue cup has", max_new_tokens=1, progress=False)
    assert len(generated.target_tokens) == 1
    with pytest.raises(ValueError, match="max_new_tokens"):
        model.explain(prompt, max_new_tokens=0, progress=False)
    with pytest.raises(whylm.ExplainError, match="at least two levels"):
        model.explain(prompt, " 3", level="word", refine=1, progress=False)


def test_interactions_and_attention_match_the_cli(tmp_path):
    model = whylm.load("builtin")
    ours = model.explain(TOY_PROMPT, " 3", level="word", interactions=3, attention=True, progress=False)
    document = cli_json(
        tmp_path, ["--prompt", TOY_PROMPT, "--target", " 3", "--level", "word", "--interactions", "3", "--attention"]
    )
    assert_same_levels(ours, document)
    cli_pairs = document["levels"][0]["interactions"]
    assert ours.interaction_features == cli_pairs["features"] and len(ours.interaction_features) == 3
    np.testing.assert_allclose(ours.interactions, np.array(cli_pairs["matrix"]), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(ours.interactions, ours.interactions.T)
    assert not np.diag(ours.interactions).any()
    # The strongest three features by |value|, strongest first.
    strength = np.abs(ours.values.sum(axis=1))
    assert ours.interaction_features == list(np.argsort(-strength, kind="stable")[:3])
    views = document["attention"]["views"]
    assert set(ours.attention) >= {"rollout", "layer 0 mean", "layer 0 head 0"}
    assert len(ours.attention) == len(views)
    for name, weights in ours.attention.items():
        assert weights.shape == ours.values.shape, name
    rollout = next(v for v in views if v["kind"] == "rollout")
    np.testing.assert_allclose(ours.attention["rollout"], np.array(rollout["levels"][0]["weights"]).T, atol=1e-12)
    with pytest.raises(ValueError, match="interaction_evals"):
        model.explain(TOY_PROMPT, " 3", interactions=2, interaction_evals=0, progress=False)


def test_stories260k_matches_the_cli_with_a_sampling_method(tmp_path):
    path = shared("models/stories260K/stories260K.gguf")
    model = whylm.load(path)
    options = dict(method="kernel", max_evals=64, masker="hide", score="logodds", seed=3)
    ours = model.explain(STORY_PROMPT, " Lily", progress=False, **options)
    document = cli_json(
        tmp_path,
        ["--model", str(path), "--prompt", STORY_PROMPT, "--target", " Lily", "--method", "kernel",
         "--max-evals", "64", "--masker", "hide", "--score", "logodds", "--seed", "3"],
    )
    assert_same_levels(ours, document)
    assert ours.std_err is not None and ours.std_err.shape == ours.values.shape
    assert ours.method == "kernel"


def test_the_document_round_trips_and_renders(tmp_path):
    explanation = whylm.load("builtin").explain(TOY_PROMPT, " 3", progress=False)
    path = tmp_path / "e.json"
    explanation.to_json(path)
    for source in (path, str(path), explanation.to_json()):
        again = whylm.load_explanation(source)
        np.testing.assert_array_equal(again.values, explanation.values)
    html = explanation._repr_html_()
    assert html.startswith("<iframe") and "srcdoc=" in html
    assert "<html" in explanation.to_html().lower()


def test_bad_arguments_are_value_errors_with_the_cli_messages():
    model = whylm.load("builtin")
    with pytest.raises(ValueError, match="unknown method 'fast'"):
        model.explain(TOY_PROMPT, " 3", method="fast")
    with pytest.raises(ValueError):
        model.explain(TOY_PROMPT, " 3", masker="drop")
    with pytest.raises(ValueError):
        model.explain(TOY_PROMPT, " 3", level="paragraphs")
    with pytest.raises(whylm.ExplainError, match="prompt is empty"):
        model.explain("", " 3", progress=False)
    with pytest.raises(whylm.ModelLoadError, match="does not exist"):
        whylm.load("/no/such/model.gguf")
    with pytest.raises(ValueError, match="not both"):
        model.explain(TOY_PROMPT, chat=[{"role": "user", "content": "hi"}])
    with pytest.raises(whylm.ReportError):
        whylm.load_explanation('{"schema_version": 99}')
