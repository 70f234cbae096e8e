"""The suite runs on the engine it was asked for, so a PostgreSQL run cannot quietly use SQLite."""

from __future__ import annotations

import os

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from web.cases.tables import Report


def test_engine_is_the_one_requested() -> None:
    engine = Report._meta.db
    if os.environ.get("LANTERN_TEST_DATABASE_URL"):
        assert isinstance(engine, PostgresEngine)
    else:
        assert isinstance(engine, SQLiteEngine)
