"""A form whose text is not UTF-8 (a broken phone keyboard, or an attacker) gets a kind 400, never a 500."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from web import i18n
from web.cases.tables import Report

pytestmark = pytest.mark.anyio

BOUNDARY = "lanternboundary"
SHAPES = {
    "surrogate": ('text/plain; charset="utf-8"', b"words \xed\xa0\x80 more"),
    "not-utf-8": ("text/plain", b"caf\xff"),
    "utf-16": ("text/plain; charset=utf-16", b"odd"),
}


def multipart(content_type: str, raw: bytes) -> bytes:
    part = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="description"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return part + raw + f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("path", ["/report", "/community", "/check/reply"])
async def test_a_form_that_is_not_utf_8_gets_a_kind_page_in_its_language(
    client: AsyncTestClient, path: str, shape: str
) -> None:
    response = await client.post(
        f"/es{path}",
        content=multipart(*SHAPES[shape]),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert response.status_code == 400
    title = i18n.translations_for("es").gettext("We could not read that form")
    assert 'lang="es"' in response.text and f"<h1>{title}</h1>" in response.text
    back = "/es/check" if path.startswith("/check") else f"/es{path}"
    assert f'href="{back}"' in response.text
    assert await Report.count() == 0
