"""The database engine, chosen from settings: embedded SQLite by default, PostgreSQL when configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
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


def keep_private(data_dir: Path) -> None:
    """The data directory is the owner's alone (0700, every file in it 0600): it holds the database
    (its -wal and -shm files too) and the installation secrets. Files made from now on by this
    process are born private (umask), so no moment exists when another account on the host can
    read one; files left readable by an older version are closed here."""
    os.umask(0o077)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    data_dir.chmod(0o700)
    for root, directories, files in os.walk(data_dir):
        for name, mode in [*((d, 0o700) for d in directories), *((f, 0o600) for f in files)]:
            path = Path(root, name)
            if not path.is_symlink():  # chmod would change whatever it points at
                path.chmod(mode)


def build_engine(settings: Settings | None = None) -> Engine:
    settings = settings or load_settings()
    keep_private(settings.data_dir)
    if settings.uses_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
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
