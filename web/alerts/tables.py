"""Alerts that reach people: push devices, the alert outbox, and the escalation call tree.

Alerts carry no case content (a category, a school and a link). Everything that must happen is a row
here, written in the same transaction as the report or message that causes it, so nothing is lost
across a restart.
"""

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from web.cases.tables import Report
from web.district.tables import School
from web.staff.tables import StaffAccount


class PushDevice(Table):
    """A browser that asked for notifications: a staff member's, or a reporter's installed app for one
    case only (deleted when the case closes or the reporter turns it off)."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=StaffAccount, null=True, default=None, index=True)
    report = ForeignKey(references=Report, null=True, default=None, index=True)
    # Sealed at rest (web/cases/sealing.py): an endpoint names one browser. Found by its keyed hash,
    # unique through an index made by a migration (SQLite cannot add a column with a constraint).
    endpoint = Text()
    endpoint_hash = Varchar(length=64, null=True, default=None)
    p256dh = Text()
    auth = Text()
    label = Varchar(length=100, default="")
    created_at = Timestamptz()
    last_sent_at = Timestamptz(null=True, default=None)


class AlertPreference(Table):
    """Per person: life-safety reports always alert; every other new report only when asked for."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=StaffAccount, unique=True)
    every_new_report = Boolean(default=False)


class Alert(Table):
    """The outbox: one message to one device (push) or one address (email), sent by the worker with
    retries and backoff."""

    id = Serial(primary_key=True)
    channel = Varchar(length=10)  # "push" or "email"
    device = ForeignKey(references=PushDevice, null=True, default=None)
    email = Varchar(length=254, null=True, default=None)
    # "life_safety", "new_report", "reply", "escalation", "reporter_message"
    kind = Varchar(length=30)
    title = Varchar(length=200)
    body = Varchar(length=300)
    url = Varchar(length=300)
    report = ForeignKey(references=Report, null=True, default=None)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    sent_at = Timestamptz(null=True, default=None)
    gave_up_at = Timestamptz(null=True, default=None)
    last_error = Varchar(length=300, null=True, default=None)
    created_at = Timestamptz()


class EscalationContact(Table):
    """One step of a school's call tree (school null: the district on-call list, after every school's)."""

    id = Serial(primary_key=True)
    school = ForeignKey(references=School, null=True, default=None, index=True)
    staff = ForeignKey(references=StaffAccount)
    position = Integer(default=0)


class Escalation(Table):
    """Where a report's call tree stands. Step 0 is the first round of alerts; step n alerts the n-th
    contact of the chain (school contacts, then the district on-call contacts)."""

    id = Serial(primary_key=True)
    report = ForeignKey(references=Report, unique=True)
    step = Integer(default=0)
    next_due_at = Timestamptz(null=True, default=None, index=True)
    done_at = Timestamptz(null=True, default=None)
    started_at = Timestamptz()


class CallTreeTiming(Table):
    """A school's time limits (school null: the district's, for reports with no school). Without a
    row the defaults hold: 5 minutes per step for life-safety reports; for the others the next school
    morning, then an hour per step."""

    id = Serial(primary_key=True)
    school = ForeignKey(references=School, null=True, default=None, unique=True)
    life_safety_minutes = Integer(default=5)
    other_step_minutes = Integer(default=60)
