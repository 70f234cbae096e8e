"""Installation secrets made by several processes at once: every process ends with the same, whole
secret (none keeps an empty or half-written one). The data directory and every file in it, the
database included, are the owner's alone."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from contextlib import closing
from pathlib import Path

import httpx

from tests.e2e.support import LanternServer, post_report

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


def test_the_data_directory_and_every_file_in_it_are_the_owners_alone() -> None:
    server = LanternServer.fresh()
    server.data_dir.chmod(0o755)  # as an older version, or a hand-made directory, left it
    (server.data_dir / "secrets").mkdir(mode=0o755)
    (server.data_dir / "secrets" / "csrf_secret").write_text(secrets.token_hex(32))
    (server.data_dir / "secrets" / "csrf_secret").chmod(0o644)
    server.start()
    try:
        assert post_report(server, secrets.token_urlsafe(24)).status_code == 200
        assert httpx.get(f"{server.url}/community", timeout=30).status_code == 200  # its secret, made now
        modes = _modes(server.data_dir)
        # SQLite gives the -wal and -shm files the database file's mode, whoever opens it and with
        # whatever umask (the owner's sqlite3 shell, say): they are private because the database is.
        lax = os.umask(0o022)
        try:
            with closing(sqlite3.connect(server.data_dir / "lantern.sqlite")) as shell:
                shell.execute("PRAGMA journal_mode = WAL")
                shell.execute("CREATE TABLE IF NOT EXISTS shell_probe (x)")
                modes.update(_modes(server.data_dir))
        finally:
            os.umask(lax)
    finally:
        server.stop()
        server.remove_data()
    expected_files = {"lantern.sqlite", "lantern.sqlite-wal", "lantern.sqlite-shm", "secrets/csrf_secret",
                      "secrets/pow_secret", "secrets/receipt_salt"}  # fmt: skip
    assert expected_files <= set(modes)
    assert {name: mode for name, mode in modes.items() if name in (".", "secrets")} == {
        ".": 0o700,
        "secrets": 0o700,
    }
    files = {name: mode for name, mode in modes.items() if name not in (".", "secrets")}
    assert files == dict.fromkeys(files, 0o600)


def _modes(data_dir: Path) -> dict[str, int]:
    return {str(p.relative_to(data_dir)): p.stat().st_mode & 0o777 for p in [data_dir, *data_dir.rglob("*")]}
