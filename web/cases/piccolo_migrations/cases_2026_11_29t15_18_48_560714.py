from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T15:18:48:560714"
VERSION = "1.38.0"
# Existing values stay readable: values without the sealed envelope read as legacy plaintext, and
# `lantern keys rotate` seals them. On SQLite the column types do not change storage.


class _Manager(MigrationManager):
    """SQLite has no ALTER COLUMN ... TYPE, and it stores text of any length in a VARCHAR column, so
    the type changes run on PostgreSQL only (the migration still records them for Piccolo)."""

    async def _run_alter_columns(self, backwards: bool = False) -> None:
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        if engine is not None and engine.engine_type == "sqlite":
            return
        await super()._run_alter_columns(backwards=backwards)


DESCRIPTION = "Encryption at rest (longer text columns), closed_at and legal_hold for retention"


async def forwards():
    manager = _Manager(
        migration_id=ID, app_name="cases", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Report",
        tablename="report",
        column_name="closed_at",
        db_column_name="closed_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
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
        table_class_name="Report",
        tablename="report",
        column_name="legal_hold",
        db_column_name="legal_hold",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
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

    manager.alter_column(
        table_class_name="Report",
        tablename="report",
        column_name="event_name",
        db_column_name="event_name",
        params={},
        old_params={},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Report",
        tablename="report",
        column_name="when_text",
        db_column_name="when_text",
        params={},
        old_params={},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Report",
        tablename="report",
        column_name="where_text",
        db_column_name="where_text",
        params={},
        old_params={},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Report",
        tablename="report",
        column_name="contact_name",
        db_column_name="contact_name",
        params={},
        old_params={},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Report",
        tablename="report",
        column_name="contact_info",
        db_column_name="contact_info",
        params={},
        old_params={},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
