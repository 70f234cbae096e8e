"""Every test run gets its own data directory before any Lantern module reads settings."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_DATA_DIR = Path(tempfile.mkdtemp(prefix="lantern-test-"))
os.environ["LANTERN_DATA_DIR"] = str(_DATA_DIR)
os.environ.setdefault("LANTERN_CHECK_MIN_SECONDS", "0.2")
os.environ.setdefault("LANTERN_CHECK_RATE_PER_MINUTE", "1000")
os.environ["PICCOLO_CONF"] = "web.piccolo_conf"
# Tests move call trees and send alerts themselves, on a clock of their own; pushes go to a local
# push service the tests start.
os.environ["LANTERN_RUN_WORKER"] = "0"
os.environ["LANTERN_ALLOW_LOCAL_PUSH"] = "1"
# Form tests post to /community from one address without a browser to solve the proof-of-work.
os.environ.setdefault("LANTERN_COMMUNITY_UNSOLVED_LIMIT", "100000")
os.environ.setdefault("LANTERN_REPORT_RATE_PER_MINUTE", "100000")
# The test client runs the app on an event loop of its own, and a connection pool belongs to one loop,
# while tests also query the database from theirs: no pool here. Servers the tests start (the two
# processes in test_scale_out.py) keep theirs.
os.environ.setdefault("LANTERN_DB_POOL_SIZE", "0")
# The suite runs on the embedded default unless LANTERN_TEST_DATABASE_URL names a PostgreSQL database.
os.environ.pop("DATABASE_URL", None)
if os.environ.get("LANTERN_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["LANTERN_TEST_DATABASE_URL"]


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    import pytest

    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
