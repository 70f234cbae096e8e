"""Indexes for the Insights dashboards (web/insights/queries.py): covering, and ordered as they group.

The dashboards read only a few columns of each report and group on them. SQLite groups by sorting
(it has no hash aggregation), so each index below puts the grouping columns first: rows then arrive
already grouped, and the whole index is narrow next to the report rows with their descriptions.

- report_insights_time: by date (the weeks, and the durations of a period);
- report_insights_place: per school and category;
- report_insights_status: per status, disposition, reporter and kind (and the open backlog);
- report_insights_case: a report's figures by its public id, for the audit rows that name it;
- audit_event_resolved: the status moves alone (a partial index) by where they went, then per case and
  in time order, for time to resolve (the moves to Resolved, read without parsing any JSON).

Raw SQL, because Piccolo declares single-column indexes only; the table definitions do not change.
Only the JSON field of the last one is written differently for SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T14:46:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes for the Insights dashboards"

INDEXES = {
    "report_insights_time": "report (created_at, kind, school, category, life_safety, acknowledged_at, "
    "disposition, status)",
    "report_insights_place": "report (school, category, created_at, kind, life_safety, status, disposition, "
    "source, reporter_role, acknowledged_at)",
    "report_insights_status": "report (status, disposition, source, reporter_role, kind, life_safety, "
    "created_at, school, category)",
    "report_insights_case": "report (public_id, created_at, status, disposition, life_safety, school, category)",
    # {after}: how each engine reads detail["after"] (the same expression as web/insights/queries.py).
    "audit_event_resolved": "audit_event (action, {after}, case_uuid, created_at) WHERE action = 'case.status'",
}
AFTER = {"sqlite": "json_extract(detail, '$.after')", "postgres": "(detail ->> 'after')"}


class Report(Table, tablename="report", schema=None):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    async def create_indexes():
        after = AFTER["sqlite" if Report._meta.db.engine_type == "sqlite" else "postgres"]
        for name, definition in INDEXES.items():
            await Report.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {definition.format(after=after)}")

    async def drop_indexes():
        for name in INDEXES:
            await Report.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
