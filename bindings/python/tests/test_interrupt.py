"""Ctrl-C stops a running explanation: SIGINT sent to a Python process busy in whylm's Rust code raises
KeyboardInterrupt there, and the process ends as any Python program interrupted by Ctrl-C ends (no crash, no core
dump, no Rust panic)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap

# Explains long enough to be interrupted mid-run (a sampling budget the built-in model needs minutes for); the
# progress line on stderr says when the Rust loop has started.
LONG_EXPLANATION = textwrap.dedent(
    """
    import whylm
    model = whylm.load("builtin")
    model.explain("the red box has 7 . the blue cup has 3 . the green bag has 5 . the blue cup has", " 3",
                  level="token", method="permutation", max_evals=10_000_000, batch_size=4, progress=True)
    """
)

# A game whose every batch takes a while (a model would); each call says so on stderr.
SLOW_GAME = textwrap.dedent(
    """
    import sys, time, numpy as np, whylm
    def value_fn(masks):
        sys.stderr.write("batch\\n"); sys.stderr.flush()
        time.sleep(0.02)
        return masks.sum(axis=1, keepdims=True).astype(float) ** 2
    whylm.shapley(value_fn, 16, 1, method="exact", batch_size=8)
    """
)

# The same ending without whylm: what a Python program interrupted in a plain sleep returns.
PLAIN_SLEEP = 'import sys, time\nsys.stderr.write("evaluations batch\\n"); sys.stderr.flush()\ntime.sleep(600)\n'


# Python leaves SIGINT alone when it starts with the signal ignored (as a shell's background job does), so the
# child restores Python's own handler first.
RESTORE_CTRL_C = "import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"


def interrupt(script: str, started: bytes) -> tuple:
    """Runs `script`, sends SIGINT once its stderr shows `started`, and returns (return code, stderr)."""
    child = subprocess.Popen([sys.executable, "-c", RESTORE_CTRL_C + script], stderr=subprocess.PIPE)
    seen = b""
    while started not in seen:
        chunk = os.read(child.stderr.fileno(), 4096)
        assert chunk, f"the child ended before it started: {seen.decode(errors='replace')}"
        seen += chunk
    child.send_signal(signal.SIGINT)
    # A hang guard only: an explanation that ignored the signal would run for minutes.
    _, rest = child.communicate(timeout=120)
    return child.returncode, (seen + rest).decode(errors="replace")


def assert_ended_as_python_does(code: int, stderr: str) -> None:
    plain_code, _ = interrupt(PLAIN_SLEEP, b"batch")
    assert code == plain_code, stderr
    assert stderr.rstrip().endswith("KeyboardInterrupt"), stderr
    assert "panicked" not in stderr and "core dumped" not in stderr, stderr


def test_ctrl_c_stops_an_explanation_in_rust():
    code, stderr = interrupt(LONG_EXPLANATION, b"evaluations")
    assert_ended_as_python_does(code, stderr)
    # the last progress line shows the explanation was stopped, not finished
    done, planned = map(int, re.findall(r"(\d+)/(\d+) evaluations", stderr)[-1])
    assert done < planned, stderr


def test_ctrl_c_stops_a_shapley_run_on_a_python_game():
    code, stderr = interrupt(SLOW_GAME, b"batch")
    assert_ended_as_python_does(code, stderr)
    # exact over 16 players is 2^16 coalitions: 8192 batches of 8 if it ran to the end
    assert stderr.count("batch\n") < 2**16 // 8, stderr[-2000:]
