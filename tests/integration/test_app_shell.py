"""The installable app, as the server serves it: manifest, service worker, offline page list, and
receipt codes made on the device (so a report kept offline has its code before it is sent)."""

from __future__ import annotations

import json
import re

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from web.cases import receipts
from web.cases.tables import Report
from web.help import app_shell
from web.settings import PROJECT_ROOT

pytestmark = pytest.mark.anyio


async def test_manifest_names_the_district_and_has_the_icons_an_install_needs(
    client: AsyncTestClient,
) -> None:
    response = await client.get("/es/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "Prairie River Public Schools (demo)"
    assert manifest["short_name"] == "Prairie River Schools"
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    assert manifest["start_url"] == "/es/"
    assert manifest["lang"] == "es"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert (await client.get(icon["src"])).status_code == 200


async def test_pages_link_the_manifest_and_the_ipad_icon(client: AsyncTestClient) -> None:
    page = (await client.get("/")).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="apple-touch-icon"' in page
    assert 'name="apple-mobile-web-app-capable" content="yes"' in page


async def test_worker_is_served_fresh_with_a_version_from_what_it_caches(client: AsyncTestClient) -> None:
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"].startswith("text/javascript")
    config = json.loads(re.match(r"self\.LANTERN = (\{.*?\});\n", response.text).group(1))  # type: ignore[union-attr]
    assert config["version"] == app_shell.worker_version()
    # Every shell file is named by its content hash, so a changed file is a changed version.
    assert all("?v=" in url for url in config["shell"])
    assert not any("staff" in url for url in config["shell"])
    for url in config["shell"]:
        assert (await client.get(url)).status_code == 200


async def test_shell_stays_within_its_budget() -> None:
    size = sum((PROJECT_ROOT / "static" / url.split("?")[0].removeprefix("/static/")).stat().st_size
               for url in app_shell.shell_urls())  # fmt: skip
    assert size <= 300 * 1024, f"the precached shell is {size / 1024:.0f} KiB"


async def test_offline_list_is_the_whole_directory_in_the_asked_language(client: AsyncTestClient) -> None:
    pages = (await client.get("/ar/offline/pages")).json()["pages"]
    assert all(page.startswith("/ar/") for page in pages)
    assert "/ar/counselor" in pages and "/ar/resources" in pages and "/ar/report" in pages
    details = [p for p in pages if re.fullmatch(r"/ar/resources/[0-9a-f-]{36}", p)]
    assert len(details) == 51  # every demo resource, not only the ones someone opened
    assert not any("/check" in p or "/staff" in p for p in pages)
    for page in ["/ar/offline", "/ar/install", details[0]]:
        assert (await client.get(page)).status_code == 200


async def test_code_made_on_the_device_is_the_code_that_works(client: AsyncTestClient) -> None:
    code = receipts.new_code()
    response = await client.post("/report", data=report_fields(receipt_code=receipts.group(code)))
    assert response.status_code == 200
    assert f'data-code="{code}"' in response.text
    report = await Report.objects().first()
    assert report is not None and report.receipt_hash == receipts.hash_code(code)


async def test_a_retry_with_the_same_key_and_code_keeps_one_report_and_the_code(
    client: AsyncTestClient,
) -> None:
    code = receipts.new_code()
    fields = report_fields(receipt_code=code)
    first = await client.post("/report", data=fields)
    again = await client.post("/report", data=fields)
    assert first.status_code == again.status_code == 200
    assert f'data-code="{code}"' in again.text
    assert "We got this report more than once and kept one copy." in again.text
    assert "no longer works" not in again.text
    assert await Report.count() == 1
    report = await Report.objects().first()
    assert report is not None and report.receipt_hash == receipts.hash_code(code)


async def test_a_code_already_in_use_is_never_shared(client: AsyncTestClient) -> None:
    code = receipts.new_code()
    await client.post("/report", data=report_fields(receipt_code=code))
    second = await client.post("/report", data=report_fields(receipt_code=code))
    assert second.status_code == 200
    # Answered as accepted (nothing tells that the code is in use), kept under another hash.
    assert f'data-code="{code}"' in second.text
    hashes = [row["receipt_hash"] for row in await Report.select(Report.receipt_hash)]
    assert len(set(hashes)) == 2


async def test_a_malformed_device_code_is_replaced_not_refused(client: AsyncTestClient) -> None:
    response = await client.post("/report", data=report_fields(receipt_code="12345"))
    assert response.status_code == 200
    assert re.search(r'data-code="\d{16}"', response.text)
    assert await Report.count() == 1
