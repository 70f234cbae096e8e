"""Case work by staff: the queue, acknowledging, assigning, the status workflow, messages and notes.

Every action checks access first (web.staff.access), writes its audit row, and tells open staff pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from piccolo.columns import Column
from rapidfuzz import fuzz

from web import live
from web.alerts import escalation
from web.cases import sealing, services, workflow
from web.cases.categories import BY_KEY
from web.cases.tables import Attachment, Disclosure, Message, Report, ReportSchool, SupportAction
from web.db import write_transaction
from web.district.tables import School
from web.i18n import N_
from web.staff import access, audit
from web.staff.tables import AuditEvent, StaffAccount


class CaseRuleError(ValueError):
    """A move the workflow does not allow; `message` says why, kindly."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class QueueFilters:
    school: str = ""
    category: str = ""
    status: str = "open"  # "open", "all", or one status
    mine: bool = False
    unassigned: bool = False


@dataclass(frozen=True)
class QueueRow:
    public_id: str
    category: str
    life_safety: bool
    status: str
    school_name: str | None
    place: str
    event_name: str | None
    created_at: datetime
    assignee_name: str | None
    # "yes", "no" or "unsure" as the reporter answered; None for reports from before it was kept.
    danger_answer: str | None
    photos: int
    messages: int
    unread_replies: int
    follow_ups_due: int = 0
    # How many times the call tree had to alert the next contact (see web/alerts/escalation.py).
    escalations: int = 0
    # A burst of near-identical new reports (same school and category, close in time, nearly the same
    # words, e.g. a flood or many students seeing one thing): how many, and the first one's id.
    burst_size: int = 1
    burst_first: str | None = None

    @property
    def urgent_unacknowledged(self) -> bool:
        return self.life_safety and self.status == "new"

    @property
    def category_label(self) -> str:
        category = BY_KEY.get(self.category)
        return category.label if category else self.category


def _order(row: QueueRow) -> tuple[int, int, datetime]:
    # Life-safety first, then oldest unacknowledged, then the rest oldest first.
    open_case = row.status in workflow.OPEN_STATUSES
    return (0 if row.life_safety and open_case else 1, 0 if row.status == "new" else 1, row.created_at)


async def queue(account: StaffAccount, filters: QueueFilters) -> list[QueueRow]:
    """The cases this staff member may work, filtered and in the order they should be worked."""
    if account.role not in access.CASE_ROLES:
        return []
    query = Report.select(
        Report.id,
        Report.public_id,
        Report.category,
        Report.life_safety,
        Report.status,
        Report.place,
        Report.event_name,
        Report.danger_answer,
        Report.created_at,
        Report.school.name.as_alias("school_name"),
        Report.school.slug.as_alias("school_slug"),
        Report.assignee.display_name.as_alias("assignee_name"),
        Report.assignee.id.as_alias("assignee_id"),
    )
    if not await access.sees_all_schools(account):
        mine = await access.school_ids(account) or [-1]
        hosted = await ReportSchool.select(ReportSchool.report).where(ReportSchool.school.is_in(mine))
        query = query.where(
            Report.school.is_in(mine) | Report.id.is_in([r["report"] for r in hosted] or [-1])
        )
    if filters.school:
        hosting = await ReportSchool.select(ReportSchool.report).where(
            ReportSchool.school.slug == filters.school
        )
        query = query.where(
            (Report.school.slug == filters.school) | Report.id.is_in([r["report"] for r in hosting] or [-1])
        )
    if filters.category:
        query = query.where(Report.category == filters.category)
    if filters.status == "open":
        query = query.where(Report.status.is_in(list(workflow.OPEN_STATUSES)))
    elif filters.status in workflow.STATUSES:
        query = query.where(Report.status == filters.status)
    if filters.mine:
        query = query.where(Report.assignee == account.id)
    if filters.unassigned:
        query = query.where(Report.assignee.is_null())
    rows = await query
    ids = [row["id"] for row in rows] or [-1]
    photos = _count_by(await Attachment.select(Attachment.report).where(Attachment.report.is_in(ids)))
    messages = await Message.select(Message.report, Message.author, Message.read_by_staff).where(
        Message.report.is_in(ids) & Message.author.is_in(["reporter", "staff"])
    )
    message_counts = _count_by(messages)
    unread = _count_by([m for m in messages if m["author"] == "reporter" and not m["read_by_staff"]])
    due = await follow_ups_due(ids, datetime.now(tz=UTC).date())
    escalated = await escalations_by_case([row["public_id"] for row in rows])
    bursts = await _bursts(rows)
    result = [
        QueueRow(
            public_id=str(row["public_id"]),
            category=row["category"],
            life_safety=row["life_safety"],
            status=row["status"],
            school_name=row["school_name"],
            place=row["place"],
            event_name=sealing.open_value(Report, "event_name", row["event_name"]),
            created_at=row["created_at"],
            assignee_name=row["assignee_name"],
            danger_answer=row["danger_answer"],
            photos=photos.get(row["id"], 0),
            messages=message_counts.get(row["id"], 0),
            unread_replies=unread.get(row["id"], 0),
            follow_ups_due=due.get(row["id"], 0),
            escalations=escalated.get(row["public_id"], 0),
            burst_size=bursts.get(row["id"], (1, None))[0],
            burst_first=bursts.get(row["id"], (1, None))[1],
        )
        for row in rows
    ]
    return _group_bursts(sorted(result, key=_order))


BURST_WINDOW = timedelta(minutes=30)
BURST_SIMILARITY = 85  # rapidfuzz token_set_ratio, 0 to 100


async def _bursts(rows: list[dict[str, Any]]) -> dict[int, tuple[int, str | None]]:
    """Row id → (size of its burst, the burst's first case id), for new reports only."""
    new = [r for r in rows if r["status"] == "new"]
    if len(new) < 2:
        return {}
    texts = {
        r["id"]: sealing.open_value(Report, "description", r["description"])
        for r in await Report.select(Report.id, Report.description).where(
            Report.id.is_in([r["id"] for r in new])
        )
    }
    new.sort(key=lambda r: r["created_at"])
    groups: list[list[dict[str, Any]]] = []
    for row in new:
        for group in groups:
            first = group[0]
            if (
                first["school_slug"] == row["school_slug"]
                and first["category"] == row["category"]
                and row["created_at"] - group[-1]["created_at"] <= BURST_WINDOW
                and fuzz.token_set_ratio(str(texts.get(first["id"], "")), str(texts.get(row["id"], "")))
                >= BURST_SIMILARITY
            ):
                group.append(row)
                break
        else:
            groups.append([row])
    return {r["id"]: (len(g), str(g[0]["public_id"])) for g in groups if len(g) > 1 for r in g}


def _group_bursts(rows: list[QueueRow]) -> list[QueueRow]:
    """Keep a burst together where its first report stands, so a flood reads as one incident."""
    placed: list[QueueRow] = []
    members: dict[str, list[QueueRow]] = {}
    for row in rows:
        if row.burst_first and row.burst_first != row.public_id:
            members.setdefault(row.burst_first, []).append(row)
    for row in rows:
        if row.burst_first and row.burst_first != row.public_id:
            continue
        placed.append(row)
        placed.extend(members.pop(row.public_id, []))
    for leftovers in members.values():  # the first one is filtered out of this view
        placed.extend(leftovers)
    return placed


async def escalations_by_case(public_ids: list[Any]) -> dict[Any, int]:
    if not public_ids:
        return {}
    rows = await AuditEvent.select(AuditEvent.case_uuid).where(
        (AuditEvent.action == "case.escalated") & AuditEvent.case_uuid.is_in(public_ids)
    )
    counts: dict[Any, int] = {}
    for row in rows:
        counts[row["case_uuid"]] = counts.get(row["case_uuid"], 0) + 1
    return counts


def _count_by(rows: list[dict]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["report"]] = counts.get(row["report"], 0) + 1
    return counts


def _tell(kind: str, report: Report) -> None:
    live.publish(kind, case=str(report.public_id), school_id=report.school, life_safety=report.life_safety)


async def open_case(account: StaffAccount, public_id: str) -> Report:
    """The case for its page: access checked, the view audited, the reporter's replies marked read."""
    report = await access.case_for(account, public_id)
    await audit.record("case.viewed", staff=account, case=report)
    await Message.update({Message.read_by_staff: True}).where(
        (Message.report == report.id) & (Message.read_by_staff == False)
    )
    return report


async def acknowledge(account: StaffAccount, report: Report) -> None:
    """One click: "I have this". Takes the case if nobody has it."""
    if report.status != "new":
        return
    now = datetime.now(tz=UTC)
    async with write_transaction(Report._meta.db):
        values: dict[Column | str, Any] = {
            Report.status: "acknowledged",
            Report.acknowledged_at: now,
            Report.updated_at: now,
        }
        if report.assignee is None:
            values[Report.assignee] = account.id
        await Report.update(values).where((Report.id == report.id) & (Report.status == "new"))
        await escalation.stop(report, now)
    await audit.record("case.acknowledged", staff=account, case=report)
    _tell("acknowledged", report)


async def assignable_staff(report: Report) -> list[StaffAccount]:
    """Staff who may work this case, for the assign menu."""
    everyone = (
        await StaffAccount.objects().where(StaffAccount.active == True).order_by(StaffAccount.display_name)
    )
    return [person for person in everyone if await access.may_work(person, report)]


async def assign(account: StaffAccount, report: Report, assignee_id: int | None) -> None:
    if assignee_id is not None:
        candidates = {person.id for person in await assignable_staff(report)}
        if assignee_id not in candidates:
            raise CaseRuleError(N_("That person cannot work cases of this school."))
    await Report.update({Report.assignee: assignee_id, Report.updated_at: datetime.now(tz=UTC)}).where(
        Report.id == report.id
    )
    await audit.record("case.assigned", staff=account, case=report, assignee=assignee_id)
    _tell("assigned", report)


def _refuse_closing_unread_life_safety(report: Report) -> None:
    # A life-safety report leaves the queue (and turns the urgent banner off) only once a person has
    # said "I have this": one slip of a menu must never silence a threat nobody has read.
    if report.life_safety and report.acknowledged_at is None:
        raise CaseRuleError(
            N_(
                "Nobody has acknowledged this life-safety report yet. Acknowledge it first, then you can resolve or link it."
            )
        )


async def set_status(account: StaffAccount, report: Report, target: str, disposition: str = "") -> None:
    """Move along the workflow; resolving needs a disposition."""
    if not workflow.can_move(report.status, target):
        raise CaseRuleError(N_("This case cannot move to that status from where it is."))
    if target in ("resolved", "closed"):
        _refuse_closing_unread_life_safety(report)
    if target == "resolved" and disposition not in workflow.DISPOSITIONS:
        raise CaseRuleError(N_("Choose how the case was resolved."))
    now = datetime.now(tz=UTC)
    values: dict[Column | str, Any] = {Report.status: target, Report.updated_at: now}
    if target == "resolved":
        values[Report.disposition] = disposition
    # Retention counts from closing (web/cases/retention.py); a reopened case starts again.
    values[Report.closed_at] = now if target == "closed" else None
    if report.acknowledged_at is None:
        values[Report.acknowledged_at] = now
    await Report.update(values).where(Report.id == report.id)
    await escalation.stop(report, now)
    if target == "closed":
        await escalation.forget_reporter_devices(report)
    await audit.record(
        "case.status",
        staff=account,
        case=report,
        before=report.status,
        after=target,
        disposition=disposition,
    )
    _tell("status", report)


async def set_legal_hold(account: StaffAccount, report: Report, hold: bool) -> None:
    """District admins place a case on legal hold (it is never purged) or lift the hold; audited."""
    if account.role != "district_admin":
        raise CaseRuleError(N_("Only district administrators can place or lift a legal hold."))
    if bool(report.legal_hold) == hold:
        return
    await Report.update({Report.legal_hold: hold}).where(Report.id == report.id)
    report.legal_hold = hold
    await audit.record("case.legal_hold", staff=account, case=report, hold=hold)
    _tell("status", report)


async def message_reporter(account: StaffAccount, report: Report, body: str) -> None:
    body = body.strip()
    if not body:
        raise CaseRuleError(N_("Write a message first."))
    await services.add_staff_message(report, body, account.display_name)
    await audit.record("case.message", staff=account, case=report)
    _tell("message", report)


async def add_note(account: StaffAccount, report: Report, body: str) -> None:
    """An internal note: staff only, never shown to the reporter."""
    body = body.strip()
    if not body:
        raise CaseRuleError(N_("Write a note first."))
    await Message(
        report=report.id,
        author="note",
        staff_name=account.display_name,
        body=sealing.seal(Message, "body", body),
        read_by_reporter=True,
        read_by_staff=True,
        created_at=datetime.now(tz=UTC),
    ).save()
    await audit.record("case.note", staff=account, case=report)
    _tell("note", report)


async def school_of(report: Report) -> School | None:
    return await School.objects().where(School.id == report.school).first() if report.school else None


async def host_schools(report: Report) -> list[School]:
    """The schools hosting the event a case is about, in the order the reporter named them."""
    ids = await services.hosts_of(report)
    by_id = {s.id: s for s in await School.objects().where(School.id.is_in(ids or [-1]))}
    return [by_id[i] for i in ids if i in by_id]


async def record_disclosure(
    account: StaffAccount,
    report: Report,
    *,
    kind: str,
    recipient: str,
    organization: str,
    what: str,
    why: str,
) -> None:
    """Sharing a case outside the team leaves a record: who, what, with whom, why, when."""
    recipient, what, why = recipient.strip(), what.strip(), why.strip()
    if kind not in workflow.RECIPIENT_KINDS:
        raise CaseRuleError(N_("Choose who it was shared with."))
    if not recipient or not what or not why:
        raise CaseRuleError(N_("Say whom it was shared with, what was shared, and why."))
    disclosure = Disclosure(
        report=report.id,
        staff=account.id,
        recipient_kind=kind,
        **sealing.sealed_fields(
            Disclosure,
            recipient=recipient[:200],
            organization=organization.strip()[:200] or None,
            what=what,
            why=why,
        ),
        shared_at=datetime.now(tz=UTC),
    )
    await disclosure.save()
    # Whom it went to stays in the sealed record; the audit line only says that one was made.
    await audit.record("case.disclosed", staff=account, case=report, disclosure=disclosure.id)
    _tell("disclosed", report)


async def disclosures(report: Report) -> list[dict[str, Any]]:
    rows = await (
        Disclosure.select(*Disclosure.all_columns(), Disclosure.staff.display_name.as_alias("staff_name"))
        .where(Disclosure.report == report.id)
        .order_by(Disclosure.shared_at)
    )
    return sealing.open_rows(Disclosure, rows)


async def add_support_action(
    account: StaffAccount, report: Report, *, kind: str, details: str, owner_id: int | None, follow_up_on: str
) -> None:
    """Record what the team does to support (an owner and a follow-up date make it show when due)."""
    if kind not in workflow.SUPPORT_KINDS:
        raise CaseRuleError(N_("Choose what kind of support this is."))
    follow_up: date | None = None
    if follow_up_on:
        try:
            follow_up = date.fromisoformat(follow_up_on)
        except ValueError:
            raise CaseRuleError(N_("The follow-up date is not a date.")) from None
    if owner_id is not None and owner_id not in {person.id for person in await assignable_staff(report)}:
        raise CaseRuleError(N_("That person cannot work cases of this school."))
    await SupportAction(
        report=report.id,
        kind=kind,
        details=sealing.seal(SupportAction, "details", details.strip()),
        owner=owner_id,
        follow_up_on=follow_up,
        created_by=account.id,
        created_at=datetime.now(tz=UTC),
    ).save()
    await audit.record("case.support_added", staff=account, case=report, kind=kind)
    _tell("support", report)


async def complete_support_action(account: StaffAccount, report: Report, action_id: int) -> None:
    updated = (
        await SupportAction.update({SupportAction.done_at: datetime.now(tz=UTC)})
        .where(
            (SupportAction.id == action_id)
            & (SupportAction.report == report.id)
            & (SupportAction.done_at.is_null())
        )
        .returning(SupportAction.id)
    )
    if not updated:
        raise CaseRuleError(N_("That action is already done."))
    await audit.record("case.support_done", staff=account, case=report, support_action=action_id)
    _tell("support", report)


async def support_actions(report: Report) -> list[dict[str, Any]]:
    rows = await (
        SupportAction.select(
            *SupportAction.all_columns(), SupportAction.owner.display_name.as_alias("owner_name")
        )
        .where(SupportAction.report == report.id)
        .order_by(SupportAction.created_at)
    )
    return sealing.open_rows(SupportAction, rows)


async def follow_ups_due(report_ids: list[int], today: date) -> dict[int, int]:
    """How many open support actions are due (follow-up date today or earlier) per case."""
    rows = await SupportAction.select(SupportAction.report).where(
        SupportAction.report.is_in(report_ids or [-1])
        & SupportAction.done_at.is_null()
        & (SupportAction.follow_up_on <= today)
    )
    return _count_by(rows)


async def duplicate_target(account: StaffAccount, report: Report, first_public_id: str) -> Report:
    """The first report of the incident this report may be linked to, or why it may not (asked before
    the confirmation step, and again when the link is made)."""
    if not first_public_id.strip():
        raise CaseRuleError(N_("Choose the report this one is a duplicate of."))
    _refuse_closing_unread_life_safety(report)
    first = await access.case_for(account, first_public_id.strip())
    if first.id == report.id:
        raise CaseRuleError(N_("A report cannot be a duplicate of itself."))
    if first.duplicate_of is not None:
        raise CaseRuleError(N_("Link to the first report of the incident, not to another duplicate."))
    return first


async def link_duplicate(account: StaffAccount, report: Report, first_public_id: str) -> None:
    """Mark this report as about the same incident as another one the staff member can work; it is
    resolved as a duplicate, and both cases show the link."""
    first = await duplicate_target(account, report, first_public_id)
    now = datetime.now(tz=UTC)
    await Report.update(
        {
            Report.duplicate_of: first.id,
            Report.status: "resolved",
            Report.disposition: "duplicate",
            Report.updated_at: now,
        }
    ).where(Report.id == report.id)
    await escalation.stop(report, now)
    # Duplicates already pointing at this report follow it, but only those this staff member may work.
    followers = await Report.objects().where(Report.duplicate_of == report.id)
    for follower in followers:
        if await access.may_work(account, follower):
            await Report.update({Report.duplicate_of: first.id}).where(Report.id == follower.id)
    await audit.record("case.linked", staff=account, case=report, first=str(first.public_id))
    await audit.record("case.linked", staff=account, case=first, duplicate=str(report.public_id))
    _tell("linked", report)
    _tell("linked", first)


async def linked_reports(account: StaffAccount, report: Report) -> dict[str, Any]:
    """The incident this report belongs to: its first report and every duplicate this staff member may
    work (reports of other schools stay out of sight)."""
    first_id = report.duplicate_of or report.id
    linked = await Report.objects().where((Report.id == first_id) | (Report.duplicate_of == first_id))
    rows = [
        {"id": row.id, "public_id": row.public_id, "category": row.category, "created_at": row.created_at}
        for row in linked
        if row.id == report.id or await access.may_work(account, row)
    ]
    return {
        "first": next((row for row in rows if row["id"] == first_id), None),
        "others": [row for row in rows if row["id"] not in (first_id, report.id)],
        "is_duplicate": report.duplicate_of is not None,
        "count": len(rows),
    }


async def send_resource(account: StaffAccount, report: Report, resource_id: str, note: str) -> None:
    """Send a directory entry to the reporter; they see it as a card on /check."""
    from web.resources.services import get_resource

    resource = await get_resource(resource_id)
    school = await school_of(report)
    if resource is None or resource.school_slug not in (None, school.slug if school else None):
        raise CaseRuleError(N_("Choose a resource from the directory."))
    await services.add_staff_message(
        report, note.strip() or resource.name, account.display_name, resource_id=resource.id
    )
    await audit.record("case.resource_sent", staff=account, case=report, resource=resource.id)
    _tell("message", report)


async def link_candidates(account: StaffAccount, report: Report) -> list[dict[str, Any]]:
    """Other recent first-reports this staff member may work, for the "same incident" menu."""
    since = datetime.now(tz=UTC) - timedelta(days=30)
    rows = (
        await Report.objects()
        .where((Report.id != report.id) & Report.duplicate_of.is_null() & (Report.created_at >= since))
        .order_by(Report.created_at, ascending=False)
        .limit(200)
    )
    return [
        {"public_id": str(row.public_id), "category": row.category, "created_at": row.created_at}
        for row in rows
        if await access.may_work(account, row)
    ][:50]
