"""Shared fixtures: where the repository, the reference models and the CLI binary are."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[3]
# CI has the reference models and golden data beside the checkout (../shared), as the Rust tests do.
SHARED = Path(os.environ.get("WHYLM_SHARED", REPO.parent / "shared"))


def shared(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests need ../shared beside the checkout (or WHYLM_SHARED)")
    return path


def cli_binary() -> str:
    """The `whylm` binary: $WHYLM_CLI (run-tests.sh builds it), else the one on PATH."""
    binary = os.environ.get("WHYLM_CLI") or shutil.which("whylm")
    if not binary:
        pytest.fail("set WHYLM_CLI to the whylm binary (bindings/python/run-tests.sh builds it)")
    return binary


def cli_json(tmp_path: Path, args: list) -> dict:
    """The report document `whylm explain ARGS --json FILE` writes."""
    out = tmp_path / "cli.json"
    subprocess.run([cli_binary(), "explain", "--quiet", *args, "--json", str(out)], check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def cli_error(args: list) -> str:
    """The one-line message of a `whylm explain ARGS` that must fail as the user's mistake (exit 2)."""
    run = subprocess.run([cli_binary(), "explain", "--quiet", *args], capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    return lines[0][len("error: "):]


def assert_same_levels(explanation, document: dict) -> None:
    """Every level of a whylm.Explanation has the CLI document's features, values (to 1e-9), method and budget."""
    assert list(explanation.levels) == [level["level"] for level in document["levels"]]
    for cli_level in document["levels"]:
        ours = explanation.levels[cli_level["level"]]
        assert [f.text for f in ours.features] == [f["text"] for f in cli_level["features"]]
        np.testing.assert_allclose(ours.values, np.array(cli_level["phi"]), rtol=0, atol=1e-9)
        np.testing.assert_allclose(ours.base_values, cli_level["base_value"], rtol=0, atol=1e-9)
        np.testing.assert_allclose(ours.full_values, cli_level["full_value"], rtol=0, atol=1e-9)
        assert (ours.method, ours.evaluations) == (cli_level["method"], cli_level["evaluations"])
    assert explanation.target_tokens == [t["text"] for t in document["target_tokens"]]
