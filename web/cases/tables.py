"""Reports, help requests, their messages and photos.

Nothing here holds a client IP, user agent or any other fingerprint of the person who wrote it. What
people write and the photos they send are encrypted at rest (web/cases/sealing.py lists the columns),
which is why those text columns are Text: a sealed value is longer than what was typed.
"""

from piccolo.columns import (
    UUID,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from web.district.tables import School
from web.staff.tables import StaffAccount


class Report(Table):
    """A safety concern or a request for help, anonymous unless the reporter chose otherwise."""

    id = Serial(primary_key=True)
    public_id = UUID(unique=True)
    # "concern" (something unsafe) or "need" (help with everyday needs).
    kind = Varchar(length=10)
    category = Varchar(length=40)
    life_safety = Boolean(default=False)
    danger_now = Boolean(default=False)
    # The answer to "Is someone in danger right now?" as given: "yes", "no" or "unsure". Empty for
    # reports from before it was kept (then danger_now alone says yes, or "no or not sure").
    danger_answer = Varchar(length=10, null=True, default=None)
    # Where it is about: a school, "district", "event" or "unsure".
    place = Varchar(length=20)
    school = ForeignKey(references=School, null=True, default=None)
    event_name = Text(null=True, default=None)
    # The day of the event, as the reporter gave it (an ISO date, sealed like what else they wrote).
    event_date = Text(null=True, default=None)
    reporter_role = Varchar(length=20, null=True, default=None)
    description = Text()
    when_text = Text(null=True, default=None)
    where_text = Text(null=True, default=None)
    contact_name = Text(null=True, default=None)
    contact_info = Text(null=True, default=None)
    # "student" (the app), "community" (the public page) or "kiosk".
    source = Varchar(length=20)
    locale = Varchar(length=20, default="en")
    # new → acknowledged → in_progress → waiting → resolved → closed (see web/cases/workflow.py)
    status = Varchar(length=20, default="new")
    disposition = Varchar(length=30, null=True, default=None)
    assignee = ForeignKey(references=StaffAccount, null=True, default=None)
    acknowledged_at = Timestamptz(null=True, default=None)
    # When the case was last closed (retention counts from here; see web/cases/retention.py).
    closed_at = Timestamptz(null=True, default=None)
    # A legal hold keeps the case from being purged, whatever the retention policy says.
    legal_hold = Boolean(default=False)
    # Reports about the same incident point at the first one (a burst of tips becomes one incident).
    duplicate_of: ForeignKey = ForeignKey(references="self", null=True, default=None)
    # Argon2id of the receipt code under the installation's salt; the code itself is never kept.
    receipt_hash = Varchar(length=64, unique=True)
    # Set by the form when it is shown, so a double submit or a retry never makes a second report.
    idempotency_key = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReportSchool(Table):
    """The schools hosting an event a report is about (a game is hosted by two). The first one is also
    the report's school; every one of them may work the case and sees it in its queue."""

    id = Serial(primary_key=True)
    report = ForeignKey(references=Report, index=True)
    school = ForeignKey(references=School, index=True)


class Message(Table):
    """One turn of the anonymous two-way conversation on a report."""

    id = Serial(primary_key=True)
    report = ForeignKey(references=Report, index=True)
    # "reporter" or "staff"
    author = Varchar(length=10)
    staff_name = Varchar(length=100, null=True, default=None)
    body = Text()
    read_by_reporter = Boolean(default=False)
    read_by_staff = Boolean(default=False)
    created_at = Timestamptz()
    # Set by the reply form when it is shown: a double submit or a refresh never posts twice.
    idempotency_key = Varchar(length=64, null=True, default=None, unique=True)
    # A resource from the directory sent to the reporter, shown to them as a card.
    resource_id = Varchar(length=36, null=True, default=None)


class Attachment(Table):
    """A photo or screenshot, re-encoded without its metadata before it was stored."""

    id = Serial(primary_key=True)
    public_id = UUID(unique=True)
    report = ForeignKey(references=Report, index=True)
    message = ForeignKey(references=Message, null=True, default=None)
    content_type = Varchar(length=40)
    width = Integer()
    height = Integer()
    size = Integer()
    data = Bytea()
    created_at = Timestamptz()


class PendingUpload(Table):
    """A photo that arrived with a form that had to be sent back for a fix.

    Browsers cannot refill a file input, so the photo waits here (by an unguessable token kept in
    the form) instead of being lost; it is purged after an hour if the form is never sent.
    """

    id = Serial(primary_key=True)
    token = Varchar(length=64, unique=True)
    content_type = Varchar(length=40)
    width = Integer()
    height = Integer()
    size = Integer()
    data = Bytea()
    created_at = Timestamptz()


class Disclosure(Table):
    """A record of sharing a case outside the school team (FERPA asks schools to keep one): who
    shared what, with whom, why, and when."""

    id = Serial(primary_key=True)
    report = ForeignKey(references=Report, index=True)
    staff = ForeignKey(references=StaffAccount)
    # "law_enforcement", "community_partner", "family", "other"
    recipient_kind = Varchar(length=30)
    # Sealed at rest (web/cases/sealing.py), so Text: a sealed value is longer than what was typed.
    recipient = Text()
    organization = Text(null=True, default=None)
    what = Text()
    why = Text()
    shared_at = Timestamptz()


class SupportAction(Table):
    """Support and restorative work on a case (not punishment), with an owner and a follow-up date."""

    id = Serial(primary_key=True)
    report = ForeignKey(references=Report, index=True)
    kind = Varchar(length=40)
    details = Text(default="")
    owner = ForeignKey(references=StaffAccount, null=True, default=None)
    follow_up_on = Date(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=StaffAccount, null=True, default=None)
    created_at = Timestamptz()
