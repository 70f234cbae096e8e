"""Installation secrets made by several processes at once: every process ends with the same, whole
secret (none keeps an empty or half-written one)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The first process is slow to make its secret (it waits, in make(), until the second has read one):
# the moment a second worker starting beside it would meet a file that is there but not yet written.
_FIRST = """
import os, pathlib, sys, time
from web.secrets_store import installation_secret
marks = pathlib.Path(sys.argv[1])
def slow_make():
    (marks / "making").touch()
    deadline = time.monotonic() + 20
    while not (marks / "second-done").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return "first-" + os.urandom(16).hex()
print(installation_secret("shared_secret", "", slow_make).decode())
"""
_SECOND = """
import pathlib, sys, time
from web.secrets_store import installation_secret
marks = pathlib.Path(sys.argv[1])
deadline = time.monotonic() + 20
while not (marks / "making").exists() and time.monotonic() < deadline:
    time.sleep(0.01)
print(installation_secret("shared_secret", "").decode())
(marks / "second-done").touch()
"""


def _python(script: str, data_dir: str, marks: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env["LANTERN_DATA_DIR"] = data_dir
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), marks],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_processes_starting_together_all_get_the_same_whole_secret() -> None:
    data_dir, marks = tempfile.mkdtemp(prefix="lantern-secret-"), tempfile.mkdtemp(prefix="lantern-marks-")
    first = _python(_FIRST, data_dir, marks)
    second = _python(_SECOND, data_dir, marks)
    second_secret = second.communicate(timeout=60)[0].strip()
    first_secret = first.communicate(timeout=60)[0].strip()
    assert first.returncode == 0 and second.returncode == 0
    assert len(second_secret) == 64, "the second process kept an empty or partial secret"
    assert first_secret == second_secret
    secret_file = Path(data_dir) / "secrets" / "shared_secret"
    assert secret_file.read_text().strip() == second_secret
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert os.listdir(secret_file.parent) == ["shared_secret"]  # no temporary file left behind
