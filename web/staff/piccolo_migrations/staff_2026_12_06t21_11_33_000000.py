from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Varchar

from web.migration_steps import TypeChangesOnPostgres

ID = "2026-12-06T21:11:33:000000"
VERSION = "1.38.0"
DESCRIPTION = "Two-factor secrets sealed at rest (a text column)"


async def forwards():
    manager = TypeChangesOnPostgres(
        migration_id=ID, app_name="staff", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="StaffAccount",
        tablename="staff_account",
        column_name="totp_secret",
        db_column_name="totp_secret",
        params={},
        old_params={},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
