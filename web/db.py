"""The database engine, chosen from settings: embedded SQLite by default, PostgreSQL when configured."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from web.settings import Settings, load_settings

BUSY_TIMEOUT_SECONDS = 10


class DurableSQLiteConnection(sqlite3.Connection):
    """A connection that never acknowledges a write before it is on disk.

    Piccolo opens a connection per query, and `synchronous` is a per-connection setting,
    so it is set here, where every connection is made.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA journal_mode = WAL")
        self.execute("PRAGMA synchronous = FULL")
        self.execute("PRAGMA foreign_keys = ON")
        # Deleted rows (purged cases) are overwritten with zeros, not left in free pages of the file.
        self.execute("PRAGMA secure_delete = ON")
        self.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")


def build_engine(settings: Settings | None = None) -> Engine:
    settings = settings or load_settings()
    if settings.uses_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(
        path=str(settings.sqlite_path),
        timeout=BUSY_TIMEOUT_SECONDS,
        factory=DurableSQLiteConnection,
    )


@asynccontextmanager
async def write_transaction(engine: Engine) -> AsyncIterator[None]:
    """A transaction for read-modify-write: IMMEDIATE on SQLite so concurrent writers queue
    for the lock instead of failing with "database is locked" half way through."""
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield
