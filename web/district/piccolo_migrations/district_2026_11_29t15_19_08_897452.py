from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Float
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T15:19:08:897452"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="district", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="School",
        tablename="school",
        column_name="latitude",
        db_column_name="latitude",
        column_class_name="Float",
        column_class=Float,
        params={
            "default": None,
            "null": True,
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

    manager.add_column(
        table_class_name="School",
        tablename="school",
        column_name="longitude",
        db_column_name="longitude",
        column_class_name="Float",
        column_class=Float,
        params={
            "default": None,
            "null": True,
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
