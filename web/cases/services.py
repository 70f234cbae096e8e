"""The rules for reports and the anonymous conversation. Controllers call these; so do tests."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from web import live
from web.alerts import escalation
from web.alerts.worker import wake as wake_alerts
from web.cases import receipts, sealing
from web.cases.categories import BY_KEY, enabled
from web.cases.photos import CleanPhoto
from web.cases.tables import Attachment, Message, PendingUpload, Report, ReportSchool
from web.db import write_transaction
from web.district.tables import School
from web.i18n import N_
from web.staff import audit
from web.staff.tables import AuditEvent

DESCRIPTION_MAX = 5000
SHORT_MAX = 200
PENDING_UPLOAD_TTL = timedelta(hours=1)
PLACES_OTHER = ("district", "event", "unsure")
# A repeat of a form without the code made on the device (no JavaScript: a double click, a refresh
# after a lost answer) may replace the code only this soon after the first, and only while nobody has
# opened or answered the report: whoever sends it then is, all but surely, the reporter, who may have
# seen only the second answer. Later, a copy of the form (a shared device's history, a leaked key) would
# take the conversation over and lock the reporter out, so the answer then carries no code.
REPEAT_NEW_CODE_SECONDS = 60
DANGER_ANSWERS = ("yes", "no", "unsure")
ROLES = {
    "student": N_("A student"),
    "parent": N_("A parent or guardian"),
    "staff": N_("School staff"),
    "community": N_("A community member"),
}


_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass
class ReportForm:
    """What the reporter typed, exactly as typed, so a rejected form can be shown again in full."""

    category: str = ""
    danger_now: str = ""
    place: str = ""
    event_name: str = ""
    # An event's host schools (slugs; a game has two) and its day (YYYY-MM-DD, from a date field).
    event_schools: list[str] = field(default_factory=list)
    event_date: str = ""
    reporter_role: str = ""
    description: str = ""
    when_text: str = ""
    where_text: str = ""
    share_contact: bool = False
    contact_name: str = ""
    contact_info: str = ""
    idempotency_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # Made on the reporter's device (static/js/outbox.js), so a report kept offline has its code
    # before it reaches us. Empty: the server makes one.
    receipt_code: str = ""
    upload_tokens: list[str] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ReportForm:
        def text(name: str) -> str:
            value = data.get(name, "")
            # Browsers send line breaks as CRLF; count them as one character, as the textarea does.
            return value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""

        key = text("idempotency_key")

        tokens = data.get("upload_token", [])
        if isinstance(tokens, str):
            tokens = [tokens]
        hosts = data.get("event_schools", [])
        if isinstance(hosts, str):
            hosts = [hosts]
        return cls(
            category=text("category"),
            danger_now=text("danger_now"),
            place=text("place"),
            event_name=text("event_name"),
            event_schools=list(dict.fromkeys(h for h in hosts if isinstance(h, str) and h))[:10],
            event_date=text("event_date"),
            reporter_role=text("reporter_role"),
            description=text("description"),
            when_text=text("when_text"),
            where_text=text("where_text"),
            share_contact=text("share_contact") == "yes",
            contact_name=text("contact_name"),
            contact_info=text("contact_info"),
            idempotency_key=form_key(key),
            receipt_code=receipts.normalize(text("receipt_code")) or "",
            upload_tokens=[t for t in tokens if isinstance(t, str) and t][:20],
        )

    @property
    def life_safety(self) -> bool:
        category = BY_KEY.get(self.category)
        # "Not sure" takes the life-safety path too: a person unsure whether someone is in danger is
        # exactly who should not be left until morning.
        return self.danger_now in ("yes", "unsure") or bool(category and category.life_safety)

    @property
    def host_schools(self) -> list[str]:
        """The schools an event report goes to (none for any other place)."""
        return self.event_schools if self.place == "event" else []


def validate_report(form: ReportForm, school_slugs: set[str], enabled_keys: list[str]) -> dict[str, str]:
    """Field name → a kind message saying what to fix. Empty when the report can be sent."""
    errors: dict[str, str] = {}
    if form.category not in {c.key for c in enabled(enabled_keys)}:
        errors["category"] = N_("Please choose what this is about.")
    if form.danger_now not in DANGER_ANSWERS:
        errors["danger_now"] = N_("Please tell us if someone is in danger right now.")
    if form.place not in school_slugs and form.place not in PLACES_OTHER:
        errors["place"] = N_("Please choose a school, or choose “Not sure”.")
    if form.place == "event" and not form.event_name:
        errors["event_name"] = N_("Please tell us which event, or choose another place.")
    if form.place == "event" and not set(form.event_schools) <= school_slugs:
        errors["event_schools"] = N_("Please choose the schools from the list, or leave them all empty.")
    if form.place == "event" and form.event_date and not _is_date(form.event_date):
        errors["event_date"] = N_("Please give the day like this: 2026-12-11, or leave it empty.")
    if form.reporter_role and form.reporter_role not in ROLES:
        errors["reporter_role"] = N_("Please choose one of these, or leave it empty.")
    if not form.description:
        errors["description"] = N_("Please tell us what is going on. A few words are enough.")
    elif len(form.description) > DESCRIPTION_MAX:
        errors["description"] = N_("This is longer than we can take. Please make it shorter.")
    for name in ("event_name", "when_text", "where_text", "contact_name", "contact_info"):
        if len(getattr(form, name)) > SHORT_MAX and name not in errors:
            errors[name] = N_("This is longer than we can take. Please make it shorter.")
    if form.share_contact and not (form.contact_name or form.contact_info):
        errors["contact_info"] = N_("Add your name or a way to reach you, or stay anonymous.")
    return errors


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


@dataclass(frozen=True)
class Submitted:
    report: Report
    code: str  # empty when a repeat may not be given a code (see REPEAT_NEW_CODE_SECONDS)
    repeated: bool = False  # the same form had already been received
    code_replaced: bool = False  # ... and its earlier code no longer works
    code_taken: bool = False  # the device's code belongs to another report: this one has none


def _now() -> datetime:
    return datetime.now(tz=UTC)


@cache
def _key_hmac_key() -> bytes:
    # Under the receipt salt, which every server of an installation already shares.
    return hmac.new(receipts.installation_salt(), b"lantern idempotency key", hashlib.sha256).digest()


def key_digest(key: str) -> str:
    """What is stored of a form's idempotency key: a keyed hash, so a copy of the database holds
    nothing that can be sent back as the form (64 hex characters)."""
    return hmac.new(_key_hmac_key(), key.encode(), hashlib.sha256).hexdigest()


async def submit_report(form: ReportForm, photos: list[CleanPhoto], *, source: str, locale: str) -> Submitted:
    """Store the report, its photos and the automatic acknowledgement in one durable transaction.

    A repeat of the same form (double click, retry after a lost response) stores nothing new: the
    idempotency key's hash is unique in the database. What it answers is decided in _answer_repeat.
    """
    code = form.receipt_code or receipts.new_code()
    receipt_hash = await receipts.digest(code)
    now = _now()
    place = (form.host_schools or [form.place])[0] if form.place else None
    school = await School.objects().where(School.slug == place).first() if place else None
    try:
        submitted = await _store_once(form, photos, source, locale, code, receipt_hash, school, now)
    except Exception as error:
        if not _is_unique_violation(error):
            raise
        # Another request with the same key or code committed between our check and our insert
        # (possible on PostgreSQL): this time the checks find it.
        submitted = await _store_once(form, photos, source, locale, code, receipt_hash, school, now)
    if not submitted.repeated:
        report = submitted.report
        # The same writes whether or not the code was taken, so the time taken tells nothing either.
        taken: dict[str, Any] = {"receipt_code_taken": True} if submitted.code_taken else {}
        await audit.record(
            "case.created", case=report, source=source, life_safety=report.life_safety, **taken
        )
        live.publish(
            "new", case=str(report.public_id), school_id=report.school, life_safety=report.life_safety
        )
        wake_alerts()
    return submitted


async def hosts_of(report: Report) -> list[int]:
    """The schools hosting the event a report is about, first the report's own school."""
    rows = await ReportSchool.select(ReportSchool.school).where(ReportSchool.report == report.id)
    return [row["school"] for row in rows]


def _is_unique_violation(error: Exception) -> bool:
    name = type(error).__name__
    return name == "UniqueViolationError" or (name == "IntegrityError" and "UNIQUE" in str(error).upper())


async def _store_once(
    form: ReportForm,
    photos: list[CleanPhoto],
    source: str,
    locale: str,
    code: str,
    receipt_hash: str,
    school: School | None,
    now: datetime,
) -> Submitted:
    key_hash = key_digest(form.idempotency_key)
    async with write_transaction(Report._meta.db):
        repeat = await Report.objects().where(Report.idempotency_key == key_hash).first()
        if repeat is not None:
            return await _answer_repeat(form, repeat, code, receipt_hash, now)
        stored_hash = receipt_hash
        if form.receipt_code and await Report.exists().where(Report.receipt_hash == receipt_hash):
            # A code made on the device that another report already has (1 in 10^16 by chance; else
            # someone probing which codes exist). The answer is the same as for any new report, this
            # code included, so it tells nothing; the report is kept under a hash no code opens.
            stored_hash = secrets.token_hex(32)
        category = BY_KEY[form.category]
        report = Report(
            **sealing.sealed_fields(
                Report,
                event_name=form.event_name or None,
                event_date=form.event_date if form.place == "event" and form.event_date else None,
                description=form.description,
                when_text=form.when_text or None,
                where_text=form.where_text or None,
                contact_name=form.contact_name if form.share_contact and form.contact_name else None,
                contact_info=form.contact_info if form.share_contact and form.contact_info else None,
            ),
            public_id=uuid.uuid4(),
            kind=category.kind,
            category=category.key,
            life_safety=form.life_safety,
            danger_now=form.danger_now == "yes",
            danger_answer=form.danger_now,
            place="event" if form.host_schools else "school" if school else form.place,
            school=school.id if school else None,
            reporter_role=form.reporter_role or None,
            source=source,
            locale=locale,
            status="new",
            receipt_hash=stored_hash,
            idempotency_key=key_hash,
            created_at=now,
            updated_at=now,
        )
        await report.save()
        sealing.open_row(Report, report)
        await _store_hosts(report, form.host_schools)
        await escalation.start(report, now)
        await _attach(report, None, photos, now)
        await _attach_pending(report, None, form.upload_tokens, now)
        await Message(
            report=report.id,
            author="system",
            body=sealing.seal(Message, "body", ACKNOWLEDGEMENT),
            read_by_reporter=False,
            read_by_staff=True,
            created_at=now,
        ).save()
    return Submitted(report=report, code=code, code_taken=stored_hash != receipt_hash)


async def _answer_repeat(
    form: ReportForm, repeat: Report, code: str, receipt_hash: str, now: datetime
) -> Submitted:
    """The same form again. The report is stored once; the answer depends on who may be asking.

    - With the code made on the device, and it is the report's: the same receipt (the outbox retrying
      after a lost answer, or a second press of Send).
    - Without a code, soon, with the same words, and before anyone opened or answered the report: a
      fresh code that replaces the first (audited), as the reporter may have seen only this answer. A
      form under the same key with other words is someone else's doing (a copy of the form, a script),
      never a double click.
    - Otherwise: the report was received, and no code (audited).
    """
    report = sealing.open_row(Report, repeat)
    if form.receipt_code and receipt_hash == repeat.receipt_hash:
        return Submitted(report=report, code=code, repeated=True)
    if not form.receipt_code and _same_words(form, report) and await _unseen(repeat, now):
        await Report.update({Report.receipt_hash: receipt_hash, Report.updated_at: now}).where(
            Report.id == repeat.id
        )
        await audit.record("case.receipt_code_replaced", case=repeat)
        return Submitted(report=report, code=code, repeated=True, code_replaced=True)
    # Staff can tell a retry from an attempt on the conversation only by its count and time.
    await audit.record("case.repeat_without_code", case=repeat)
    return Submitted(report=report, code="", repeated=True)


def _same_words(form: ReportForm, report: Report) -> bool:
    """The repeat says what the stored report says (the report is opened: its text is plain here)."""
    return form.category == report.category and form.description == report.description


async def _unseen(report: Report, now: datetime) -> bool:
    """Nobody but the sender can have seen this report or its code yet (see REPEAT_NEW_CODE_SECONDS)."""
    if now - report.created_at > timedelta(seconds=REPEAT_NEW_CODE_SECONDS):
        return False
    if report.status != "new" or report.acknowledged_at is not None:
        return False
    if await Message.exists().where(
        (Message.report == report.id) & ((Message.author != "system") | (Message.read_by_reporter == True))
    ):
        return False  # the reporter opened it with the code, or someone wrote
    return not await AuditEvent.exists().where(
        (AuditEvent.case_uuid == report.public_id) & (AuditEvent.action == "case.viewed")
    )


async def _store_hosts(report: Report, slugs: list[str]) -> None:
    if not slugs:
        return
    ids = {
        s["slug"]: s["id"]
        for s in await School.select(School.id, School.slug).where(School.slug.is_in(slugs))
    }
    for slug in slugs:
        if slug in ids:
            await ReportSchool(report=report.id, school=ids[slug]).save()


# Stored untranslated; translated when shown, in the language the reader uses then.
ACKNOWLEDGEMENT = N_(
    "Thank you for telling us. Your report was received. A person at school will read it and may "
    "write to you here."
)


async def _attach(report: Report, message: Message | None, photos: list[CleanPhoto], now: datetime) -> None:
    for photo in photos:
        await Attachment(
            public_id=uuid.uuid4(),
            report=report.id,
            message=message.id if message else None,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size=photo.size,
            data=sealing.seal(Attachment, "data", photo.data),
            created_at=now,
        ).save()


async def _attach_pending(report: Report, message: Message | None, tokens: list[str], now: datetime) -> None:
    if not tokens:
        return
    held = await PendingUpload.objects().where(PendingUpload.token.is_in(tokens))
    await _attach(
        report,
        message,
        [
            CleanPhoto(p.content_type, p.width, p.height, sealing.open_value(PendingUpload, "data", p.data))
            for p in held
        ],
        now,
    )
    await PendingUpload.delete().where(PendingUpload.token.is_in(tokens))


async def hold_photos(photos: list[CleanPhoto]) -> list[str]:
    """Keep photos of a form sent back for a fix; the tokens go back into the form."""
    tokens = []
    now = _now()
    for photo in photos:
        token = secrets.token_urlsafe(32)
        await PendingUpload(
            token=token,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size=photo.size,
            data=sealing.seal(PendingUpload, "data", photo.data),
            created_at=now,
        ).save()
        tokens.append(token)
    return tokens


async def still_held(tokens: object) -> list[str]:
    """The tokens that still point at a held photo (expired or made-up ones drop out)."""
    if not isinstance(tokens, list) or not tokens:
        return []
    tokens = [t for t in tokens if isinstance(t, str)][:20]
    rows = await PendingUpload.select(PendingUpload.token).where(PendingUpload.token.is_in(tokens))
    return [row["token"] for row in rows]


async def purge_pending_uploads() -> None:
    await PendingUpload.delete().where(PendingUpload.created_at < _now() - PENDING_UPLOAD_TTL)


async def find_by_code(raw_code: str) -> Report | None:
    """The report a receipt code opens, or None for a wrong or malformed code."""
    code = receipts.normalize(raw_code)
    # Hash even a malformed code, so both failures cost the same.
    digest = await receipts.digest(code or "0" * receipts.CODE_DIGITS)
    if code is None:
        return None
    return sealing.open_report(await Report.objects().where(Report.receipt_hash == digest).first())


@dataclass(frozen=True)
class ConversationEntry:
    message: Message
    photo_ids: list[str]


async def conversation(report: Report, *, include_notes: bool = False) -> list[ConversationEntry]:
    """Messages oldest first, each with the photos sent with it. Internal staff notes only when asked:
    the reporter never sees them."""
    query = Message.objects().where(Message.report == report.id)
    if not include_notes:
        query = query.where(Message.author != "note")
    messages = sealing.open_rows(Message, await query.order_by(Message.created_at, Message.id))
    photos = await Attachment.select(Attachment.public_id, Attachment.message).where(
        Attachment.report == report.id
    )
    by_message: dict[int | None, list[str]] = {}
    for row in photos:
        by_message.setdefault(row["message"], []).append(str(row["public_id"]))
    return [ConversationEntry(message=m, photo_ids=by_message.get(m.id, [])) for m in messages]


async def first_photos(report: Report) -> list[str]:
    """Photos sent with the report itself."""
    rows = await Attachment.select(Attachment.public_id).where(
        (Attachment.report == report.id) & (Attachment.message.is_null())
    )
    return [str(row["public_id"]) for row in rows]


def form_key(raw: object) -> str:
    """An idempotency key from a form as sent, or a fresh one if it is missing or malformed."""
    return raw if isinstance(raw, str) and _KEY_SHAPE.fullmatch(raw) else secrets.token_urlsafe(24)


class ReportClosed(Exception):
    """Closed reports take no more messages."""


async def add_reporter_message(
    report: Report, body: str, photos: list[CleanPhoto], *, key: str, upload_tokens: list[str] | None = None
) -> Message:
    """The reporter writes back (and may add photos); staff see it as unread.

    The same reply sent twice (double click, refresh) is stored once: its key is unique.
    """
    now = _now()
    async with write_transaction(Report._meta.db):
        current = await Report.objects().where(Report.id == report.id).first()
        if current is None or current.status == "closed":
            raise ReportClosed()
        repeat = await Message.objects().where(Message.idempotency_key == key).first()
        if repeat is not None:
            return sealing.open_row(Message, repeat)
        message = Message(
            report=report.id,
            author="reporter",
            body=sealing.seal(Message, "body", body),
            read_by_reporter=True,
            read_by_staff=False,
            created_at=now,
            idempotency_key=key,
        )
        await message.save()
        sealing.open_row(Message, message)
        await _attach(report, message, photos, now)
        await _attach_pending(report, message, upload_tokens or [], now)
        await Report.update({Report.updated_at: now}).where(Report.id == report.id)
        await escalation.queue_reply_alert(current, now)
    await audit.record("case.reporter_replied", case=report)
    live.publish("reply", case=str(report.public_id), school_id=report.school, life_safety=report.life_safety)
    wake_alerts()
    return message


async def add_staff_message(
    report: Report, body: str, staff_name: str, *, resource_id: str | None = None
) -> Message:
    """A staff member writes to the anonymous reporter."""
    now = _now()
    async with write_transaction(Report._meta.db):
        message = Message(
            report=report.id,
            author="staff",
            staff_name=staff_name,
            body=sealing.seal(Message, "body", body),
            read_by_reporter=False,
            read_by_staff=True,
            created_at=now,
            resource_id=resource_id,
        )
        await message.save()
        sealing.open_row(Message, message)
        await Report.update({Report.updated_at: now}).where(Report.id == report.id)
        await escalation.queue_reporter_signal(report, now)
    wake_alerts()
    return message


async def mark_read_by_reporter(report: Report) -> None:
    await Message.update({Message.read_by_reporter: True}).where(
        (Message.report == report.id) & (Message.read_by_reporter == False)
    )


async def photo_of(report: Report, public_id: str) -> Attachment | None:
    """A photo, only through the case it belongs to."""
    try:
        wanted = uuid.UUID(public_id)
    except ValueError:
        return None
    photo = (
        await Attachment.objects()
        .where((Attachment.report == report.id) & (Attachment.public_id == wanted))
        .first()
    )
    return sealing.open_row(Attachment, photo) if photo is not None else None


async def photos_listed(report: Report) -> list[dict[str, Any]]:
    """Every photo of a case (ids and sizes, not the bytes), for the staff case page."""
    return await Attachment.select(
        Attachment.public_id, Attachment.message, Attachment.width, Attachment.height
    ).where(Attachment.report == report.id)
