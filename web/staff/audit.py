"""The audit log: written by the services that act, so no controller can forget it. Append-only from
the app: nothing here deletes a row, and the only update is the purge of a case emptying the details of
that case's rows (`scrub_case`). Never holds an IP address or a user agent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from web.staff.tables import AuditEvent, StaffAccount

if TYPE_CHECKING:
    from web.cases.tables import Report

# Actions that appear on a case's timeline (views are audited but are not actions on the case).
TIMELINE_ACTIONS = (
    "case.acknowledged",
    "case.assigned",
    "case.status",
    "case.message",
    "case.note",
    "case.reporter_replied",
    "case.created",
    "case.disclosed",
    "case.support_added",
    "case.support_done",
    "case.linked",
    "case.resource_sent",
    "case.escalated",
    "case.legal_hold",
)


async def record(
    action: str,
    *,
    staff: StaffAccount | None = None,
    case: Report | None = None,
    email: str | None = None,
    **detail: Any,
) -> None:
    await AuditEvent(
        staff=staff.id if staff else None,
        email=email,
        action=action,
        case_uuid=case.public_id if case else None,
        detail=detail,
        created_at=datetime.now(tz=UTC),
    ).save()


async def scrub_case(case_uuid: uuid.UUID) -> None:
    """A purged case keeps its audit lines (who did what, when) without their details: nothing of what
    it was about (a status, a kind, a name reached by the call tree) outlives the retention time."""
    await AuditEvent.update({AuditEvent.detail: {}}).where(AuditEvent.case_uuid == case_uuid)


async def case_timeline(case: Report) -> list[dict[str, Any]]:
    """Every action on a case, oldest first, with who did it."""
    return await (
        AuditEvent.select(
            AuditEvent.action,
            AuditEvent.detail,
            AuditEvent.created_at,
            AuditEvent.staff.display_name.as_alias("staff_name"),
        )
        .where((AuditEvent.case_uuid == case.public_id) & (AuditEvent.action.is_in(list(TIMELINE_ACTIONS))))
        .order_by(AuditEvent.created_at)
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )


PAGE_SIZE = 100


async def browse(
    *, action: str = "", email: str = "", case_uuid: uuid.UUID | None = None, before_id: int | None = None
) -> list[dict[str, Any]]:
    """The newest audit rows first, filtered, a page at a time (by id, so new rows never shift pages)."""
    query = AuditEvent.select(
        AuditEvent.id,
        AuditEvent.action,
        AuditEvent.case_uuid,
        AuditEvent.email,
        AuditEvent.detail,
        AuditEvent.created_at,
        AuditEvent.staff.email.as_alias("staff_email"),
        AuditEvent.staff.display_name.as_alias("staff_name"),
    )
    if action:
        query = query.where(AuditEvent.action.like(f"{action}%"))
    if email:
        query = query.where((AuditEvent.staff.email == email.lower()) | (AuditEvent.email == email.lower()))
    if case_uuid is not None:
        query = query.where(AuditEvent.case_uuid == case_uuid)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return await query.order_by(AuditEvent.id, ascending=False).limit(PAGE_SIZE).output(load_json=True)
