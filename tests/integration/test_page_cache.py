"""Public pages are answered from memory for a few seconds (web/page_cache.py), and never wrongly:
not in another language, not as the wrong htmx fragment, not to a kiosk, not after a change was
saved, and not past the bounds of the store."""

from __future__ import annotations

import asyncio
import time

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.kiosk_support import enrolled_kiosk
from tests.integration.staff_support import DISTRICT, sign_in
from web.district.tables import District
from web.page_cache import BoundedMemoryStore

pytestmark = pytest.mark.anyio

DISTRICT_FORM = {
    "name": "Prairie River Public Schools (demo)", "short_name": "Prairie River Schools",
    "brand_color": "#1d4e89", "emergency_number": "911", "crisis_text_number": "741741",
    "crisis_text_keyword": "HOME", "lifeline_number": "988", "timezone": "America/Chicago",
    "categories": ["bullying", "food", "self_harm", "weapon"],
}  # fmt: skip


async def _rename_behind_the_app(short_name: str) -> None:
    """A change the app is not told about (as if made by hand in the database)."""
    await District.update({District.short_name: short_name}, force=True)


async def test_a_page_is_kept_for_a_few_seconds(client: AsyncTestClient) -> None:
    assert "Prairie River Schools" in (await client.get("/counselor")).text
    await _rename_behind_the_app("Renamed Quietly")
    try:
        # Still the kept page: nothing told this process the district changed.
        assert "Renamed Quietly" not in (await client.get("/counselor")).text
        # A page not asked for before is rendered afresh.
        assert "Renamed Quietly" in (await client.get("/counselor?from=home")).text
    finally:
        await _rename_behind_the_app("Prairie River Schools")


async def test_saving_district_settings_shows_at_once(client: AsyncTestClient) -> None:
    assert "Prairie River Schools" in (await client.get("/")).text
    token = await sign_in(client, DISTRICT)
    saved = await client.post(
        "/staff/admin/district", data={**DISTRICT_FORM, "short_name": "River Valley", "_csrf_token": token}
    )
    assert saved.status_code == 200, saved.text[:300]
    try:
        client.cookies.clear()
        home = (await client.get("/")).text
        assert "River Valley" in home and "Prairie River Schools" not in home
    finally:
        await _rename_behind_the_app("Prairie River Schools")


async def test_each_language_gets_its_own_page(client: AsyncTestClient) -> None:
    english = (await client.get("/resources?need=food")).text
    spanish = (await client.get("/resources?need=food", headers={"Accept-Language": "es"})).text
    arabic = (await client.get("/ar/resources?need=food")).text
    assert '<html lang="en" dir="ltr"' in english
    assert '<html lang="es" dir="ltr"' in spanish
    assert '<html lang="ar" dir="rtl"' in arabic
    # The same three again, now from memory, still each in its own language.
    assert (await client.get("/resources?need=food")).text == english
    assert (await client.get("/resources?need=food", headers={"Accept-Language": "es"})).text == spanish
    assert (await client.get("/ar/resources?need=food")).text == arabic


async def test_htmx_fragment_and_full_page_are_kept_apart(client: AsyncTestClient) -> None:
    full = (await client.get("/resources?q=food")).text
    fragment = (await client.get("/resources?q=food", headers={"HX-Request": "true"})).text
    boosted = (
        await client.get("/resources?q=food", headers={"HX-Request": "true", "HX-Boosted": "true"})
    ).text
    assert "<html" in full and "<html" not in fragment and "<html" in boosted
    assert "<html" not in (await client.get("/resources?q=food", headers={"HX-Request": "true"})).text
    assert "<html" in (await client.get("/resources?q=food")).text


async def test_a_browser_that_takes_no_gzip_gets_plain_html(client: AsyncTestClient) -> None:
    assert (await client.get("/counselor", headers={"Accept-Encoding": "gzip"})).headers[
        "content-encoding"
    ] == "gzip"
    plain = await client.get("/counselor", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text.startswith("<!doctype html>")


async def test_a_search_is_kept_by_its_words(client: AsyncTestClient) -> None:
    food = (await client.get("/resources?q=food")).text
    shelter = (await client.get("/resources?q=shelter")).text
    assert food != shelter
    assert 'value="shelter"' in (await client.get("/resources?q=shelter")).text
    assert 'value="food"' in (await client.get("/resources?q=food")).text


async def test_a_kiosk_never_gets_a_kept_page(client: AsyncTestClient) -> None:
    ordinary = (await client.get("/resources")).text
    assert 'class="kiosk"' not in ordinary
    async with enrolled_kiosk(client):
        kiosk_page = (await client.get("/resources")).text
        assert 'class="kiosk"' in kiosk_page
    # ... and the kiosk's page was not kept for everyone else.
    assert 'class="kiosk"' not in (await client.get("/resources")).text


async def test_an_error_or_redirect_is_not_kept(client: AsyncTestClient) -> None:
    assert (await client.get("/resources/no-such-place")).status_code == 404
    started = time.monotonic()
    assert (await client.get("/resources/no-such-place")).status_code == 404
    # Not held up waiting for the first request to store a page it never stored.
    assert time.monotonic() - started < 1
    first = await client.get("/", headers={"Accept-Language": "es"}, follow_redirects=False)
    assert first.status_code == 302 and first.headers["location"] == "/es/"
    assert (await client.get("/", follow_redirects=False)).status_code == 200


async def test_store_drops_oldest_pages_past_its_size() -> None:
    store = BoundedMemoryStore(max_bytes=1000)
    for n in range(5):
        assert await store.get(f"page{n}") is None
        await store.set(f"page{n}", b"x" * 240, expires_in=60)
    assert store.size <= 1000
    assert await store.get("page0") is None  # the oldest went first
    assert await store.get("page4") == b"x" * 240
    await store.set("huge", b"x" * 600, expires_in=60)  # more than a quarter of the store: not kept
    assert not await store.exists("huge")


async def test_store_forgets_expired_pages() -> None:
    store = BoundedMemoryStore()
    await store.get("page")
    await store.set("page", b"kept", expires_in=1)
    assert await store.get("page") == b"kept"
    await asyncio.sleep(1.05)
    assert await store.get("page") is None
    assert store.size == 0


async def test_visitors_at_the_same_moment_wait_for_one_rendering() -> None:
    store = BoundedMemoryStore(wait_seconds=5)
    assert await store.get("home") is None  # the first visitor renders
    waiting = [asyncio.create_task(store.get("home")) for _ in range(20)]
    await asyncio.sleep(0.05)
    assert not any(task.done() for task in waiting)  # the others wait instead of rendering too
    await store.set("home", b"<html>", expires_in=20)
    assert await asyncio.gather(*waiting) == [b"<html>"] * 20


async def test_waiters_render_themselves_when_the_page_is_not_kept() -> None:
    store = BoundedMemoryStore(wait_seconds=5)
    assert await store.get("page") is None
    waiting = asyncio.create_task(store.get("page"))
    await asyncio.sleep(0.05)
    store.release("page")  # the first answer was an error: nothing to share
    assert await asyncio.wait_for(waiting, 1) is None


async def test_a_stuck_rendering_holds_nobody_for_long() -> None:
    store = BoundedMemoryStore(wait_seconds=0.2)
    assert await store.get("page") is None
    started = asyncio.get_running_loop().time()
    assert await store.get("page") is None
    assert asyncio.get_running_loop().time() - started < 1
