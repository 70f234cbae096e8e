"""Nobody takes a report over with what a copy of the database or a form holds, and a code made on a
device tells nothing about which codes exist.

- The idempotency key is stored only as a keyed hash; sending the form again gives a new code only
  soon after, without a device code, before anyone opened or answered the report (audited); the
  outbox's retry (same key, same device code) gets the same receipt; anything else gets "already
  received" and no code.
- A device code that another report has is answered exactly as an accepted one, with the same work,
  and the report is kept under a code nobody knows (audited)."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.test_report import everything_stored, receipt_code
from web.cases import receipts
from web.cases import services as cases
from web.cases.tables import Report
from web.staff import audit
from web.staff.tables import AuditEvent

pytestmark = pytest.mark.anyio


async def _actions(report: Report) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).where(AuditEvent.case_uuid == report.public_id)
    return [row["action"] for row in rows]


async def _opens(client: AsyncTestClient, code: str) -> bool:
    return (await client.post("/check", data={"code": code})).status_code == 200


async def test_a_copy_of_the_database_holds_no_key_that_gives_a_new_code(client: AsyncTestClient) -> None:
    fields = report_fields()
    code = receipt_code((await client.post("/report", data=fields)).text)
    assert fields["idempotency_key"] not in await everything_stored()
    report = await Report.objects().first()
    assert report is not None and report.idempotency_key == cases.key_digest(fields["idempotency_key"])

    assert await _opens(client, code)  # the reporter has looked: the code is theirs now
    again = await client.post("/report", data=fields)
    assert again.status_code == 200
    assert 'data-testid="already-received"' in again.text
    assert 'data-code="' not in again.text and "data-reply-signal" not in again.text
    assert await _opens(client, code)  # the reporter is not locked out
    assert await Report.count() == 1


async def test_a_double_submit_without_javascript_gets_one_fresh_code_while_nobody_has_looked(
    client: AsyncTestClient,
) -> None:
    fields = report_fields()
    first = receipt_code((await client.post("/report", data=fields)).text)
    second_page = await client.post("/report", data=fields)
    assert 'data-testid="repeat-notice"' in second_page.text
    second = receipt_code(second_page.text)
    assert second != first
    assert await _opens(client, second) and not await _opens(client, first)
    report = await Report.objects().first()
    assert report is not None and "case.receipt_code_replaced" in await _actions(report)


async def test_a_repeat_of_the_key_with_other_words_gets_no_code_and_changes_nothing(
    client: AsyncTestClient,
) -> None:
    fields = report_fields()
    first = receipt_code((await client.post("/report", data=fields)).text)
    forged = {**fields, "category": "weapon", "description": "Someone else's words under the same key."}
    again = await client.post("/report", data=forged)
    assert again.status_code == 200 and 'data-testid="already-received"' in again.text
    assert 'data-code="' not in again.text
    assert await _opens(client, first)  # the reporter keeps their conversation
    report = await Report.objects().first()
    assert report is not None and report.category == fields["category"]
    assert "case.receipt_code_replaced" not in await _actions(report)


@pytest.mark.parametrize("seen_by", ["time", "staff", "reply"])
async def test_a_repeat_gets_no_code_once_the_report_may_have_been_seen(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch, seen_by: str
) -> None:
    fields = report_fields()
    code = receipt_code((await client.post("/report", data=fields)).text)
    report = await Report.objects().first()
    assert report is not None
    if seen_by == "time":
        later = cases._now() + timedelta(seconds=cases.REPEAT_NEW_CODE_SECONDS + 1)
        monkeypatch.setattr(cases, "_now", lambda: later)
    elif seen_by == "staff":
        await audit.record("case.viewed", case=report)
    else:
        await cases.add_reporter_message(report, "one more thing", [], key="reply-key-0123456789")
    again = await client.post("/report", data=fields)
    assert 'data-testid="already-received"' in again.text and 'data-code="' not in again.text
    assert await _opens(client, code)
    actions = await _actions(report)
    assert "case.receipt_code_replaced" not in actions and "case.repeat_without_code" in actions


async def test_the_outbox_retry_gets_the_same_receipt_and_a_stranger_code_gets_none(
    client: AsyncTestClient,
) -> None:
    device_code = receipts.new_code()
    fields = report_fields(receipt_code=device_code)
    for _ in range(2):
        page = await client.post("/report", data=fields)
        assert receipt_code(page.text) == device_code
    stranger = await client.post("/report", data={**fields, "receipt_code": receipts.new_code()})
    assert 'data-testid="already-received"' in stranger.text and 'data-code="' not in stranger.text
    assert await _opens(client, device_code)
    assert await Report.count() == 1


async def test_a_device_code_that_is_taken_is_answered_as_accepted_and_opens_nothing_new(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes: list[str] = []
    real_hash = receipts.hash_code
    monkeypatch.setattr(receipts, "hash_code", lambda code: hashes.append(code) or real_hash(code))

    victim_code = receipts.new_code()
    accepted = await client.post("/report", data=report_fields(receipt_code=victim_code))
    accepted_hashes = len(hashes)
    probe = await client.post("/report", data=report_fields(receipt_code=victim_code, description="probe"))
    # The same answer, the same work: nothing says the code is in use.
    assert probe.status_code == accepted.status_code == 200
    assert receipt_code(probe.text) == victim_code
    assert 'data-testid="repeat-notice"' not in probe.text
    assert len(hashes) - accepted_hashes == accepted_hashes
    assert await Report.count() == 2
    # The code still opens the first report only; the probe is kept where no code reaches it.
    page = await client.post("/check", data={"code": victim_code})
    assert "probe" not in page.text
    probe_report = await Report.objects().order_by(Report.id, ascending=False).first()
    assert probe_report is not None
    rows = (
        await AuditEvent.select(AuditEvent.detail)
        .where((AuditEvent.case_uuid == probe_report.public_id) & (AuditEvent.action == "case.created"))
        .output(load_json=True)
    )
    assert rows[0]["detail"].get("receipt_code_taken") is True


async def test_the_migration_replaces_stored_keys_by_their_hash(client: AsyncTestClient) -> None:
    fields = report_fields()
    await client.post("/report", data=fields)
    key = fields["idempotency_key"]
    await Report.update({Report.idempotency_key: key}).where(Report.id > 0)  # as stored before
    migration = importlib.import_module("web.cases.piccolo_migrations.cases_2026_12_06t21_40_00_000000")
    await (await migration.forwards()).run()
    report = await Report.objects().first()
    assert report is not None and report.idempotency_key == cases.key_digest(key)
    await client.post("/report", data=fields)  # still recognised as the same form
    assert await Report.count() == 1


@pytest.mark.parametrize("path", ["/report", "/community"])
async def test_the_form_tells_the_reporter_that_staff_see_their_language(
    client: AsyncTestClient, path: str
) -> None:
    page = await client.get(path)
    notice = re.search(r'<p class="hint" data-testid="language-notice">([^<]+)</p>', page.text)
    assert notice and "language you wrote in" in notice.group(1)
