"""Two-factor secrets stored before they were sealed at rest: sealed now.

A separate migration because Piccolo runs a migration's raw steps before its column changes (on
PostgreSQL the column must be text before a sealed secret fits).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Serial, Text
from piccolo.table import Table

from web.migration_steps import seal_plaintext

ID = "2026-12-06T21:11:33:500000"
VERSION = "1.38.0"
DESCRIPTION = "Seal two-factor secrets stored in plain text"


class AccountRows(Table, tablename="staff_account"):
    id = Serial(primary_key=True)
    totp_secret = Text(null=True, default=None)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="staff", description=DESCRIPTION)

    async def seal_secrets() -> None:
        await seal_plaintext(AccountRows, ("totp_secret",))

    manager.add_raw(seal_secrets)
    return manager
