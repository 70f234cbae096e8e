"""Reports from before the danger answer was kept: a "yes" is known (danger_now); "no" and "not sure"
were stored alike, so they stay empty rather than be guessed.

A separate migration because Piccolo runs a migration's raw steps before its column changes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T21:09:56:000000"
VERSION = "1.38.0"
DESCRIPTION = "danger_answer of earlier reports"


class ReportRows(Table, tablename="report"):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    async def yes_where_known() -> None:
        await ReportRows.raw("UPDATE report SET danger_answer = 'yes' WHERE danger_now AND danger_answer IS NULL")

    manager.add_raw(yes_where_known)
    return manager
