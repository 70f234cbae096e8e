"""Retention: closed cases are purged a set time after closing, unless a legal hold keeps them.

The district sets the time (`District.retention_days`, 365 by default; 0 keeps cases for ever). A purge
deletes the report and everything hanging off it (messages, photos, disclosures, support actions, the
call tree, alerts, reporter devices); its audit lines stay without their details (who acted, when),
with one more line without content ("case.purged"). The app
purges once a day (`DailyPurge`, started with the app); `lantern purge` does it by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from web.db import write_transaction
from web.settings import load_settings

log = logging.getLogger(__name__)
DAY_SECONDS = 24 * 60 * 60
FIRST_RUN_DELAY_SECONDS = 60.0


@dataclass(frozen=True)
class PurgeResult:
    purged: int
    held: int  # due, but kept by a legal hold
    retention_days: int


async def retention_days() -> int:
    from web.district.services import get_district

    return int((await get_district()).retention_days or 0)


async def purge_due(now: datetime | None = None, *, dry_run: bool = False) -> PurgeResult:
    """Purge every closed case whose retention has run out and that has no legal hold."""
    from web.cases.services import purge_pending_uploads
    from web.cases.tables import Report

    now = now or datetime.now(tz=UTC)
    await purge_pending_uploads()
    days = await retention_days()
    if days <= 0:
        return PurgeResult(purged=0, held=0, retention_days=days)
    cutoff = now - timedelta(days=days)
    due = (Report.status == "closed") & Report.closed_at.is_not_null() & (Report.closed_at < cutoff)
    rows = await Report.select(Report.id, Report.public_id, Report.legal_hold).where(due)
    held = sum(1 for row in rows if row["legal_hold"])
    purged = 0
    for row in rows:
        if row["legal_hold"]:
            continue
        if not dry_run and await purge_case(row["id"], cutoff):
            purged += 1
    if dry_run:
        purged = len(rows) - held
    elif purged:
        await _checkpoint()
    return PurgeResult(purged=purged, held=held, retention_days=days)


async def _checkpoint() -> None:
    """On SQLite, secure_delete zeroes freed pages in the database file; a checkpoint also moves the WAL
    into it and truncates the WAL, so no earlier page image of a purged row stays in the WAL file."""
    from piccolo.engine.sqlite import SQLiteEngine

    from web.cases.tables import Report

    if isinstance(Report._meta.db, SQLiteEngine):
        try:
            await Report.raw("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception:  # busy readers: the next checkpoint does it
            log.warning("retention: WAL checkpoint after the purge did not complete", exc_info=True)


async def purge_case(report_id: int, cutoff: datetime | None = None) -> bool:
    """Delete one case and everything hanging off it, in one transaction. With `cutoff`, only if it is
    still closed before the cutoff and not on hold (checked again inside the transaction)."""
    from web.alerts.tables import Alert, Escalation, PushDevice
    from web.cases.tables import Attachment, Disclosure, Message, Report, ReportSchool, SupportAction
    from web.staff import audit

    async with write_transaction(Report._meta.db):
        query = Report.objects().where(Report.id == report_id)
        if load_settings().uses_postgres:
            query = query.lock_rows("UPDATE")  # two processes purging at once purge (and audit) once
        report = await query.first()
        if report is None:
            return False
        if cutoff is not None and (
            report.legal_hold
            or report.status != "closed"
            or report.closed_at is None
            or report.closed_at >= cutoff
        ):
            return False
        await Attachment.delete().where(Attachment.report == report_id)
        await Message.delete().where(Message.report == report_id)
        await Disclosure.delete().where(Disclosure.report == report_id)
        await SupportAction.delete().where(SupportAction.report == report_id)
        await ReportSchool.delete().where(ReportSchool.report == report_id)
        await Escalation.delete().where(Escalation.report == report_id)
        await Alert.delete().where(Alert.report == report_id)
        await PushDevice.delete().where(PushDevice.report == report_id)
        # Later reports of the same incident stay (their own retention decides); they lose the link.
        await Report.update({Report.duplicate_of: None}).where(Report.duplicate_of == report_id)
        await Report.delete().where(Report.id == report_id)
        await audit.scrub_case(report.public_id)
        await audit.record("case.purged", case=report)
    return True


class DailyPurge:
    """Runs `purge_due` a minute after start-up and then once a day (started with the app)."""

    def __init__(self, interval: float = DAY_SECONDS, first_delay: float = FIRST_RUN_DELAY_SECONDS) -> None:
        self.interval = interval
        self.first_delay = first_delay
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        await asyncio.sleep(self.first_delay)
        while True:
            try:
                result = await purge_due()
                if result.purged:
                    log.info("retention: purged %d closed cases", result.purged)
            except Exception:  # a failed round is logged and tried again tomorrow
                log.exception("retention purge failed")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
