from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Varchar

from web.migration_steps import TypeChangesOnPostgres

ID = "2026-12-06T21:11:31:982035"
VERSION = "1.38.0"
DESCRIPTION = "Disclosure recipients and organisations sealed at rest (text columns)"


async def forwards():
    manager = TypeChangesOnPostgres(
        migration_id=ID, app_name="cases", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Disclosure",
        tablename="disclosure",
        column_name="recipient",
        db_column_name="recipient",
        params={},
        old_params={},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Disclosure",
        tablename="disclosure",
        column_name="organization",
        db_column_name="organization",
        params={},
        old_params={},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
