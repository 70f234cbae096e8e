"""The database engine, chosen from settings: embedded SQLite by default, PostgreSQL when configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from web.per_loop import PerLoop
from web.settings import Settings, load_settings

BUSY_TIMEOUT_SECONDS = 10
logger = logging.getLogger(__name__)


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


# SQLite has one writer at a time. Writers of this process take turns here, first come first served,
# instead of each retrying the file lock after growing sleeps (busy_timeout), where an unlucky one can
# wait seconds under load. Other processes (the `lantern` commands) still meet at the file lock.
_sqlite_writers = PerLoop(asyncio.Lock)


# What to do once the write transaction under way has committed (see on_commit).
_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar("lantern_after_commit", default=None)


def on_commit(callback: Callable[[], None]) -> None:
    """Run callback when the current write transaction commits (not at all if it rolls back), or now
    when there is none. For news that others must not act on before they can read the change."""
    pending = _after_commit.get()
    if pending is None:
        callback()
    else:
        pending.append(callback)


async def open_pool(engine: Engine, max_size: int) -> None:
    """PostgreSQL: keep up to max_size connections open for the process (one per query would cost a
    connection handshake each time, and could run past the server's connection limit under load)."""
    if isinstance(engine, PostgresEngine) and max_size > 0:
        await engine.start_connection_pool(min_size=min(2, max_size), max_size=max_size)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


@asynccontextmanager
async def write_transaction(engine: Engine) -> AsyncIterator[None]:
    """A transaction for read-modify-write: IMMEDIATE on SQLite so concurrent writers queue
    for the lock instead of failing with "database is locked" half way through."""
    outermost = _after_commit.get() is None
    pending: list[Callable[[], None]] = []
    token = _after_commit.set(pending) if outermost else None
    try:
        if isinstance(engine, SQLiteEngine):
            # Only the outermost takes the writers' turn: the same task cannot take it twice.
            async with (
                _sqlite_writers.get() if outermost else contextlib.nullcontext(),
                engine.transaction(transaction_type=TransactionType.immediate),
            ):
                yield
        else:
            async with engine.transaction():
                yield
    finally:
        if token is not None:
            _after_commit.reset(token)
    for callback in pending:  # reached only when the transaction committed
        try:
            callback()
        except Exception:  # news about a stored change must not turn it into an error page
            logger.exception("after-commit callback failed")


class AltersOnPostgresOnly(MigrationManager):
    """For migrations that change column types: SQLite has no ALTER COLUMN ... TYPE and stores text of
    any length in a VARCHAR column, so the changes run on PostgreSQL only (and are still recorded for
    Piccolo's later migrations)."""

    async def _run_alter_columns(self, backwards: bool = False) -> None:
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        if engine is not None and engine.engine_type == "sqlite":
            return
        await super()._run_alter_columns(backwards=backwards)
