"""Encryption at rest, key rotation, backups and retention (issue 8).

A copy of the database (the file on SQLite, every row of every table on PostgreSQL) holds no report
text, message, contact detail or photo; staff pages and /check still show them in plain words.
"""

from __future__ import annotations

import base64
import importlib
import io
import os
import re
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from tests.integration.conftest import report_fields
from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, sign_in
from tests.integration.test_report import everything_stored, receipt_code
from web import backup, crypto
from web.alerts import signals
from web.alerts.tables import Escalation, PushDevice
from web.cases import casework, sealing
from web.cases import services as cases
from web.cases.commands import rotate
from web.cases.photos import clean_photo
from web.cases.retention import purge_due
from web.cases.tables import Attachment, Disclosure, Message, Report, SupportAction
from web.district.tables import District
from web.settings import load_settings
from web.staff.tables import AuditEvent, StaffAccount

pytestmark = pytest.mark.anyio

MARKERS = {
    "description": "ZEBRA-DESCRIPTION-7731",
    "when_text": "ZEBRA-WHEN-7731",
    "where_text": "ZEBRA-WHERE-7731",
    "contact_name": "ZEBRA-NAME-7731",
    "contact_info": "zebra-7731@example.org",
}
REPLY = "ZEBRA-REPLY-7731"
STAFF_MESSAGE = "ZEBRA-STAFF-7731"
NOTE = "ZEBRA-NOTE-7731"
DISCLOSED = "ZEBRA-WHAT-7731"
SUPPORT = "ZEBRA-SUPPORT-7731"
RECIPIENT = "ZEBRA-RECIPIENT-7731"
ORGANISATION = "ZEBRA-ORGANISATION-7731"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SUBSCRIPTION_MARKERS = ["ZEBRA-ENDPOINT-7731", "ZEBRA-P256DH-7731", "ZEBRA-AUTH-7731"]
SUBSCRIPTION = {
    "endpoint": f"https://fcm.googleapis.com/fcm/send/{SUBSCRIPTION_MARKERS[0]}",
    "keys": {"p256dh": SUBSCRIPTION_MARKERS[1], "auth": SUBSCRIPTION_MARKERS[2]},
}


def marker_png() -> bytes:
    """A PNG whose pixels spell a pattern (stored uncompressed-looking rows of the marker bytes)."""
    image = Image.new("RGB", (64, 8), (0, 0, 0))
    pattern = b"MARKERPIXELS7731" * 12
    image.frombytes(pattern[: 64 * 8 * 3].ljust(64 * 8 * 3, b"\0"))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=0)
    return out.getvalue()


def database_bytes() -> bytes:
    path = load_settings().sqlite_path
    raw = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return raw + (wal.read_bytes() if wal.exists() else b"")


async def _full_report(client: AsyncTestClient) -> tuple[str, Report]:
    fields = report_fields(share_contact="yes", **MARKERS)
    files = [("photos", ("marker.png", marker_png(), "image/png"))]
    response = await client.post("/report", data=fields, files=files)
    assert response.status_code == 200
    code = receipt_code(response.text)
    report = await Report.objects().order_by(Report.id, ascending=False).first()
    assert report is not None
    return code, sealing.open_row(Report, report)


async def _staff(email: str) -> StaffAccount:
    account = await StaffAccount.objects().where(StaffAccount.email == email).first()
    assert account is not None
    return account


async def test_nothing_readable_at_rest_and_everything_readable_on_the_pages(client: AsyncTestClient) -> None:
    code, report = await _full_report(client)
    assert (await client.post("/check/reply", data={"code": code, "body": REPLY})).status_code == 200
    responder = await _staff(LINCOLN_RESPONDER)
    await casework.message_reporter(responder, report, STAFF_MESSAGE)
    await casework.add_note(responder, report, NOTE)
    await casework.record_disclosure(
        responder, report, kind="family", recipient=RECIPIENT, organization=ORGANISATION, what=DISCLOSED,
        why="Safety",
    )  # fmt: skip
    await casework.add_support_action(
        responder, report, kind=next(iter(casework.workflow.SUPPORT_KINDS)), details=SUPPORT, owner_id=None,
        follow_up_on="",
    )  # fmt: skip
    # The reporter's installed app asks for a reply signal: its push subscription names the device.
    signal = {"token": signals.token_for(report), "subscription": SUBSCRIPTION}
    assert (await client.post("/check/signal", json=signal)).status_code == 200
    secrets_written = [
        *MARKERS.values(),
        REPLY,
        STAFF_MESSAGE,
        NOTE,
        DISCLOSED,
        SUPPORT,
        *SUBSCRIPTION_MARKERS,
        RECIPIENT,
        ORGANISATION,
    ]

    stored = await everything_stored()
    for marker in secrets_written:
        assert marker not in stored, marker
    photo = await Attachment.objects().where(Attachment.report == report.id).first()
    assert photo is not None and crypto.is_sealed(photo.data)
    clean = clean_photo(marker_png(), 10 * 1024 * 1024).data
    assert PNG_SIGNATURE not in photo.data and b"MARKERPIXELS7731" not in photo.data
    if not load_settings().uses_postgres:
        raw = database_bytes()
        for marker in secrets_written:
            assert marker.encode() not in raw, marker
        assert b"MARKERPIXELS7731" not in raw and clean[8:200] not in raw
        assert PNG_SIGNATURE not in raw

    # /check shows the conversation in plain words.
    page = (await client.post("/check", data={"code": code})).text
    assert REPLY in page and STAFF_MESSAGE in page and NOTE not in page
    # The staff case page shows everything, the photo comes back as it was stored.
    await sign_in(client, LINCOLN_RESPONDER)
    staff_page = (await client.get(f"/staff/cases/{report.public_id}")).text
    for marker in secrets_written:
        # A reporter's push subscription is for sending only: no page shows it.
        assert (marker in staff_page) is (marker not in SUBSCRIPTION_MARKERS), marker
    assert "enc:v1:" not in staff_page
    summary = (await client.get(f"/staff/cases/{report.public_id}/summary")).text
    assert MARKERS["description"] in summary and DISCLOSED in summary and RECIPIENT in summary
    photo_id = re.search(rf"/staff/cases/{report.public_id}/photos/([0-9a-f-]+)", staff_page)
    assert photo_id
    served = await client.get(f"/staff/cases/{report.public_id}/photos/{photo_id.group(1)}")
    assert served.status_code == 200 and served.content == clean
    queue = (await client.get("/staff")).text
    assert "enc:v1:" not in queue
    # The device still finds its own subscription to turn the signal off.
    off = {"token": signals.token_for(report), "endpoint": SUBSCRIPTION["endpoint"]}
    assert (await client.post("/check/signal/off", json=off)).status_code == 200
    assert await PushDevice.count() == 0


async def test_push_subscriptions_stored_in_plain_text_are_sealed_by_the_migration(
    client: AsyncTestClient,
) -> None:
    _code, report = await _full_report(client)
    keys = SUBSCRIPTION["keys"]
    await PushDevice.insert(
        PushDevice(
            report=report.id,
            endpoint=SUBSCRIPTION["endpoint"],
            p256dh=keys["p256dh"],
            auth=keys["auth"],
            created_at=datetime.now(tz=UTC),
        )
    )  # as a device was saved before subscriptions were sealed
    migration = importlib.import_module("web.alerts.piccolo_migrations.alerts_2026_12_06t21_27_08_000000")
    manager = await migration.forwards()
    for step in manager.raw:
        await step()
    stored = await everything_stored()
    for marker in SUBSCRIPTION_MARKERS:
        assert marker not in stored, marker
    [device] = sealing.open_rows(PushDevice, await PushDevice.objects())
    assert (device.endpoint, device.p256dh, device.auth) == (
        SUBSCRIPTION["endpoint"],
        keys["p256dh"],
        keys["auth"],
    )
    off = {"token": signals.token_for(report), "endpoint": SUBSCRIPTION["endpoint"]}
    assert (await client.post("/check/signal/off", json=off)).status_code == 200
    assert await PushDevice.count() == 0


async def test_a_sealed_value_does_not_open_in_another_column() -> None:
    sealed = crypto.seal("words", "report.description")
    assert crypto.open_(sealed, "report.description") == "words"
    with pytest.raises(crypto.SealError):
        crypto.open_(sealed, "message.body")
    assert crypto.open_("typed before encryption", "report.description") == "typed before encryption"
    assert crypto.open_(PNG_SIGNATURE + b"legacy", "attachment.data") == PNG_SIGNATURE + b"legacy"


async def test_event_name_is_sealed_and_shown_in_the_queue(client: AsyncTestClient) -> None:
    response = await client.post(
        "/community", data=report_fields(place="event", event_name="ZEBRA-EVENT-7731", category="weapon")
    )
    assert response.status_code == 200
    assert "ZEBRA-EVENT-7731" not in await everything_stored()
    await sign_in(client, DISTRICT)
    assert "ZEBRA-EVENT-7731" in (await client.get("/staff")).text


async def test_legacy_plaintext_reads_and_rotation_seals_everything_under_a_new_key(
    client: AsyncTestClient,
) -> None:
    code, report = await _full_report(client)
    # A row from before encryption at rest: plaintext in the columns.
    await Report.update({Report.description: "ZEBRA-LEGACY-7731", Report.when_text: None}).where(
        Report.id == report.id
    )
    await Message.update({Message.body: "ZEBRA-LEGACY-REPLY"}).where(
        (Message.report == report.id) & (Message.author == "system")
    )
    await sign_in(client, LINCOLN_RESPONDER)
    assert "ZEBRA-LEGACY-7731" in (await client.get(f"/staff/cases/{report.public_id}")).text
    before = crypto.keyring().current_id
    sealed_before = (await Report.select(Report.where_text).where(Report.id == report.id))[0]["where_text"]

    # Mid-rotation: the new key writes, the old one still reads.
    result = await rotate(keep_old=True)
    assert result.finished and not result.retired and result.keys_left >= 2
    ring = crypto.keyring()
    assert ring.current_id != before
    assert crypto.open_(sealed_before, "report.where_text") == MARKERS["where_text"]

    result = await rotate()
    assert result.finished and result.retired and result.keys_left == 1
    assert crypto.keyring().current_id.hex() == result.key_id
    with pytest.raises(crypto.SealError):
        crypto.open_(sealed_before, "report.where_text")  # its key is gone, and so is every use of it
    stored = await everything_stored()
    assert "ZEBRA-LEGACY-7731" not in stored and "ZEBRA-LEGACY-REPLY" not in stored
    row = (await Report.select().where(Report.id == report.id))[0]
    for column in sealing.SEALED[Report]:
        if row[column] is not None:
            assert crypto.sealed_key_id(row[column]).hex() == result.key_id  # type: ignore[union-attr]
    photo = await Attachment.objects().where(Attachment.report == report.id).first()
    assert photo is not None and crypto.sealed_key_id(photo.data).hex() == result.key_id  # type: ignore[union-attr]
    # Still readable everywhere.
    page = (await client.get(f"/staff/cases/{report.public_id}")).text
    assert "ZEBRA-LEGACY-7731" in page and MARKERS["where_text"] in page
    assert "ZEBRA-LEGACY-REPLY" in (await client.post("/check", data={"code": code})).text


async def test_backup_and_restore_round_trip(
    client: AsyncTestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _code, report = await _full_report(client)
    photo = await Attachment.objects().where(Attachment.report == report.id).first()
    assert photo is not None
    photo_bytes = sealing.open_value(Attachment, "data", photo.data)
    archive = tmp_path / "lantern.backup"
    settings = load_settings()
    if settings.uses_postgres and not shutil.which("pg_dump"):
        with pytest.raises(backup.BackupError, match="pg_dump"):
            backup.make_backup(archive)
        return
    header = backup.make_backup(archive)
    assert header["mode"] == "data_key"
    raw = archive.read_bytes()
    assert MARKERS["description"].encode() not in raw and b"SQLite format" not in raw

    fresh = tmp_path / "fresh"
    target = replace(settings, data_dir=fresh)
    if settings.uses_postgres:
        target = replace(target, database_url=_new_postgres_database(settings.database_url))
    # The data key is not in the fresh data directory: the operator gives it, as in production.
    with pytest.raises(backup.BackupError, match="LANTERN_DATA_KEY"):
        backup.restore_backup(archive, target)
    monkeypatch.setenv(crypto.ENV_VAR, base64.b64encode(crypto.keyring().current).decode())
    backup.restore_backup(archive, target)
    assert (fresh / "secrets" / crypto.KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert (fresh / "secrets" / crypto.KEY_FILE).read_text() == (
        settings.data_dir / "secrets" / crypto.KEY_FILE
    ).read_text()
    description, where_text, data = _restored_values(target, report.public_id)
    assert crypto.open_(description, "report.description") == MARKERS["description"]
    assert crypto.open_(where_text, "report.where_text") == MARKERS["where_text"]
    assert crypto.open_(data, "attachment.data") == photo_bytes

    # Never over an installation that is there, unless asked.
    with pytest.raises(backup.BackupError, match="force"):
        backup.restore_backup(archive, target)
    backup.restore_backup(archive, target, force=True)

    # A passphrase backup restores with the passphrase only, and not with another one.
    monkeypatch.setenv(backup.PASSPHRASE_ENV, "correct horse battery staple")
    with_passphrase = tmp_path / "passphrase.backup"
    assert backup.make_backup(with_passphrase)["mode"] == "passphrase"
    monkeypatch.setenv(backup.PASSPHRASE_ENV, "wrong passphrase")
    with pytest.raises(backup.BackupError, match="does not open"):
        backup.restore_backup(with_passphrase, target, force=True)
    # A cut archive does not open either.
    cut = tmp_path / "cut.backup"
    cut.write_bytes(raw[: len(raw) - 100])
    with pytest.raises(backup.BackupError):
        backup.restore_backup(cut, target, force=True)


def _new_postgres_database(url: str) -> str:
    name = f"lantern_restore_{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["psql", "--no-psqlrc", "--dbname", url, "--command", f"CREATE DATABASE {name}"], check=True
    )
    return url.rsplit("/", 1)[0] + "/" + name


def _restored_values(target, public_id: uuid.UUID) -> tuple[str, str, bytes]:  # type: ignore[no-untyped-def]
    if not target.uses_postgres:
        with sqlite3.connect(target.sqlite_path) as db:
            description, where_text = db.execute(
                "SELECT description, where_text FROM report WHERE public_id = ?", (str(public_id),)
            ).fetchone()
            (data,) = db.execute(
                "SELECT a.data FROM attachment a JOIN report r ON r.id = a.report WHERE r.public_id = ?",
                (str(public_id),),
            ).fetchone()
        return description, where_text, bytes(data)
    query = (
        "SELECT r.description || '|' || r.where_text || '|' || encode(a.data, 'hex') FROM report r "
        "JOIN attachment a ON a.report = r.id WHERE r.public_id = :'id'"
    )
    out = subprocess.run(
        ["psql", "--no-psqlrc", "-tA", "--dbname", target.database_url, "--set", f"id={public_id}"],
        input=query, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    description, where_text, data = out.split("|")
    return description, where_text, bytes.fromhex(data)


async def _closed(report: Report, days_ago: int, *, hold: bool = False) -> None:
    await Report.update(
        {
            Report.status: "closed",
            Report.closed_at: datetime.now(tz=UTC) - timedelta(days=days_ago),
            Report.legal_hold: hold,
        }
    ).where(Report.id == report.id)


async def test_purge_follows_the_policy_and_the_legal_hold(client: AsyncTestClient) -> None:
    _c1, old = await _full_report(client)
    _c2, held = await _full_report(client)
    _c3, recent = await _full_report(client)
    _c4, still_open = await _full_report(client)
    responder = await _staff(LINCOLN_RESPONDER)
    await casework.add_note(responder, old, NOTE)
    await casework.record_disclosure(
        responder, old, kind="family", recipient=RECIPIENT, organization="", what=DISCLOSED, why="Safety"
    )
    await casework.assign(responder, old, responder.id)
    await _closed(old, 400)
    await _closed(held, 400, hold=True)
    await _closed(recent, 10)
    await Report.update({Report.created_at: datetime.now(tz=UTC) - timedelta(days=800)}).where(
        Report.id == still_open.id
    )

    sealed_description = (await Report.select(Report.description).where(Report.id == old.id))[0][
        "description"
    ]
    dry = await purge_due(dry_run=True)
    assert (dry.purged, dry.held, dry.retention_days) == (1, 1, 365)
    assert await Report.exists().where(Report.id == old.id)
    result = await purge_due()
    assert (result.purged, result.held) == (1, 1)
    assert not await Report.exists().where(Report.id == old.id)
    if not load_settings().uses_postgres:
        # secure_delete and the checkpoint after the purge: not even the ciphertext stays in the file.
        assert sealed_description.encode() not in database_bytes()
    for table in (Message, Attachment, Disclosure, SupportAction, Escalation):
        assert await table.count().where(table.report == old.id) == 0, table  # type: ignore[attr-defined]
    for kept in (held, recent, still_open):
        assert await Report.exists().where(Report.id == kept.id)
    purged = (
        await AuditEvent.select()
        .where((AuditEvent.case_uuid == old.public_id) & (AuditEvent.action == "case.purged"))
        .output(load_json=True)
    )
    assert len(purged) == 1 and not purged[0]["detail"]
    assert "ZEBRA" not in str(purged)
    # The case's other audit lines stay (who acted, when) with nothing of what the case was about.
    lines = await AuditEvent.select().where(AuditEvent.case_uuid == old.public_id).output(load_json=True)
    assert {line["action"] for line in lines} >= {"case.created", "case.disclosed", "case.assigned"}
    assert all(not line["detail"] for line in lines), [line["detail"] for line in lines if line["detail"]]
    kept_lines = (
        await AuditEvent.select().where(AuditEvent.case_uuid == held.public_id).output(load_json=True)
    )
    assert any(line["detail"] for line in kept_lines), "a case that is kept keeps its details"

    # A district that keeps cases for ever purges nothing.
    await District.update({District.retention_days: 0}, force=True)
    try:
        await _closed(recent, 4000)
        assert (await purge_due()).purged == 0
    finally:
        await District.update({District.retention_days: 365}, force=True)


async def test_closing_sets_closed_at_and_only_district_admins_place_a_legal_hold(
    client: AsyncTestClient,
) -> None:
    _code, report = await _full_report(client)
    admin = await _staff(DISTRICT)
    await casework.set_status(admin, report, "resolved", "resolved")
    report = await access_case(admin, report)
    await casework.set_status(admin, report, "closed")
    closed = await Report.select(Report.closed_at).where(Report.id == report.id).first()
    assert closed is not None and closed["closed_at"] is not None

    token = await sign_in(client, LINCOLN_RESPONDER)
    url = f"/staff/cases/{report.public_id}/act"
    refused = await client.post(url, data={"_csrf_token": token, "action": "legal_hold", "hold": "on"})
    assert refused.status_code == 422
    assert not (await Report.select(Report.legal_hold).where(Report.id == report.id).first())["legal_hold"]  # type: ignore[index]
    client.cookies.clear()
    token = await sign_in(client, DISTRICT)
    page = (await client.get(f"/staff/cases/{report.public_id}")).text
    assert 'data-testid="toggle-legal-hold"' in page
    placed = await client.post(
        url, data={"_csrf_token": token, "action": "legal_hold", "hold": "on"}, follow_redirects=False
    )
    assert placed.status_code == 303
    assert (await Report.select(Report.legal_hold).where(Report.id == report.id).first())["legal_hold"]  # type: ignore[index]
    assert await AuditEvent.exists().where(
        (AuditEvent.case_uuid == report.public_id) & (AuditEvent.action == "case.legal_hold")
    )
    page = (await client.get(f"/staff/cases/{report.public_id}")).text
    assert 'data-testid="legal-hold"' in page and "Legal hold placed" in page
    await Report.update({Report.closed_at: datetime.now(tz=UTC) - timedelta(days=999)}).where(
        Report.id == report.id
    )
    assert (await purge_due()).purged == 0
    assert await Report.exists().where(Report.id == report.id)


async def access_case(account: StaffAccount, report: Report) -> Report:
    from web.staff import access

    return await access.case_for(account, str(report.public_id))


async def test_secure_delete_is_on() -> None:
    if load_settings().uses_postgres:
        pytest.skip("SQLite only: PostgreSQL has no secure_delete")
    rows = await Report.raw("PRAGMA secure_delete")
    assert list(rows[0].values()) == [1]


def test_the_data_key_file_is_private() -> None:
    crypto.keyring()
    if os.environ.get(crypto.ENV_VAR):
        return
    path = load_settings().data_dir / "secrets" / crypto.KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600


async def test_services_round_trip_through_the_seal(client: AsyncTestClient) -> None:
    code, _report = await _full_report(client)
    found = await cases.find_by_code(code)
    assert found is not None and found.description == MARKERS["description"]
    assert found.contact_info == MARKERS["contact_info"]


async def test_district_admins_set_the_retention_time(client: AsyncTestClient) -> None:
    token = await sign_in(client, DISTRICT)
    page = (await client.get("/staff/admin/district")).text
    assert 'id="retention_days"' in page and 'value="365"' in page
    form = {"_csrf_token": token, "name": "Prairie River Public Schools (demo)", "short_name": "Prairie River Schools",
            "brand_color": "#1d4e89", "emergency_number": "911", "crisis_text_number": "741741",
            "crisis_text_keyword": "HOME", "lifeline_number": "988", "timezone": "America/Chicago",
            "categories": ["bullying", "food"], "retention_days": "5"}  # fmt: skip
    bad = await client.post("/staff/admin/district", data=form)
    assert bad.status_code == 422 and "from 30 up" in bad.text
    form["retention_days"] = "730"
    try:
        assert (await client.post("/staff/admin/district", data=form)).status_code == 200
        assert (await purge_due(dry_run=True)).retention_days == 730
    finally:
        await District.update({District.retention_days: 365, District.enabled_categories: []}, force=True)


async def _run_migration(module: str) -> None:
    migration = importlib.import_module(module)
    await (await migration.forwards()).run()


async def test_disclosure_recipients_and_two_factor_secrets_are_sealed_and_old_rows_sealed_on_upgrade(
    client: AsyncTestClient,
) -> None:
    _code, report = await _full_report(client)
    responder = await _staff(LINCOLN_RESPONDER)
    await casework.record_disclosure(
        responder, report, kind="community_partner", recipient=RECIPIENT, organization=ORGANISATION,
        what=DISCLOSED, why="Safety",
    )  # fmt: skip
    disclosure = await Disclosure.objects().where(Disclosure.report == report.id).first()
    assert disclosure is not None
    assert crypto.is_sealed(disclosure.recipient) and crypto.is_sealed(disclosure.organization)
    line = (
        await AuditEvent.select()
        .where((AuditEvent.case_uuid == report.public_id) & (AuditEvent.action == "case.disclosed"))
        .output(load_json=True)
    )[0]
    assert line["detail"] == {"disclosure": disclosure.id}, "the audit line says only that one was recorded"
    await sign_in(client, LINCOLN_RESPONDER)
    page = (await client.get("/staff/two-factor")).text
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7]+)<', page)
    assert secret
    stored = await everything_stored()
    for plain in (RECIPIENT, ORGANISATION, secret.group(1)):
        assert plain not in stored, plain

    # Rows written before this release: plaintext columns, and the recipient copied into the audit line.
    await Disclosure.update(
        {Disclosure.recipient: "ZEBRA-OLD-RECIPIENT", Disclosure.organization: "ZEBRA-OLD-ORG"}
    ).where(Disclosure.id == disclosure.id)
    await AuditEvent.update(
        {AuditEvent.detail: {"recipient_kind": "family", "recipient": "ZEBRA-OLD-RECIPIENT"}}
    ).where(AuditEvent.id == line["id"])
    old_secret = pyotp.random_base32()
    await StaffAccount.update({StaffAccount.totp_secret: old_secret}).where(StaffAccount.email == DISTRICT)
    try:
        await _run_migration("web.cases.piccolo_migrations.cases_2026_12_06t21_11_32_000000")
        await _run_migration("web.staff.piccolo_migrations.staff_2026_12_06t21_11_33_500000")
        stored = await everything_stored()
        for plain in ("ZEBRA-OLD-RECIPIENT", "ZEBRA-OLD-ORG", old_secret):
            assert plain not in stored, plain
        case_page = (await client.get(f"/staff/cases/{report.public_id}")).text
        assert "ZEBRA-OLD-RECIPIENT" in case_page and "ZEBRA-OLD-ORG" in case_page
        account = await _staff(DISTRICT)
        assert sealing.open_value(StaffAccount, "totp_secret", account.totp_secret) == old_secret
    finally:
        await StaffAccount.update({StaffAccount.totp_secret: None}).where(
            StaffAccount.email.is_in([DISTRICT, LINCOLN_RESPONDER])
        )
