"""The audit log: written by the services that act, so no controller can forget it. Append-only from
the app (nothing here updates or deletes a row). Never holds an IP address or a user agent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from web.staff.tables import AuditEvent, StaffAccount

# Actions that appear on a case's timeline (views are audited but are not actions on the case).
TIMELINE_ACTIONS = (
    "case.acknowledged",
    "case.assigned",
    "case.status",
    "case.message",
    "case.note",
    "case.reporter_replied",
    "case.created",
)


async def record(
    action: str,
    *,
    staff: StaffAccount | None = None,
    case_id: int | None = None,
    email: str | None = None,
    **detail: Any,
) -> None:
    await AuditEvent(
        staff=staff.id if staff else None,
        email=email,
        action=action,
        case_id=case_id,
        detail=detail,
        created_at=datetime.now(tz=UTC),
    ).save()


async def case_timeline(case_id: int) -> list[dict[str, Any]]:
    """Every action on a case, oldest first, with who did it."""
    return await (
        AuditEvent.select(
            AuditEvent.action,
            AuditEvent.detail,
            AuditEvent.created_at,
            AuditEvent.staff.display_name.as_alias("staff_name"),
        )
        .where((AuditEvent.case_id == case_id) & (AuditEvent.action.is_in(list(TIMELINE_ACTIONS))))
        .order_by(AuditEvent.created_at)
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )
