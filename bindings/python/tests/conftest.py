"""Shared fixtures: where the repository, the reference models and the CLI binary are."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

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
