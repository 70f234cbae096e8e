"""Cases closed before retention existed: closed_at is their last change (retention counts from it).

A separate migration because Piccolo runs a migration's raw steps before its column changes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T15:18:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "closed_at of cases closed before retention"


class ReportRows(Table, tablename="report"):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    async def closed_at_of_closed_cases() -> None:
        await ReportRows.raw(
            "UPDATE report SET closed_at = updated_at WHERE status = 'closed' AND closed_at IS NULL"
        )

    manager.add_raw(closed_at_of_closed_cases)
    return manager
