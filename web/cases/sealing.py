"""Which columns of case data (and staff two-factor secrets) are encrypted at rest, and helpers to seal them where rows are written
and open them where rows are read (see web/crypto.py for the envelope and the keys).

Services seal values before `save()`/`update()` and open rows right after a query; templates and
controllers only ever see plaintext. Nothing searches these columns in SQL (duplicate candidates are
chosen by date and school, never by words), so encryption takes no feature away.
"""

from __future__ import annotations

from typing import Any, TypeVar

from piccolo.table import Table

from web import crypto
from web.alerts.tables import PushDevice
from web.cases.tables import Attachment, Disclosure, Message, PendingUpload, Report, SupportAction
from web.staff.tables import StaffAccount

SEALED: dict[type[Table], tuple[str, ...]] = {
    Report: (
        "event_name",
        "event_date",
        "description",
        "when_text",
        "where_text",
        "contact_name",
        "contact_info",
    ),
    Message: ("body",),
    Attachment: ("data",),
    PendingUpload: ("data",),
    Disclosure: ("recipient", "organization", "what", "why"),
    SupportAction: ("details",),
    # A browser's push subscription: the endpoint names one device (a reporter's, for one case).
    PushDevice: ("endpoint", "p256dh", "auth"),
    # Whoever holds a two-factor secret can make the codes.
    StaffAccount: ("totp_secret",),
}

T = TypeVar("T")


def context(table: type[Table], column: str) -> str:
    return f"{table._meta.tablename}.{column}"


def seal(table: type[Table], column: str, value: Any) -> Any:
    return crypto.seal(value, context(table, column))


def open_value(table: type[Table], column: str, value: Any) -> Any:
    return crypto.open_(value, context(table, column))


def sealed_fields(table: type[Table], **values: Any) -> dict[str, Any]:
    """Keyword arguments for a new row, with the encrypted columns sealed."""
    columns = SEALED[table]
    return {name: seal(table, name, value) if name in columns else value for name, value in values.items()}


def open_row(table: type[Table], row: T) -> T:
    """Open the encrypted columns of a row in place (a Table instance or a dict from select()); the
    row is returned. An opened instance must never be saved again as it is."""
    for name in SEALED[table]:
        if isinstance(row, dict):
            if name in row:
                row[name] = open_value(table, name, row[name])
        elif hasattr(row, name):
            setattr(row, name, open_value(table, name, getattr(row, name)))
    return row


def open_rows(table: type[Table], rows: list[T]) -> list[T]:
    for row in rows:
        open_row(table, row)
    return rows


def open_report(report: Report | None) -> Report | None:
    return open_row(Report, report) if report is not None else None


BATCH_ROWS = {Attachment: 20, PendingUpload: 20}


async def reseal_all() -> int:
    """Seal every value that is in plaintext or under a key other than the current one (the pass of
    `lantern keys rotate`). Returns how many values were sealed again. Each value is replaced only if
    it is still what was read, so a concurrent change is never overwritten."""
    changed = 0
    for table, columns in SEALED.items():
        id_column = table._meta.primary_key
        last = 0
        batch = BATCH_ROWS.get(table, 200)
        while True:
            rows = (
                await table.select(id_column, *(table._meta.get_column_by_name(c) for c in columns))
                .where(id_column > last)
                .order_by(id_column)
                .limit(batch)
            )
            if not rows:
                break
            for row in rows:
                last = row[id_column._meta.name]
                for name in columns:
                    stored = row[name]
                    if not crypto.needs_resealing(stored):
                        continue
                    column = table._meta.get_column_by_name(name)
                    fresh = seal(table, name, open_value(table, name, stored))
                    await table.update({column: fresh}).where((id_column == last) & (column == stored))
                    changed += 1
    return changed
