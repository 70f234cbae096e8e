"""Idempotency keys kept as keyed hashes: the plaintext keys stored so far become their hashes.

A stored key could be sent back as the form it came with (see web/cases/services.py, key_digest).
Raw steps, because the column itself does not change.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.table import Table

ID = "2026-12-06T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Idempotency keys of reports stored as keyed hashes"


class ReportKeys(Table, tablename="report"):
    idempotency_key = Varchar(length=64)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    async def hash_stored_keys() -> None:
        from web.cases.services import key_digest

        rows = await ReportKeys.select(ReportKeys.id, ReportKeys.idempotency_key)
        for row in rows:
            await ReportKeys.update({ReportKeys.idempotency_key: key_digest(row["idempotency_key"])}).where(
                ReportKeys.id == row["id"]
            )

    manager.add_raw(hash_stored_keys)
    return manager
