"""A NUL byte anywhere a person types (a search, a filter, a name) is taken out, never a server error.

PostgreSQL text cannot hold NUL: before, each of these requests was a 500 there (and the typed form lost).
"""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.staff_support import DISTRICT, csrf_from, sign_in
from web.district.tables import Kiosk
from web.nul_bytes import nul_free
from web.staff.tables import StaffAccount

pytestmark = pytest.mark.anyio

PUBLIC_SEARCHES = [
    *(
        f"/api/hsds/{kind}?search=a%00"
        for kind in ("services", "organizations", "taxonomies", "taxonomy_terms", "service_at_locations")
    ),
    "/resources?near=a%00",
]
STAFF_FILTERS = ["/staff?school=a%00", "/staff?category=a%00", "/staff/audit?action=a%00"]


@pytest.mark.parametrize("path", PUBLIC_SEARCHES)
async def test_a_nul_in_a_public_search_is_no_server_error(client: AsyncTestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200 and "\x00" not in response.text


async def test_a_nul_in_staff_filters_is_no_server_error(client: AsyncTestClient) -> None:
    await sign_in(client, DISTRICT)
    for path in STAFF_FILTERS:
        response = await client.get(path)
        assert response.status_code == 200 and "\x00" not in response.text, path


async def test_a_nul_in_the_sign_in_email_keeps_the_form(client: AsyncTestClient) -> None:
    page = await client.get("/staff/sign-in")
    response = await client.post(
        "/staff/sign-in",
        data={
            "email": "a\x00@b.c",
            "password": "wrong",
            "_csrf_token": csrf_from(page.text),
            "next": "/staff",
        },
    )
    assert response.status_code < 500 and 'value="a@b.c"' in response.text


@pytest.mark.parametrize("multipart", [False, True], ids=["url-encoded", "multipart"])
async def test_a_nul_in_admin_forms_is_taken_out_and_the_rest_kept(
    client: AsyncTestClient, multipart: bool
) -> None:
    token = await sign_in(client, DISTRICT)
    files = {"unused": ("", b"", "application/octet-stream")} if multipart else None
    kiosk = await client.post(
        "/staff/admin/kiosks",
        data={
            "_csrf_token": token,
            "school": "lincoln-hs",
            "label": f"Library\x00 desk {multipart}",
            "idle_seconds": "60",
        },
        files=files,
    )
    assert kiosk.status_code == 200
    assert await Kiosk.exists().where(Kiosk.label == f"Library desk {multipart}")
    invited = await client.post(
        "/staff/admin/staff",
        data={
            "_csrf_token": token,
            "email": f"nul{int(multipart)}\x00@lincoln.example",
            "name": "Ne\x00w Counselor",
            "role": "responder",
            "schools": "lincoln-hs",
        },
        files=files,
    )
    assert invited.status_code == 200 and f"nul{int(multipart)}@lincoln.example: " in invited.text
    account = (
        await StaffAccount.objects()
        .where(StaffAccount.email == f"nul{int(multipart)}@lincoln.example")
        .first()
    )
    assert account is not None and account.display_name == "New Counselor"


async def test_a_nul_split_across_chunks_of_a_form_is_taken_out_too() -> None:
    chunks = [b"label=a%", b"0", b"0b%%0", b"000&x=%0", b"0"]
    received: list[bytes] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        while True:
            message = await receive()
            received.append(message["body"])
            if not message["more_body"]:
                return

    async def receive():  # type: ignore[no-untyped-def]
        body = chunks.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(chunks)}

    scope = {
        "type": "http",
        "query_string": b"",
        "headers": [(b"content-type", b"application/x-www-form-urlencoded")],
    }
    await nul_free(app)(scope, receive, None)  # type: ignore[arg-type]
    assert b"".join(received) == b"label=ab&x="
