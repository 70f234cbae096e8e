"""What the browser stories stand on: a real Lantern server, service-layer calls, and checks that
every request stayed on this machine.

Nothing here imports `web`: the app's settings and database belong to the server process, and the
few service-layer calls the stories need run in a subprocess with the server's environment.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The console script of the environment running the tests: its pid IS the server (no `uv run`
# wrapper in between), so a test can SIGKILL the real thing.
LANTERN = Path(sys.executable).parent / "lantern"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMEBOOK = {"width": 1366, "height": 768}
FIRST_PARTY_HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((FIRST_PARTY_HOST, 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a server (and of service-layer calls against its data)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env.pop("DATABASE_URL", None)
    env.update(
        LANTERN_DATA_DIR=str(data_dir),
        LANTERN_CHECK_MIN_SECONDS="0.2",
        LANTERN_CHECK_RATE_PER_MINUTE="1000",
        LANTERN_COMMUNITY_UNSOLVED_LIMIT="1000",
        LANTERN_REPORT_RATE_PER_MINUTE="100000",
        PICCOLO_CONF="web.piccolo_conf",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides or {})
    return env


@dataclass
class LanternServer:
    """`lantern serve --demo` on a free port with its own data directory."""

    data_dir: Path
    # LANTERN_* settings that differ from the test defaults, e.g. a tighter /check rate limit.
    overrides: dict[str, str] = field(default_factory=dict)
    # A command the server runs under, e.g. tests/e2e/serve_at.py for a story at another hour.
    wrapper: list[str] = field(default_factory=list)
    start_timeout: float = START_TIMEOUT_SECONDS
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)
    _log: io.BufferedWriter | None = None

    def __post_init__(self) -> None:
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-server.log"

    @classmethod
    def fresh(cls, **overrides: str) -> LanternServer:
        return cls(data_dir=Path(tempfile.mkdtemp(prefix="lantern-e2e-")), overrides=overrides)

    @classmethod
    def at(cls, moment: str, **overrides: str) -> LanternServer:
        """A fresh server whose wall clock starts at `moment` ("2026-12-05 08:00:00+00:00") and runs on
        from there (tests/e2e/serve_at.py)."""
        server = cls.fresh(**overrides)
        server.wrapper = [sys.executable, str(PROJECT_ROOT / "tests" / "e2e" / "serve_at.py"), moment]
        server.start_timeout = 3 * START_TIMEOUT_SECONDS  # a second server while the first one runs
        return server

    @property
    def url(self) -> str:
        return f"http://{FIRST_PARTY_HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "server not started"
        return self.process.pid

    @property
    def env(self) -> dict[str, str]:
        return server_env(self.data_dir, self.overrides)

    def start(self, port: int | None = None) -> LanternServer:
        """Start on `port` (the same address again, e.g. for a deploy), or on a free one."""
        self.port = port or free_port()
        self._log = open(self.log_path, "ab")  # closed by stop() or kill()
        self.process = subprocess.Popen(
            [
                *self.wrapper,
                str(LANTERN),
                "serve",
                "--demo",
                "--host",
                FIRST_PARTY_HOST,
                "--port",
                str(self.port),
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"Lantern exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Lantern did not answer /healthz in {self.start_timeout}s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """A graceful stop (SIGTERM), then SIGKILL if it lingers."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._close_log()

    def kill(self) -> None:
        """Pull the plug: SIGKILL, no shutdown hooks, no flushing."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close_log()

    def remove_data(self) -> None:
        """Delete the data directory and the log (after stop())."""
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.log_path.unlink(missing_ok=True)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


# --- The service layer, from a subprocess that shares the server's environment ------------------

_SERVICE_PRELUDE = """
import asyncio, sys
from web.cases import receipts, services
from web.cases.tables import Report

async def report_for(code):
    report = await Report.objects().where(Report.receipt_hash == receipts.hash_code(code)).first()
    assert report is not None, "no report for that code"
    return report
"""


def run_service(server: LanternServer, body: str, *args: str) -> str:
    """Run `async def main(*args)` (written in `body`) against the server's database; its stdout."""
    script = _SERVICE_PRELUDE + textwrap.dedent(body) + "\nasyncio.run(main(*sys.argv[1:]))\n"
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=PROJECT_ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"service call failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


# --- Privacy: nothing leaves for another host ------------------------------------------------------


def third_party(urls: list[str], allowed_hosts: frozenset[str] = frozenset()) -> list[str]:
    """The URLs that went to a host other than this machine (or one the story explicitly allows)."""
    offenders = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ws", "wss"):
            continue  # data:, blob:, about: never leave the device
        if parts.hostname != FIRST_PARTY_HOST and parts.hostname not in allowed_hosts:
            offenders.append(url)
    return offenders


def post_report(server: LanternServer, idempotency_key: str, **fields: str) -> httpx.Response:
    """A report sent the way a plain HTML form sends it, without a browser."""
    data = {
        "category": "bullying",
        "danger_now": "no",
        "place": "lincoln-hs",
        "description": "Older students corner a freshman in the locker room every morning.",
        "idempotency_key": idempotency_key,
        **fields,
    }
    return httpx.post(f"{server.url}/report", data=data, timeout=30)


def receipt_code_in(html: str) -> str:
    found = re.search(r'data-code="(\d{16})"', html)
    assert found, "no receipt code in the answer"
    return found.group(1)


def png(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    """A real PNG screenshot stand-in."""
    from PIL import Image

    Image.new("RGB", size, (40, 90, 200)).save(path, format="PNG")
    return path


def snapshot(page: Page, name: str) -> Path:
    """A full-page screenshot in the temporary folder, to look at after a run. The caret is left as it
    is: hiding it would inject a style the strict CSP refuses (and the story would fail on it)."""
    path = Path(tempfile.gettempdir()) / f"lantern-{name}.png"
    page.screenshot(path=str(path), full_page=True, caret="initial")
    return path
