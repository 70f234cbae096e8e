from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T15:18:49:780950"
VERSION = "1.38.0"
DESCRIPTION = "Retention policy: retention_days"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="district", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="District",
        tablename="district",
        column_name="retention_days",
        db_column_name="retention_days",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 365,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
