"""Who hears about a report, and when: the first round of alerts, then the call tree.

Step 0 (as soon as the report is stored): every staff member who may work the case and wants it (a
life-safety report goes to all of them), plus the first contact of the chain. If nobody acknowledges
in time, each later step alerts the next contact: the school's list in order, then the district
on-call list. Life-safety: 5 minutes per step at any hour. Other reports: by the next school morning
(the school's hours and time zone), then an hour per step. Each step is on the case timeline, and
acknowledging stops the chain. The state is a row per report, so a restart continues where it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from web import i18n, live
from web.alerts import outbox
from web.alerts.outbox import Message
from web.alerts.tables import AlertPreference, CallTreeTiming, Escalation, EscalationContact, PushDevice
from web.cases.categories import BY_KEY
from web.cases.tables import Report
from web.db import write_transaction
from web.district.services import next_reading, weekly_hours
from web.district.tables import School
from web.i18n import N_, gettext
from web.settings import load_settings
from web.staff import access, audit
from web.staff.tables import StaffAccount, StaffSchool

LIFE_SAFETY_STEP = timedelta(minutes=5)
OTHER_STEP = timedelta(hours=1)
NO_HOURS_WAIT = timedelta(hours=24)

TITLES = {
    "life_safety": N_("Life-safety report"),
    "new_report": N_("New report"),
    "escalation": N_("Not acknowledged yet: a report needs someone"),
    "reply": N_("The reporter replied"),
}


async def start(report: Report, now: datetime) -> None:
    """Called in the transaction that stores the report: the worker takes it from here."""
    await Escalation(report=report.id, step=0, next_due_at=now, started_at=now).save()


def next_morning(school: School | None, after: datetime) -> datetime:
    """The next time the school opens after `after` (an open school's next morning, not today's)."""
    if school is None:
        return after + NO_HOURS_WAIT
    hours = weekly_hours(school)
    probe = after
    for _ in range(48):
        reading = next_reading(hours, school.timezone, probe)
        if not reading.now_open:
            return reading.opens_at or after + NO_HOURS_WAIT
        probe += timedelta(minutes=30)
    return after + NO_HOURS_WAIT


async def chain(report: Report) -> list[StaffAccount]:
    """The call tree for this report: the school's contacts in order, then the district on-call list.
    Where none are set: the school's responders and school admins, then the district admins."""
    active = StaffAccount.active == True
    school_ids = (
        await EscalationContact.select(EscalationContact.staff)
        .where(EscalationContact.school == report.school)
        .order_by(EscalationContact.position)
        if report.school
        else []
    )
    district_ids = (
        await EscalationContact.select(EscalationContact.staff)
        .where(EscalationContact.school.is_null())
        .order_by(EscalationContact.position)
    )
    people = {p.id: p for p in await StaffAccount.objects().where(active)}
    school_part = [people[r["staff"]] for r in school_ids if r["staff"] in people]
    if report.school and not school_ids:
        members = {
            r["staff"]
            for r in await StaffSchool.select(StaffSchool.staff).where(StaffSchool.school == report.school)
        }
        school_part = sorted(
            (p for p in people.values() if p.id in members and p.role in ("responder", "school_admin")),
            key=lambda p: (p.role != "responder", p.display_name),
        )
    district_part = [people[r["staff"]] for r in district_ids if r["staff"] in people]
    if not district_ids:
        district_part = sorted(
            (p for p in people.values() if p.role == "district_admin"), key=lambda p: p.display_name
        )
    seen: set[int] = set()
    return [p for p in [*school_part, *district_part] if not (p.id in seen or seen.add(p.id))]  # type: ignore[func-returns-value]


def _message(kind: str, report: Report, school: School | None) -> Message:
    category = BY_KEY.get(report.category)
    what = gettext(category.label) if category else report.category
    where = school.name if school else gettext("No school named")
    return Message(
        kind=kind,
        title=gettext(TITLES[kind]),
        body=f"{what} · {where}",
        url=f"/staff/cases/{report.public_id}",
    )


async def _alert(people: list[StaffAccount], message: Message, report: Report, now: datetime) -> int:
    if not people:
        return 0
    ids = [p.id for p in people]
    devices = await PushDevice.objects().where(PushDevice.staff.is_in(ids))
    sent = await outbox.queue_push(devices, message, report_id=report.id, now=now)
    return sent + await outbox.queue_email([p.email for p in people], message, report_id=report.id, now=now)


async def _first_round(
    report: Report, school: School | None, contacts: list[StaffAccount], now: datetime
) -> None:
    wanting = {
        r["staff"]
        for r in await AlertPreference.select(AlertPreference.staff).where(
            AlertPreference.every_new_report == True
        )
    }
    candidates = await StaffAccount.objects().where(StaffAccount.active == True)
    people = [
        p for p in candidates if await access.may_work(p, report) and (report.life_safety or p.id in wanting)
    ]
    kind = "life_safety" if report.life_safety else "new_report"
    await _alert(people, _message(kind, report, school), report, now)
    if report.life_safety and contacts and contacts[0].id not in {p.id for p in people}:
        await _alert(contacts[:1], _message("escalation", report, school), report, now)


@dataclass(frozen=True)
class Promise:
    """What the reporter may truthfully be told about who hears of their report, and when, as the
    code above will do it: nothing here is worded apart from what the worker actually sends."""

    # Life-safety: alerts go out now, at any hour, to people who can receive one.
    alerts_now: bool
    # Minutes until the next person on the call tree is alerted if nobody acknowledges.
    step_minutes: int
    # Whether the call tree has anyone after the first round.
    has_call_tree: bool


async def promise(report: Report) -> Promise:
    """For the receipt. An alert only counts if it can reach someone: a staff member with a device
    that takes alerts, or an email address when email is set up."""
    contacts = await chain(report)
    life_safety_step, _other = await timing(report.school)
    if report.life_safety:
        people = [
            p
            for p in await StaffAccount.objects().where(StaffAccount.active == True)
            if await access.may_work(p, report)
        ]
        ids = {p.id for p in [*people, *contacts[:1]]}
        reachable = bool(ids) and (
            bool(load_settings().smtp_host)
            or await PushDevice.exists().where(PushDevice.staff.is_in(list(ids)))
        )
        return Promise(
            alerts_now=reachable,
            step_minutes=int(life_safety_step.total_seconds() // 60),
            has_call_tree=len(contacts) > 1,
        )
    # Other reports: whoever asked hears at once; the call tree starts the next school morning, which
    # is what the receipt's "staff will likely read it after ..." says.
    return Promise(
        alerts_now=False,
        step_minutes=int(life_safety_step.total_seconds() // 60),
        has_call_tree=bool(contacts),
    )


LIFE_SAFETY_CHOICES = (2, 3, 5, 10, 15)  # minutes per step
OTHER_STEP_CHOICES = (30, 60, 120, 240)  # minutes per step after the next school morning


async def timing(school_id: int | None) -> tuple[timedelta, timedelta]:
    """(life-safety step, other step) for a school's call tree: its own, else the defaults."""
    where = CallTreeTiming.school.is_null() if school_id is None else CallTreeTiming.school == school_id
    row = await CallTreeTiming.objects().where(where).first()
    if row is None:
        return LIFE_SAFETY_STEP, OTHER_STEP
    return timedelta(minutes=row.life_safety_minutes), timedelta(minutes=row.other_step_minutes)


async def _step_after(report: Report, school: School | None, step: int, now: datetime) -> datetime:
    life_safety_step, other_step = await timing(report.school)
    if report.life_safety:
        return now + life_safety_step
    if step == 1:
        return next_morning(school, now)
    return now + other_step


async def advance_due(now: datetime | None = None) -> int:
    """Take every escalation that is due one step further. Returns how many moved."""
    now = now or datetime.now(tz=UTC)
    due = await Escalation.objects().where(
        Escalation.done_at.is_null() & Escalation.next_due_at.is_not_null() & (Escalation.next_due_at <= now)
    )
    moved = 0
    for escalation in due:
        moved += await _advance(escalation, now)
    return moved


async def _advance(escalation: Escalation, now: datetime) -> int:
    report = await Report.objects().where(Report.id == escalation.report).first()
    if report is None or report.acknowledged_at is not None or report.status != "new":
        await Escalation.update({Escalation.done_at: now}).where(Escalation.id == escalation.id)
        return 0
    school = await School.objects().where(School.id == report.school).first() if report.school else None
    contacts = await chain(report)
    step = escalation.step
    reached: StaffAccount | None = None
    async with write_transaction(Escalation._meta.db):
        query = Escalation.objects().where(Escalation.id == escalation.id)
        if load_settings().uses_postgres:
            query = query.lock_rows("UPDATE")  # two workers never take the same step
        current = await query.first()
        if current is None or current.step != step or current.done_at is not None:
            return 0  # another worker took this step
        # Life-safety: contact 1 is alerted in the first round, contact n+1 at step n. Other reports:
        # the first round is for people who asked; contact n is alerted at step n (from the next morning).
        offset = 0 if report.life_safety else 1
        if step == 0:
            await _first_round(report, school, contacts, now)
        elif 0 <= step - offset < len(contacts):
            reached = contacts[step - offset]
            await _alert([reached], _message("escalation", report, school), report, now)
        more = step + 1 - offset < len(contacts)
        values: dict[Any, Any] = {Escalation.step: step + 1}
        if more:
            # From when this step was due, not when it ran: a late worker does not stretch the chain.
            values[Escalation.next_due_at] = await _step_after(
                report, school, step + 1, current.next_due_at or now
            )
        else:
            values[Escalation.next_due_at] = None
            values[Escalation.done_at] = now
        await Escalation.update(values).where(Escalation.id == escalation.id)
    if reached is not None:
        await audit.record("case.escalated", case=report, reached=reached.display_name, step=step)
        live.publish(
            "escalated", case=str(report.public_id), school_id=report.school, life_safety=report.life_safety
        )
    return 1


async def stop(report: Report, now: datetime) -> None:
    """Acknowledged: no one else needs to be called."""
    await Escalation.update({Escalation.done_at: now, Escalation.next_due_at: None}).where(
        (Escalation.report == report.id) & Escalation.done_at.is_null()
    )


REPORTER_TITLE = N_("You have a new message in Lantern")
REPORTER_BODY = N_("Open Lantern and type your code to read it.")


async def queue_reporter_signal(report: Report, now: datetime) -> None:
    """Staff wrote to the reporter: their installed app (if they asked, for this case) hears it,
    with no content at all."""
    devices = await PushDevice.objects().where(PushDevice.report == report.id)
    if not devices:
        return
    words = i18n.translations_for(report.locale or i18n.DEFAULT_LOCALE)
    prefix = "" if report.locale in ("", i18n.DEFAULT_LOCALE) else f"/{report.locale}"
    message = Message(
        kind="reporter_message",
        title=words.gettext(REPORTER_TITLE),
        body=words.gettext(REPORTER_BODY),
        url=f"{prefix}/check",
    )
    await outbox.queue_push(devices, message, report_id=report.id, now=now)


async def forget_reporter_devices(report: Report) -> None:
    """The case is closed: its reply signal ends."""
    await PushDevice.delete().where(PushDevice.report == report.id)


async def queue_reply_alert(report: Report, now: datetime) -> None:
    """The reporter wrote back: the person the case is assigned to hears it (in the reply's transaction)."""
    if report.assignee is None:
        return
    person = (
        await StaffAccount.objects()
        .where((StaffAccount.id == report.assignee) & (StaffAccount.active == True))
        .first()
    )
    if person is None:
        return
    school = await School.objects().where(School.id == report.school).first() if report.school else None
    await _alert([person], _message("reply", report, school), report, now)
