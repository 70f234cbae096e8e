"""A family Chromebook or a library computer: what one person typed is never offered to the next."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.test_report import receipt_code

pytestmark = pytest.mark.anyio

FREE_TEXT = {"text", "search", "email", "tel", ""}


class FreeTextFields(HTMLParser):
    """Every free-text field of a page, with whether the browser may suggest earlier entries for it."""

    def __init__(self) -> None:
        super().__init__()
        self.form_off = False
        self.fields: dict[str, bool] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        if tag == "form":
            self.form_off = given.get("autocomplete") == "off"
        elif (tag == "input" and (given.get("type") or "") in FREE_TEXT) or tag == "textarea":
            self.fields[given.get("id") or str(given.get("name"))] = given.get("autocomplete") == "off"


def remembered(html: str) -> list[str]:
    parser = FreeTextFields()
    parser.feed(html)
    assert parser.fields, "no free-text fields on the page"
    return [name for name, off in parser.fields.items() if not off]


@pytest.mark.parametrize("path", ["/report", "/community", "/es/report", "/check", "/resources"])
async def test_public_forms_never_offer_the_last_persons_words(client: AsyncTestClient, path: str) -> None:
    page = await client.get(path)
    assert page.status_code == 200
    assert remembered(page.text) == []


async def test_the_reply_form_never_offers_the_last_persons_words(client: AsyncTestClient) -> None:
    code = receipt_code((await client.post("/report", data=report_fields())).text)
    case = await client.post("/check", data={"code": code})
    assert 'data-testid="reply-form"' in case.text
    assert remembered(case.text) == []


PUBLIC_PAGES = [
    "/", "/resources", "/resources?q=scared%20to%20go%20home&need=&school=&near=", "/es/resources?need=food",
    "/counselor", "/report", "/community", "/check", "/offline", "/install", "/es/", "/resources/no-such-entry",
]  # fmt: skip


@pytest.mark.parametrize("path", PUBLIC_PAGES)
async def test_no_public_page_is_kept_in_the_browsers_disk_cache(client: AsyncTestClient, path: str) -> None:
    # Twice each: the second answer comes from the server's own page cache, and must say the same.
    for headers in ({}, {}, {"HX-Request": "true"}):
        page = await client.get(path, headers=headers)
        assert page.headers["content-type"].startswith("text/html"), path
        assert page.headers.get("cache-control") == "no-store", (path, headers)


async def test_versioned_static_files_stay_cacheable(client: AsyncTestClient) -> None:
    home = (await client.get("/")).text
    files = re.findall(r'(?:src|href)="(/static/[^"]+\?v=[^"]+)"', home)
    assert files
    for url in files:
        answer = await client.get(url)
        assert answer.status_code == 200, url
        assert "no-store" not in answer.headers.get("cache-control", ""), url
        assert "max-age" in answer.headers.get("cache-control", ""), url


@pytest.mark.parametrize(("path", "shown"), [
    ("/resources?q=scared%20to%20go%20home&need=&school=&near=", "/resources"),
    ("/es/resources?q=miedo&need=food&near=66102&open=now", "/es/resources?need=food&open=now"),
    ("/resources?school=lincoln-hs&near=66102", "/resources?school=lincoln-hs"),
])  # fmt: skip
async def test_a_directory_swapped_in_never_puts_the_words_in_the_address(
    client: AsyncTestClient, path: str, shown: str
) -> None:
    for headers in ({"HX-Request": "true"}, {"HX-Request": "true", "HX-Boosted": "true"}):
        page = await client.get(path, headers=headers)
        assert page.status_code == 200
        assert page.headers.get("hx-replace-url") == shown, headers


@pytest.mark.parametrize(
    ("path", "words"), [("/resources", "Open a private window"), ("/es/resources", "ventana privada")]
)
async def test_the_directory_advises_a_private_window_on_a_shared_computer(
    client: AsyncTestClient, path: str, words: str
) -> None:
    page = (await client.get(path)).text
    tip = re.search(r'data-testid="shared-device-tip">([^<]+)<', page)
    assert tip and words in tip.group(1), path
