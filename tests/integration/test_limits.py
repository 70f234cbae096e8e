"""The limits as an attacker meets them: a real server behind a trusted proxy, so that each try can come
from an address of the attacker's choosing (X-Forwarded-For). Sign-in counts per account *and*
address, so nobody locks a counselor out from elsewhere; tries are counted before they are checked, so
concurrent tries cannot slip past the ceiling; /check counts an IPv6 home network as one address, as
the report forms do."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.support import LanternServer
from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, NORTHGATE_ADMIN, csrf_from
from web import limits
from web.demo.seed import DEMO_PASSWORD
from web.staff.tables import AuditEvent

WRONG_CODE = "0000 0000 0000 0000"
CHECKS_PER_MINUTE = 3


@pytest.fixture(scope="module")
def server() -> Iterator[LanternServer]:
    running = LanternServer.fresh(
        LANTERN_TRUSTED_PROXIES="127.0.0.1",
        LANTERN_CHECK_RATE_PER_MINUTE=str(CHECKS_PER_MINUTE),
        LANTERN_CHECK_MIN_SECONDS="0",
    ).start()
    yield running
    running.stop()
    running.remove_data()


def _sign_in_form(server: LanternServer) -> tuple[httpx.Cookies, str]:
    """The CSRF cookie and token every sign-in post needs."""
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/staff/sign-in")
        return client.cookies, csrf_from(page.text)


def _sign_in(server: LanternServer, email: str, password: str, address: str) -> int:
    cookies, token = _sign_in_form(server)
    with httpx.Client(base_url=server.url, cookies=cookies, timeout=60) as client:
        answer = client.post(
            "/staff/sign-in",
            data={"email": email, "password": password, "_csrf_token": token},
            headers={"X-Forwarded-For": address},
        )
        return answer.status_code


def test_an_attacker_from_other_addresses_cannot_lock_the_counselor_out(server: LanternServer) -> None:
    def attack(n: int) -> int:
        return _sign_in(server, LINCOLN_RESPONDER, f"guess number {n}", f"198.51.100.{n}")

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(attack, range(1, 51)))
    assert answers == [422] * 50
    # Her own address never failed: her right password signs her in (a redirect into the console).
    assert _sign_in(server, LINCOLN_RESPONDER, DEMO_PASSWORD, "192.0.2.10") == 303


def test_concurrent_wrong_tries_from_one_address_never_pass_the_limit(server: LanternServer) -> None:
    def attack(n: int) -> int:
        return _sign_in(server, NORTHGATE_ADMIN, f"guess number {n}", "203.0.113.66")

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(attack, range(30)))
    # Exactly 20 passwords were checked; every other try was refused unchecked.
    assert answers.count(422) == 20 and answers.count(429) == 10
    # That address spent its tries on this account; the principal's own address did not.
    assert _sign_in(server, NORTHGATE_ADMIN, DEMO_PASSWORD, "203.0.113.66") == 429
    assert _sign_in(server, NORTHGATE_ADMIN, DEMO_PASSWORD, "192.0.2.20") == 303


def test_a_pupil_failing_on_the_school_network_does_not_lock_staff_out_of_their_own_computer(
    server: LanternServer,
) -> None:
    school = "203.0.113.99"  # the whole school behind one address
    with httpx.Client(base_url=server.url, timeout=60, headers={"X-Forwarded-For": school}) as computer:

        def sign_in_on_the_computer() -> int:
            computer.cookies.delete("lantern_staff")
            token = csrf_from(computer.get("/staff/sign-in").text)
            form = {"email": DISTRICT, "password": DEMO_PASSWORD, "_csrf_token": token}
            return computer.post("/staff/sign-in", data=form).status_code

        assert sign_in_on_the_computer() == 303  # an ordinary morning: the computer keeps a mark

        def pupil(n: int) -> int:
            return _sign_in(server, DISTRICT, f"guess number {n}", school)

        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(pupil, range(24)))
        assert answers.count(422) == 20 and answers.count(429) == 4
        assert _sign_in(server, DISTRICT, DEMO_PASSWORD, school) == 429  # another device on that network
        assert sign_in_on_the_computer() == 303


def _check(server: LanternServer, address: str) -> int:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        answer = client.post("/check", data={"code": WRONG_CODE}, headers={"X-Forwarded-For": address})
        return answer.status_code


def test_check_counts_an_ipv6_home_network_as_one_address(server: LanternServer) -> None:
    # A device that takes a fresh address of its /64 for every try is still one visitor.
    home = [_check(server, f"2001:db8:7:7::{n}") for n in range(1, CHECKS_PER_MINUTE + 2)]
    assert home == [422] * CHECKS_PER_MINUTE + [429]
    assert _check(server, "2001:db8:7:8::1") == 422  # the neighbours' network is another


@pytest.mark.anyio
async def test_a_huge_email_is_refused_before_it_is_read_counted_or_audited(client: AsyncTestClient) -> None:
    token = csrf_from((await client.get("/staff/sign-in")).text)
    huge = "a" * 2_000_000 + "@demo.lantern.example"
    refused = await client.post("/staff/sign-in", data={"email": huge, "password": "x", "_csrf_token": token})
    assert refused.status_code == 413
    long = "b" * 300 + "@demo.lantern.example"
    told = await client.post("/staff/sign-in", data={"email": long, "password": "x", "_csrf_token": token})
    assert told.status_code == 422 and "too long" in told.text
    assert await AuditEvent.count().where(AuditEvent.email.like("aaaa%")) == 0
    assert await AuditEvent.count().where(AuditEvent.email.like("bbbb%")) == 0
    page = await client.get("/staff/sign-in")
    ok = await client.post(
        "/staff/sign-in",
        data={"email": DISTRICT, "password": DEMO_PASSWORD, "_csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert ok.status_code == 303


@pytest.mark.anyio
async def test_counters_in_memory_stay_bounded_and_hold_no_address() -> None:
    counters = limits._Memory(max_keys=100)
    for n in range(1000):
        await counters.take(limits._key(limits.CHECK, f"10.0.{n // 256}.{n % 256}"), 60, 10)
    kept = [key for entries in counters._windows.values() for key in entries]
    assert len(kept) == 100
    assert not any("10.0." in key for key in kept)


@pytest.mark.anyio
async def test_counting_goes_on_in_the_process_while_the_shared_store_is_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Nothing listens on the discard port: a report must still be counted (and sent), never a 500.
    away = limits._Redis("redis://127.0.0.1:9/0")
    monkeypatch.setattr(limits, "_store", lambda _settings: away)
    assert await limits.take(limits.CHECK, "192.0.2.77", 1) == 1
    assert await limits.take(limits.CHECK, "192.0.2.77", 1) is None
    await limits._fallback.forget_all()
