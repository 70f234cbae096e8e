"""The community page's flood brake: a solved proof-of-work passes; without one, only a few reports
per address in ten minutes (counted under a keyed hash, never stored); challenges cannot be forged or reused."""

from __future__ import annotations

import hashlib
import itertools
import re
import time

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import png_bytes, report_fields
from web import limits
from web.cases.tables import Report
from web.help import flood
from web.settings import load_settings

pytestmark = pytest.mark.anyio


def solve(challenge: str) -> str:
    bits = int(challenge.split(".")[2])
    for nonce in itertools.count():
        digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
        if flood.leading_zero_bits(digest) >= bits:
            return str(nonce)
    raise AssertionError("unreachable")


@pytest.fixture
def easy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flood, "DIFFICULTY_BITS", 10)  # quick to solve in a test; the check is the same


def test_zero_bits_are_counted_exactly() -> None:
    assert flood.leading_zero_bits(bytes([0, 0, 0x0F, 0xFF])) == 20
    assert flood.leading_zero_bits(bytes([0x80])) == 0
    assert flood.leading_zero_bits(bytes([0x01])) == 7


async def test_a_solved_challenge_passes_once(easy: None) -> None:
    challenge = flood.new_challenge()
    nonce = solve(challenge)
    assert await flood.solved(challenge, nonce)
    assert not await flood.solved(challenge, nonce)  # replayed


async def test_forged_stale_and_unsolved_challenges_fail(easy: None) -> None:
    challenge = flood.new_challenge()
    nonce = solve(challenge)
    forged = challenge.replace(".10.", ".1.")  # an easier difficulty, with the old signature
    assert not await flood.solved(forged, "0")
    stale = flood.new_challenge(now=time.time() - flood.CHALLENGE_SECONDS - 10)
    assert not await flood.solved(stale, solve(stale))
    wrong = str(int(nonce) + 1)
    if flood.leading_zero_bits(hashlib.sha256(f"{challenge}:{wrong}".encode()).digest()) < 10:
        assert not await flood.solved(challenge, wrong)


async def test_without_proof_only_a_few_reports_go_through(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch, easy: None
) -> None:
    monkeypatch.setenv("LANTERN_COMMUNITY_UNSOLVED_LIMIT", "2")
    load_settings.cache_clear()
    await limits.forget_all()
    try:
        answers = [(await client.post("/community", data=report_fields())).status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        page = await client.get("/community")
        challenge = re.search(r'name="pow_challenge" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        solved = await client.post(
            "/community", data=report_fields(pow_challenge=challenge, pow_nonce=solve(challenge))
        )
        assert solved.status_code == 200  # a solved challenge is never limited
        assert await Report.count().where(Report.source == "community") == 3
        # Students' own form needs no proof-of-work.
        assert (await client.post("/report", data=report_fields())).status_code == 200
    finally:
        monkeypatch.undo()
        load_settings.cache_clear()
        await limits.forget_all()


async def test_one_address_sending_many_reports_is_asked_to_wait_and_loses_nothing(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERN_REPORT_RATE_PER_MINUTE", "2")
    load_settings.cache_clear()
    await limits.forget_all()
    try:
        first = [(await client.post("/report", data=report_fields())).status_code for _ in range(2)]
        words = "Third report from the library computers about the fight by the gym."
        refused = await client.post(
            "/report",
            data=report_fields(description=words),
            files={"photos": ("p.png", png_bytes(), "image/png")},
        )
        assert first == [200, 200] and refused.status_code == 429
        assert refused.headers["retry-after"] == "60"
        # Told plainly, with everything typed still there (photos are not decoded or kept for a refused
        # send: with JavaScript the page keeps them in place).
        assert "Please wait a few minutes, then press Send again." in refused.text
        assert words in refused.text and 'href="#field-send"' in refused.text
        assert 'name="upload_token"' not in refused.text
        assert await Report.count() == 2
        # Someone in danger right now is not the one told to wait.
        danger = await client.post("/report", data=report_fields(danger_now="yes"))
        assert danger.status_code == 200 and await Report.count() == 3
    finally:
        monkeypatch.undo()
        load_settings.cache_clear()
        await limits.forget_all()


@pytest.mark.parametrize("path", ["/report", "/check/reply"])
async def test_one_address_sending_many_photo_bytes_is_asked_to_wait_and_keeps_what_it_typed(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.setenv("LANTERN_PHOTO_MB_PER_ADDRESS", "1")
    load_settings.cache_clear()
    await limits.forget_all()
    try:
        code = ""
        if path == "/check/reply":
            receipt = await client.post("/report", data=report_fields())
            code = re.search(r'data-code="(\d{16})"', receipt.text).group(1)  # type: ignore[union-attr]
        # Over half a megabyte each: the second one in these ten minutes goes past the budget.
        photo = png_bytes(600, 400, noise=True)
        assert 512 * 1024 < len(photo) < 1024 * 1024
        words = "The photos of the broken window by the bus stop."
        fields = report_fields(description=words) if path == "/report" else {"code": code, "body": words}
        first = await client.post(path, data=fields, files={"photos": ("a.png", photo, "image/png")})
        assert first.status_code == 200
        fields = {
            **fields,
            "idempotency_key": "another-report-key-1234",
            "reply_key": "another-reply-key-1234",
        }
        second = await client.post(path, data=fields, files={"photos": ("b.png", photo, "image/png")})
        assert second.status_code == 422
        assert "Many pictures were sent from this network just now." in second.text
        assert words in second.text
    finally:
        monkeypatch.undo()
        load_settings.cache_clear()
        await limits.forget_all()


def test_limits_count_an_ipv6_home_network_as_one_address() -> None:
    assert limits.address_of("2001:db8:1:2:aaaa::1") == limits.address_of("2001:db8:1:2:bbbb::9")
    assert limits.address_of("2001:db8:1:2::1") != limits.address_of("2001:db8:1:3::1")
    assert limits.address_of("203.0.113.7") == "203.0.113.7"
    assert limits.address_of("testclient") == "testclient"
