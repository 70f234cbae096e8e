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
os.environ.pop("DATABASE_URL", None)


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    import pytest

    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
