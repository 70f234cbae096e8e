"""Steps that committed migrations share: type changes that only PostgreSQL needs, and sealing values
stored before their column was encrypted at rest."""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class TypeChangesOnPostgres(MigrationManager):
    """SQLite has no ALTER COLUMN ... TYPE, and it stores text of any length in a VARCHAR column, so
    type changes run on PostgreSQL only (the migration still records them for Piccolo)."""

    async def _run_alter_columns(self, backwards: bool = False) -> None:
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        if engine is not None and engine.engine_type == "sqlite":
            return
        await super()._run_alter_columns(backwards=backwards)


async def seal_plaintext(table: type[Table], columns: Sequence[str]) -> int:
    """Seal the values of these columns stored before they were encrypted at rest (a data migration;
    the same envelope and column binding as web/cases/sealing.py). Returns how many were sealed."""
    from web import crypto

    key = table._meta.primary_key
    sealed = 0
    for row in await table.select(key, *(table._meta.get_column_by_name(name) for name in columns)):
        for name in columns:
            value = row[name]
            if value is None or crypto.is_sealed(value):
                continue
            column = table._meta.get_column_by_name(name)
            fresh = crypto.seal(value, f"{table._meta.tablename}.{name}")
            await table.update({column: fresh}).where((key == row[key._meta.name]) & (column == value))
            sealed += 1
    return sealed
