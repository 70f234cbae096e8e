"""Alerts that reach people: real web push (encrypted, VAPID-signed) to a local push service, the
call tree on a clock the test controls, email through a local SMTP server, and reply signals."""

from __future__ import annotations

import email as mail
import email.policy as mail_policy
import itertools
import os
import re
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, sign_in
from tests.push_service import PushService, Subscription
from web.alerts import escalation, outbox, worker
from web.alerts.tables import (
    Alert,
    AlertPreference,
    CallTreeTiming,
    Escalation,
    EscalationContact,
    PushDevice,
)
from web.cases import sealing
from web.cases.tables import Report
from web.demo.seed import DEMO_PASSWORD
from web.district.tables import School
from web.settings import load_settings
from web.staff.services import add_staff
from web.staff.tables import AuditEvent, StaffAccount

pytestmark = pytest.mark.anyio
SECOND_CONTACT = "counselor2.lincoln@demo.lantern.example"
SECRET_WORDS = "Kevin brought a knife in his backpack"


@pytest.fixture
def push() -> Iterator[PushService]:
    service = PushService().start()
    yield service
    service.stop()


async def forget_alerts() -> None:
    for table in (Alert, PushDevice, AlertPreference, Escalation, EscalationContact, CallTreeTiming):
        await table.delete(force=True)


@pytest.fixture(autouse=True)
async def no_alerts(client: AsyncTestClient) -> AsyncIterator[None]:
    await forget_alerts()
    yield
    await forget_alerts()  # devices name this machine's test push service: leave no trace for others


async def add_device(client: AsyncTestClient, push: PushService, email: str) -> None:
    client.cookies.clear()
    token = await sign_in(client, email)
    response = await client.post(
        "/staff/account/alerts/devices", json=push.subscribe().as_json(), headers={"x-csrftoken": token}
    )
    assert response.status_code == 201, response.text
    client.cookies.clear()


async def send_report(client: AsyncTestClient, **fields: str) -> Report:
    response = await client.post("/report", data=report_fields(**fields))
    assert response.status_code == 200
    report = await Report.objects().order_by(Report.id, ascending=False).first()
    assert report is not None
    return report


async def test_a_life_safety_report_pushes_category_school_and_link_only(
    client: AsyncTestClient, push: PushService
) -> None:
    await add_device(client, push, LINCOLN_RESPONDER)
    report = await send_report(client, category="weapon", description=SECRET_WORDS)
    await worker.tick()
    [message] = push.wait_for(1)
    assert message.payload == {
        "title": "Life-safety report",
        "body": "Weapon · Lincoln Heights High School",
        "url": f"/staff/cases/{report.public_id}",
        "tag": "lantern-life_safety",
    }
    assert message.urgency == "high"
    assert message.vapid_subject == load_settings().vapid_subject
    assert SECRET_WORDS not in str(message.payload)
    alert = await Alert.objects().first()
    assert alert is not None and alert.sent_at is not None and alert.attempts == 1


async def test_other_reports_push_only_to_people_who_asked(
    client: AsyncTestClient, push: PushService
) -> None:
    await add_device(client, push, LINCOLN_RESPONDER)
    await send_report(client, category="bullying")
    await worker.tick()
    assert await Alert.count() == 0

    token = await sign_in(client, LINCOLN_RESPONDER)
    saved = await client.post(
        "/staff/account/alerts/preferences", data={"every_new_report": "yes", "_csrf_token": token}
    )
    assert saved.status_code == 200 and "checked" in saved.text
    await send_report(client, category="bullying")
    await worker.tick()
    [message] = push.wait_for(1)
    assert message.payload["title"] == "New report"


async def test_a_gone_subscription_is_deleted_and_a_failing_one_retried(
    client: AsyncTestClient, push: PushService
) -> None:
    await add_device(client, push, LINCOLN_RESPONDER)
    [device] = sealing.open_rows(PushDevice, await PushDevice.objects())
    sid = device.endpoint.rsplit("/", 1)[-1]
    push.statuses[sid] = 503
    await send_report(client, category="weapon")
    now = datetime.now(tz=UTC)
    await worker.tick(now)
    alert = await Alert.objects().first()
    assert alert is not None and alert.sent_at is None and alert.attempts == 1
    assert alert.next_attempt_at > now  # backoff, not a tight loop

    push.statuses[sid] = 201
    await outbox.deliver_due(alert.next_attempt_at + timedelta(seconds=1))
    assert len(push.wait_for(1)) == 1

    push.statuses[sid] = 410
    await send_report(client, category="weapon")
    await worker.tick()
    assert await PushDevice.count() == 0  # the browser dropped it: so do we


async def test_sending_never_waits_on_the_request(client: AsyncTestClient, push: PushService) -> None:
    await add_device(client, push, LINCOLN_RESPONDER)
    await send_report(client, category="weapon")
    # The request returned with the alert queued, not sent: the worker sends it.
    assert push.received == []
    assert await Escalation.count() == 1


async def set_up_call_tree(client: AsyncTestClient, push: PushService) -> dict[str, StaffAccount]:
    if not await StaffAccount.exists().where(StaffAccount.email == SECOND_CONTACT):
        await add_staff(SECOND_CONTACT, DEMO_PASSWORD, "responder", ["lincoln-hs"], "Sam Second")
    people = {p.email: p for p in await StaffAccount.objects()}
    lincoln = await School.objects().where(School.slug == "lincoln-hs").first()
    assert lincoln is not None
    await EscalationContact(school=lincoln.id, staff=people[LINCOLN_RESPONDER].id, position=0).save()
    await EscalationContact(school=lincoln.id, staff=people[SECOND_CONTACT].id, position=1).save()
    await EscalationContact(school=None, staff=people[DISTRICT].id, position=0).save()
    for email in (LINCOLN_RESPONDER, SECOND_CONTACT, DISTRICT):
        await add_device(client, push, email)
    return people


def escalations_to(push: PushService, people: dict[str, StaffAccount], email: str) -> int:
    """How many "not acknowledged yet" alerts reached this person's device."""
    return sum(
        1 for m in push.received if m.payload["tag"] == "lantern-escalation" and owner(m, people) == email
    )


OWNERS: dict[str, str] = {}


def owner(message: object, people: dict[str, StaffAccount]) -> str:
    return OWNERS.get(message.subscription_id, "")  # type: ignore[attr-defined]


async def remember_owners() -> None:
    accounts = {p.id: p.email for p in await StaffAccount.objects()}
    for device in sealing.open_rows(PushDevice, await PushDevice.objects()):
        OWNERS[device.endpoint.rsplit("/", 1)[-1]] = accounts.get(device.staff, "")


async def test_unacknowledged_life_safety_report_climbs_the_call_tree(
    client: AsyncTestClient, push: PushService
) -> None:
    people = await set_up_call_tree(client, push)
    await remember_owners()
    report = await send_report(client, category="threat")
    t0 = report.created_at

    await worker.tick(t0)
    push.wait_for(3)  # first round: everyone who may work the case
    assert escalations_to(push, people, SECOND_CONTACT) == 0

    await worker.tick(t0 + timedelta(minutes=4, seconds=59))
    assert escalations_to(push, people, SECOND_CONTACT) == 0
    await worker.tick(t0 + timedelta(minutes=5))
    push.wait_for(4)
    assert escalations_to(push, people, SECOND_CONTACT) == 1
    assert escalations_to(push, people, DISTRICT) == 0

    await worker.tick(t0 + timedelta(minutes=10))
    push.wait_for(5)
    assert escalations_to(push, people, DISTRICT) == 1

    steps = (
        await AuditEvent.select(AuditEvent.detail)
        .where(AuditEvent.action == "case.escalated")
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )
    assert [s["detail"]["reached"] for s in steps][-2:] == ["Sam Second", "Dana Whitfield (district)"]
    token = await sign_in(client, DISTRICT)
    page = await client.get(f"/staff/cases/{report.public_id}")
    assert "Not acknowledged in time" in page.text and "Sam Second" in page.text
    queue = await client.get("/staff")
    assert "Escalated 2 times" in queue.text
    assert token


async def test_acknowledging_stops_the_chain(client: AsyncTestClient, push: PushService) -> None:
    people = await set_up_call_tree(client, push)
    await remember_owners()
    report = await send_report(client, category="threat")
    t0 = report.created_at
    await worker.tick(t0)
    push.wait_for(3)

    token = await sign_in(client, LINCOLN_RESPONDER)
    acked = await client.post(
        f"/staff/cases/{report.public_id}/act",
        data={"_csrf_token": token, "action": "acknowledge"},
        follow_redirects=False,
    )
    assert acked.status_code == 303
    for minutes in (5, 10, 15):
        await worker.tick(t0 + timedelta(minutes=minutes))
    assert escalations_to(push, people, SECOND_CONTACT) == 0
    assert escalations_to(push, people, DISTRICT) == 0
    state = await Escalation.objects().first()
    assert state is not None and state.done_at is not None


async def test_a_restart_mid_chain_continues_it(client: AsyncTestClient, push: PushService) -> None:
    from web.app import create_app

    people = await set_up_call_tree(client, push)
    await remember_owners()
    report = await send_report(client, category="threat")
    t0 = report.created_at
    await worker.tick(t0)
    await worker.tick(t0 + timedelta(minutes=5))
    push.wait_for(4)

    # A new process: nothing in memory, only the database.
    async with AsyncTestClient(app=create_app()):
        await worker.tick(t0 + timedelta(minutes=10))
    push.wait_for(5)
    assert escalations_to(push, people, SECOND_CONTACT) == 1
    assert escalations_to(push, people, DISTRICT) == 1


async def test_other_reports_wait_for_the_next_school_morning() -> None:
    school = School(
        slug="x",
        name="X",
        timezone="America/Chicago",
        hours={"mon": ["07:30", "16:00"], "tue": ["07:30", "16:00"]},
    )
    monday_noon = datetime(2026, 11, 30, 12, 0, tzinfo=UTC).replace(hour=18)  # 12:00 in Chicago
    tuesday_open = escalation.next_morning(school, monday_noon)
    assert tuesday_open.isoformat() == "2026-12-01T07:30:00-06:00"
    sunday = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    assert escalation.next_morning(school, sunday).isoformat() == "2026-11-30T07:30:00-06:00"


async def test_email_goes_through_smtp_with_no_case_content(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self) -> None:
            self.messages: list[str] = []

        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            self.messages.append(envelope.content.decode())  # type: ignore[attr-defined]
            return "250 OK"

    handler = Collect()
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        monkeypatch.setenv("LANTERN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("LANTERN_SMTP_PORT", str(port))
        monkeypatch.setenv("LANTERN_SMTP_STARTTLS", "0")
        monkeypatch.setenv("LANTERN_SMTP_FROM", "alerts@district.example")
        load_settings.cache_clear()
        report = await send_report(client, category="weapon", description=SECRET_WORDS)
        await worker.tick()
        mails = [mail.message_from_string(m, policy=mail_policy.default) for m in handler.messages]
        mine = [m for m in mails if m["To"] == LINCOLN_RESPONDER]
        assert len(mine) == 1, [m["To"] for m in mails]
        assert mine[0]["Subject"] == "Life-safety report"
        body = mine[0].get_content()
        assert f"/staff/cases/{report.public_id}" in body
        assert SECRET_WORDS not in body
    finally:
        smtp.stop()
        monkeypatch.undo()
        load_settings.cache_clear()


async def test_a_reporter_reply_alerts_the_assignee(client: AsyncTestClient, push: PushService) -> None:
    await add_device(client, push, LINCOLN_RESPONDER)
    response = await client.post("/report", data=report_fields(category="bullying"))
    code = re.search(r'data-code="(\d{16})"', response.text).group(1)  # type: ignore[union-attr]
    report = await Report.objects().first()
    assert report is not None
    responder = await StaffAccount.objects().where(StaffAccount.email == LINCOLN_RESPONDER).first()
    await Report.update({Report.assignee: responder.id}).where(Report.id == report.id)  # type: ignore[union-attr]
    await worker.tick()
    case = await client.post("/check", data={"code": code})
    key = re.search(r'name="idempotency_key" value="([^"]+)"', case.text)
    reply = await client.post(
        "/check/reply",
        data={
            "code": code,
            "body": "It happened again today.",
            "idempotency_key": key.group(1) if key else "k" * 20,
        },
    )
    assert reply.status_code in (200, 303), reply.text[:300]
    await worker.tick()
    [message] = push.wait_for(1)
    assert message.payload["title"] == "The reporter replied"
    assert "happened again" not in str(message.payload)


async def test_admins_edit_the_call_tree_of_their_schools_only(client: AsyncTestClient) -> None:
    from tests.integration.staff_support import NORTHGATE_ADMIN

    token = await sign_in(client, NORTHGATE_ADMIN)
    page = await client.get("/staff/admin/call-tree")
    assert page.status_code == 200
    assert 'data-testid="call-tree-northgate-ms"' in page.text
    assert (
        'data-testid="call-tree-lincoln-hs"' not in page.text
        and 'data-testid="call-tree-district"' not in page.text
    )
    refused = await client.post(
        "/staff/admin/call-tree/lincoln-hs", data={"action": "add", "staff": "1", "_csrf_token": token}
    )
    assert refused.status_code == 404

    client.cookies.clear()
    token = await sign_in(client, DISTRICT)
    people = {p.email: p for p in await StaffAccount.objects()}
    for email in (DISTRICT, LINCOLN_RESPONDER):
        added = await client.post(
            "/staff/admin/call-tree/lincoln-hs",
            data={"action": "add", "staff": str(people[email].id), "_csrf_token": token},
        )
        assert added.status_code == 200
    contacts = await EscalationContact.objects().order_by(EscalationContact.position)
    assert [c.staff for c in contacts] == [people[DISTRICT].id, people[LINCOLN_RESPONDER].id]
    moved = await client.post(
        "/staff/admin/call-tree/lincoln-hs",
        data={"action": "up", "contact": str(contacts[1].id), "_csrf_token": token},
    )
    assert moved.status_code == 200
    contacts = await EscalationContact.objects().order_by(EscalationContact.position)
    assert [c.staff for c in contacts] == [people[LINCOLN_RESPONDER].id, people[DISTRICT].id]
    report = Report(school=contacts[0].school, category="weapon")
    assert [p.email for p in await escalation.chain(report)][:2] == [LINCOLN_RESPONDER, DISTRICT]
    # Someone who may not work the school's cases cannot be put on its list.
    outsider = await client.post(
        "/staff/admin/call-tree/lincoln-hs",
        data={
            "action": "add",
            "staff": str(people["principal.northgate@demo.lantern.example"].id),
            "_csrf_token": token,
        },
    )
    assert outsider.status_code == 422


async def open_case_page(client: AsyncTestClient, code: str) -> str:
    page = await client.post("/check", data={"code": code})
    assert page.status_code == 200
    return page.text


async def test_a_reporter_can_ask_for_a_content_free_notice_for_one_case(
    client: AsyncTestClient, push: PushService
) -> None:
    from web.alerts import signals

    response = await client.post(
        "/es/report", data=report_fields(category="bullying", description=SECRET_WORDS)
    )
    code = re.search(r'data-code="(\d{16})"', response.text).group(1)  # type: ignore[union-attr]
    assert "data-reply-signal" in response.text  # offered on the receipt too (shown by JS in the app only)
    page = await open_case_page(client, code)
    token = re.search(r'data-token="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert code not in token
    subscription = push.subscribe()
    turned_on = await client.post(
        "/check/signal", json={"token": token, "subscription": subscription.as_json()}
    )
    assert turned_on.status_code == 200 and turned_on.json() == {"on": True}
    report = await Report.objects().first()
    assert report is not None
    device = await PushDevice.objects().first()
    assert device is not None and device.report == report.id and device.staff is None

    token_staff = await sign_in(client, DISTRICT)
    sent = await client.post(
        f"/staff/cases/{report.public_id}/act",
        data={"_csrf_token": token_staff, "action": "message", "body": "Thank you. Can you tell us more?"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    await worker.tick()
    [message] = [m for m in push.wait_for(1) if m.subscription_id == subscription.endpoint.rsplit("/", 1)[-1]]
    assert message.payload == {
        "title": "Tienes un mensaje nuevo en Lantern",
        "body": message.payload["body"],
        "url": "/es/check",
        "tag": "lantern-reporter_message",
    }
    assert "Can you tell us more" not in str(message.payload) and SECRET_WORDS not in str(message.payload)

    for status in ("resolved", "closed"):
        moved = await client.post(
            f"/staff/cases/{report.public_id}/act",
            data={
                "_csrf_token": token_staff,
                "action": "status",
                "status": status,
                "disposition": "resolved",
            },
            follow_redirects=False,
        )
        assert moved.status_code == 303
        if status == "resolved":
            assert (
                await PushDevice.count().where(PushDevice.report == report.id) == 1
            )  # still open to replies
    assert await PushDevice.count().where(PushDevice.report == report.id) == 0
    assert await signals.report_for(token) is None  # a closed case takes no new signal


async def test_a_signal_token_must_be_genuine_and_fresh(client: AsyncTestClient, push: PushService) -> None:
    import time

    from web.alerts import signals

    await client.post("/report", data=report_fields())
    report = await Report.objects().first()
    assert report is not None
    good = signals.token_for(report)
    assert await signals.report_for(good) is not None
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    stale = signals.token_for(report, now=time.time() - signals.TOKEN_SECONDS - 5)
    for token in (forged, stale, "nonsense"):
        refused = await client.post(
            "/check/signal", json={"token": token, "subscription": push.subscribe().as_json()}
        )
        assert refused.status_code == 404
    # Only browsers' push services (or, in tests, this machine) are accepted as endpoints.
    elsewhere = {"endpoint": "https://attacker.example/x", "keys": {"p256dh": "a", "auth": "b"}}
    refused = await client.post("/check/signal", json={"token": good, "subscription": elsewhere})
    assert refused.status_code == 400
    assert await PushDevice.count() == 0


async def test_two_workers_never_send_an_alert_twice(client: AsyncTestClient, push: PushService) -> None:
    import asyncio

    await add_device(client, push, LINCOLN_RESPONDER)
    devices = await PushDevice.objects()
    now = datetime.now(tz=UTC)
    message = outbox.Message(kind="test", title="Test", body="Test", url="/staff")
    for _ in range(20):
        await outbox.queue_push(devices, message, report_id=None, now=now)
    sent = await asyncio.gather(outbox.deliver_due(now), outbox.deliver_due(now))
    assert sum(sent) == 20
    await asyncio.sleep(0.3)
    assert len(push.wait_for(20)) == 20


async def test_a_school_sets_its_own_time_limit(client: AsyncTestClient, push: PushService) -> None:
    people = await set_up_call_tree(client, push)
    await remember_owners()
    token = await sign_in(client, DISTRICT)
    saved = await client.post(
        "/staff/admin/call-tree/lincoln-hs/timing",
        data={"life_safety_minutes": "3", "other_step_minutes": "30", "_csrf_token": token},
    )
    assert saved.status_code == 200 and '<option value="3" selected>' in saved.text
    refused = await client.post(
        "/staff/admin/call-tree/lincoln-hs/timing",
        data={"life_safety_minutes": "1", "other_step_minutes": "30", "_csrf_token": token},
    )
    assert refused.status_code == 422
    client.cookies.clear()
    report = await send_report(client, category="threat")
    t0 = report.created_at
    await worker.tick(t0)
    push.wait_for(3)
    await worker.tick(t0 + timedelta(minutes=3))
    push.wait_for(4)
    assert escalations_to(push, people, SECOND_CONTACT) == 1


# Endpoints another parser reads differently from the sender's (requests, then urllib3), or that name
# something other than a push service exactly. Each was accepted once.
BYPASSES = [
    "https://127.0.0.9\\@fcm.googleapis.com/fcm/send/x",  # urllib3 connects to 127.0.0.9
    "https://127.0.0.1\t@fcm.googleapis.com/fcm/send/x",  # a blank that one parser drops
    "https://lantern@fcm.googleapis.com/fcm/send/x",  # a user name
    "https://fcm.googleapis.com:8443/fcm/send/x",  # a port of its own
    "https://internal.fcm.googleapis.com/fcm/send/x",  # a name under a push service's
    "http://10.0.0.5\\@127.0.0.1/push/x",  # even the tests' local push service: backslash trick
]


@pytest.mark.parametrize("endpoint", BYPASSES)
async def test_a_staff_device_must_name_a_push_service_exactly(
    client: AsyncTestClient, push: PushService, endpoint: str
) -> None:
    token = await sign_in(client, LINCOLN_RESPONDER)
    subscription = {**push.subscribe().as_json(), "endpoint": endpoint}
    response = await client.post(
        "/staff/account/alerts/devices", json=subscription, headers={"x-csrftoken": token}
    )
    assert response.status_code == 400
    assert await PushDevice.count() == 0


@pytest.mark.parametrize("endpoint", BYPASSES)
async def test_a_reporters_signal_must_name_a_push_service_exactly(
    client: AsyncTestClient, push: PushService, endpoint: str
) -> None:
    from web.alerts import signals

    report = await send_report(client)
    subscription = {**push.subscribe().as_json(), "endpoint": endpoint}
    response = await client.post(
        "/check/signal", json={"token": signals.token_for(report), "subscription": subscription}
    )
    assert response.status_code == 400
    assert await PushDevice.count() == 0


class Listener:
    """A TCP port on this machine that counts who connects (and hangs up on them at once)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1  # counted before the sender can see the hang-up
            conn.close()


@pytest.mark.parametrize(
    ("endpoint", "resolved", "rebinds"),
    [
        # A push service's name that resolves inside the network (a poisoned resolver).
        ("https://fcm.googleapis.com/fcm/send/abc", "fcm.googleapis.com", False),
        # The same, but public on the first lookup and inside the network on the next (rebinding).
        ("https://fcm.googleapis.com/fcm/send/abc", "fcm.googleapis.com", True),
        # A device saved before the endpoint rules were strict.
        ("https://127.0.0.9\\@fcm.googleapis.com/fcm/send/abc", "127.0.0.9", False),
    ],
)
async def test_sending_never_connects_inside_the_network(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch, endpoint: str, resolved: str, rebinds: bool
) -> None:
    listener = Listener()
    real_getaddrinfo = socket.getaddrinfo
    lookups = itertools.count()

    def getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> object:
        if host == resolved:
            if rebinds and next(lookups) == 0:
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("142.250.180.10", 443))]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", listener.port))]
        return real_getaddrinfo(host, port, *args, **kwargs)  # type: ignore[arg-type]

    responder = await StaffAccount.objects().where(StaffAccount.email == LINCOLN_RESPONDER).first()
    assert responder is not None
    browser = Subscription(endpoint, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
    keys = browser.as_json()["keys"]
    await PushDevice(
        staff=responder.id,
        endpoint=endpoint,
        p256dh=keys["p256dh"],
        auth=keys["auth"],
        created_at=datetime.now(tz=UTC),
    ).save()
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("LANTERN_ALLOW_LOCAL_PUSH", "0")
    load_settings.cache_clear()
    try:
        await send_report(client, category="weapon")
        await worker.tick()
    finally:
        monkeypatch.undo()
        load_settings.cache_clear()
        listener.sock.close()
    assert listener.connections == 0
    # Not a public push service: dropped (a name that changed between lookups is tried again later).
    assert await PushDevice.count() == (1 if rebinds else 0)
    assert await Alert.count().where(Alert.sent_at.is_not_null()) == 0
