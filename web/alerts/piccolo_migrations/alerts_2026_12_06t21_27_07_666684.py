from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Varchar

from web.db import AltersOnPostgresOnly

ID = "2026-12-06T21:27:07:666684"
VERSION = "1.38.0"
DESCRIPTION = "Push endpoints and keys as text (sealed), found by a keyed hash"


async def forwards():
    # SQLite keeps the old unique constraint on the endpoint, harmlessly: no two sealed values are alike.
    manager = AltersOnPostgresOnly(
        migration_id=ID, app_name="alerts", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="PushDevice",
        tablename="push_device",
        column_name="endpoint_hash",
        db_column_name="endpoint_hash",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 64, "default": None, "null": True},
        schema=None,
    )

    # Sealed values are longer than the plain ones were; the endpoint is unique by its hash now.
    for column, params, old_params in (
        ("endpoint", {"unique": False}, {"unique": True}),
        ("p256dh", {}, {}),
        ("auth", {}, {}),
    ):
        manager.alter_column(
            table_class_name="PushDevice",
            tablename="push_device",
            column_name=column,
            db_column_name=column,
            params=params,
            old_params=old_params,
            column_class=Text,
            old_column_class=Varchar,
            schema=None,
        )

    return manager
