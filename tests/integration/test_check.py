"""/check: the reporter's way back in, with a code only they have."""

from __future__ import annotations

import os
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from litestar.testing import AsyncTestClient
from stdnum import damm

from tests.integration.conftest import png_bytes, report_fields
from tests.integration.test_report import receipt_code
from web import limits
from web.cases import receipts, sealing
from web.cases import services as cases
from web.cases.tables import Attachment, Message, Report

pytestmark = pytest.mark.anyio


async def _new_report(client: AsyncTestClient) -> tuple[str, Report]:
    code = receipt_code((await client.post("/report", data=report_fields())).text)
    report = await Report.objects().first()
    assert report is not None
    return code, report


@pytest.mark.parametrize("typed", ["{g}", "{g_dash}", "{plain}", "  {plain}  "])
async def test_code_opens_the_report_however_it_is_typed(client: AsyncTestClient, typed: str) -> None:
    code, _report = await _new_report(client)
    grouped = " ".join(code[i : i + 4] for i in range(0, 16, 4))
    raw = typed.format(g=grouped, g_dash=grouped.replace(" ", "-"), plain=code)
    response = await client.post("/check", data={"code": raw})
    assert response.status_code == 200
    assert 'data-testid="case-status"' in response.text
    assert "Received." in response.text
    assert response.headers["cache-control"] == "no-store"


NOT_FOUND = "We could not open a report with that code"
TYPO = "One digit looks wrong, or two digits are swapped"


async def _slow_answer(client: AsyncTestClient, raw: str) -> str:
    started = time.monotonic()
    response = await client.post("/check", data={"code": raw})
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 422
    assert 'data-testid="case"' not in response.text
    return response.text


async def test_a_well_formed_code_that_opens_nothing_gets_the_same_slow_generic_answer(
    client: AsyncTestClient,
) -> None:
    code, _report = await _new_report(client)
    # Another code with a fitting check digit: it could exist, so nothing more is said about it.
    other = "000000000000000" + damm.calc_check_digit("000000000000000")
    assert other != code
    page = await _slow_answer(client, receipts.group(other))
    assert page.count(NOT_FOUND) == 1
    assert TYPO not in page


async def test_a_typo_in_a_code_is_told_apart_and_the_code_is_kept(client: AsyncTestClient) -> None:
    code, _report = await _new_report(client)
    wrong_digit = ("1" if code[5] != "1" else "2").join((code[:5], code[6:]))
    swapped = next(
        code[:i] + code[i + 1] + code[i] + code[i + 2 :] for i in range(15) if code[i] != code[i + 1]
    )
    for typo in (receipts.group(wrong_digit), swapped):
        page = await _slow_answer(client, typo)
        assert page.count(TYPO) == 1
        assert NOT_FOUND not in page and "send a new report" not in page
        assert f'value="{typo}"' in page


async def test_a_wrong_length_or_a_letter_gets_its_own_words(client: AsyncTestClient) -> None:
    await _new_report(client)
    short = await _slow_answer(client, "1234 5678 9012")
    assert "A code has 16 digits, and this has 12." in short
    assert 'value="1234 5678 9012"' in short
    assert "A code has 16 digits, and this has 17." in await _slow_answer(client, "1234 5678 9012 3450 9")
    assert "only the numbers 0 to 9" in await _slow_answer(client, "1234 5678 9012 34#0")
    assert "Please type the code you got" in await _slow_answer(client, "   ")


async def test_a_code_made_before_check_digits_still_opens_its_report(client: AsyncTestClient) -> None:
    # Such codes were 16 random digits: nine in ten do not fit the check digit.
    old = "1234567890123456"
    assert not damm.is_valid(old)
    await client.post("/report", data=report_fields(receipt_code=old))
    response = await client.post("/check", data={"code": receipts.group(old)})
    assert response.status_code == 200
    assert 'data-testid="case-status"' in response.text
    reply = await client.post("/check/reply", data={"code": old, "body": "Still here."})
    assert 'data-testid="reply-sent"' in reply.text


async def test_staff_reply_is_shown_and_the_reporter_answers(client: AsyncTestClient) -> None:
    code, report = await _new_report(client)
    await cases.add_staff_message(report, "Thank you. Are you safe right now?", "Ms. Rivera")
    page = (await client.post("/check", data={"code": code})).text
    assert "Are you safe right now?" in page
    assert 'data-testid="message-staff"' in page
    reply = await client.post("/check/reply", data={"code": code, "body": "Yes, I am at home."})
    assert reply.status_code == 200
    assert 'data-testid="reply-sent"' in reply.text
    assert "Yes, I am at home." in reply.text
    stored = await Message.objects().where((Message.report == report.id) & (Message.author == "reporter"))
    assert [sealing.open_row(Message, m).body for m in stored] == ["Yes, I am at home."]
    assert stored[0].read_by_staff is False


async def test_empty_reply_is_refused_and_code_is_not_lost(client: AsyncTestClient) -> None:
    code, _report = await _new_report(client)
    response = await client.post("/check/reply", data={"code": code, "body": "   "})
    assert response.status_code == 422
    assert "Please write a message or add a picture." in response.text
    assert f'name="code" value="{code}"' in response.text


async def test_reply_with_a_wrong_code_does_nothing(client: AsyncTestClient) -> None:
    await _new_report(client)
    response = await client.post("/check/reply", data={"code": "0000 0000 0000 0000", "body": "hello"})
    assert response.status_code == 422
    assert await Message.count().where(Message.author == "reporter") == 0


async def test_the_code_never_appears_in_a_url(client: AsyncTestClient) -> None:
    code, _report = await _new_report(client)
    html = (await client.post("/check", data={"code": code})).text
    assert f"?code={code}" not in html and f"/{code}" not in html


@asynccontextmanager
async def _throttled(per_minute: int) -> AsyncIterator[AsyncTestClient]:
    """A server whose /check takes `per_minute` code attempts a minute, its counters starting empty."""
    from web.app import create_app
    from web.settings import load_settings

    os.environ["LANTERN_CHECK_RATE_PER_MINUTE"] = str(per_minute)
    load_settings.cache_clear()
    try:
        async with AsyncTestClient(app=create_app()) as client:
            await limits.forget_all()
            yield client
    finally:
        os.environ["LANTERN_CHECK_RATE_PER_MINUTE"] = "1000"
        load_settings.cache_clear()


async def test_too_many_tries_get_a_kind_page() -> None:
    async with _throttled(2) as client:
        # Opening the page never counts; code attempts do.
        assert {(await client.get("/check")).status_code for _ in range(5)} == {200}
        attempts = [(await client.post("/check", data={"code": "1"})).status_code for _ in range(2)]
        assert attempts == [422, 422]
        limited = await client.post("/check", data={"code": "1"})
        assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
        assert "Wait a minute, then press Open again." in limited.text
        assert 'data-testid="quick-exit"' in limited.text
        assert re.search(r'<input id="code"[^>]*value="1"', limited.text)  # the code as typed, not lost


async def test_unknown_page_is_kind(client: AsyncTestClient) -> None:
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "We could not find that page" in response.text


async def test_the_same_reply_sent_twice_is_stored_once(client: AsyncTestClient) -> None:
    code, report = await _new_report(client)
    page = (await client.post("/check", data={"code": code})).text
    key = re.search(r'name="reply_key" value="([^"]+)"', page)
    assert key
    fields = {"code": code, "body": "Same words twice", "reply_key": key.group(1)}
    first = await client.post("/check/reply", data=fields)
    second = await client.post("/check/reply", data=fields)
    assert first.status_code == second.status_code == 200
    assert await Message.count().where((Message.report == report.id) & (Message.author == "reporter")) == 1
    # The next reply form carries a new key, so a new message is a new message.
    assert f'value="{key.group(1)}"' not in second.text


async def test_reply_pictures_survive_a_rejected_reply(client: AsyncTestClient) -> None:
    code, _report = await _new_report(client)
    files = [("photos", ("shot.png", png_bytes(), "image/png"))]
    rejected = await client.post("/check/reply", data={"code": code, "body": "x" * 5001}, files=files)
    assert rejected.status_code == 422
    assert 'data-testid="held-photos"' in rejected.text
    tokens = re.findall(r'name="upload_token" value="([^"]+)"', rejected.text)
    key = re.search(r'name="reply_key" value="([^"]+)"', rejected.text)
    assert len(tokens) == 1 and key
    sent = await client.post(
        "/check/reply",
        data={"code": code, "body": "shorter now", "reply_key": key.group(1), "upload_token": tokens},
    )
    assert sent.status_code == 200
    message = await Message.objects().where(Message.author == "reporter").first()
    assert message is not None
    assert await Attachment.count().where(Attachment.message == message.id) == 1


async def test_a_closed_report_takes_no_more_messages(client: AsyncTestClient) -> None:
    code, report = await _new_report(client)
    await Report.update({Report.status: "closed"}).where(Report.id == report.id)
    page = (await client.post("/check", data={"code": code})).text
    assert 'data-testid="case-closed"' in page and 'data-testid="reply-form"' not in page
    refused = await client.post("/check/reply", data={"code": code, "body": "hello?"})
    assert refused.status_code == 422
    assert "This report is closed" in refused.text
    assert await Message.count().where(Message.author == "reporter") == 0


async def test_a_code_typed_with_arabic_digits_opens_the_report(client: AsyncTestClient) -> None:
    code, _report = await _new_report(client)
    eastern = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = await client.post("/ar/check", data={"code": receipts.group(eastern)})
    assert response.status_code == 200
    assert 'data-testid="case-status"' in response.text


async def test_a_reply_refused_for_too_many_tries_loses_neither_the_words_nor_the_code() -> None:
    async with _throttled(3) as client:
        code, report = await _new_report(client)
        # Someone else on the school's network spends the minute's tries.
        for _ in range(3):
            await client.post("/check", data={"code": "1234 5678 9012 3456"})
        words = "He was waiting by the lockers again today."
        refused = await client.post("/check/reply", data={"code": code, "body": words})
        assert refused.status_code == 429
        assert words in refused.text and re.search(rf'<input id="code"[^>]*value="{code}"', refused.text)
        assert await Message.count().where(Message.author == "reporter") == 0
        # A minute later the same page opens the report with the message ready to send.
        await limits.forget_all()
        opened = await client.post("/check", data={"code": code, "kept_reply": words})
        assert opened.status_code == 200 and report.public_id
        body = re.search(r'<textarea id="body"[^>]*>([^<]*)</textarea>', opened.text)
        assert body and body.group(1) == words
