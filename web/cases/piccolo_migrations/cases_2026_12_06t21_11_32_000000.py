"""Disclosures recorded before their recipient and organisation were sealed: sealed now; their audit lines
lose the recipient they copied; cases purged before now lose the details of their audit lines.

A separate migration because Piccolo runs a migration's raw steps before its column changes (on
PostgreSQL the columns must be text before a sealed value fits).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, UUID, Serial, Text, Varchar
from piccolo.table import Table

from web.migration_steps import seal_plaintext

ID = "2026-12-06T21:11:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "Seal disclosure recipients; no recipients or purged cases' details in the audit log"


class DisclosureRows(Table, tablename="disclosure"):
    id = Serial(primary_key=True)
    recipient = Text()
    organization = Text(null=True, default=None)


class AuditRows(Table, tablename="audit_event"):
    id = Serial(primary_key=True)
    action = Varchar(length=40)
    case_uuid = UUID(null=True, default=None)
    detail = JSON(default={})


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    async def seal_and_scrub() -> None:
        await seal_plaintext(DisclosureRows, ("recipient", "organization"))
        disclosed = await AuditRows.select().where(AuditRows.action == "case.disclosed").output(load_json=True)
        for row in disclosed:
            detail = {k: v for k, v in (row["detail"] or {}).items() if k not in ("recipient", "organization")}
            await AuditRows.update({AuditRows.detail: detail}).where(AuditRows.id == row["id"])
        purged = await AuditRows.select(AuditRows.case_uuid).where(AuditRows.action == "case.purged")
        for row in purged:
            await AuditRows.update({AuditRows.detail: {}}).where(AuditRows.case_uuid == row["case_uuid"])

    manager.add_raw(seal_and_scrub)
    return manager
