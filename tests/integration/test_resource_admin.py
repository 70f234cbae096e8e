"""Keeping the directory in the console: school and district admins add, edit, archive, restore and
verify entries; every change is kept with its before and after and can be undone; the public directory
follows at once."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, NORTHGATE_ADMIN, sign_in
from web.db import write_transaction
from web.district.tables import School
from web.resources import editing
from web.resources.hsds.export import directory_records
from web.resources.hsds.importer import clear_directory
from web.resources.hsds.schema import check
from web.resources.tables import ResourceChange, Service, ServiceClosure
from web.staff.services import add_staff
from web.staff.tables import AuditEvent, StaffAccount

pytestmark = pytest.mark.anyio

BASE = "/staff/admin/resources"
ANALYST = "analyst.resources@demo.lantern.example"
PASSWORD = "a long analyst password 42"


@pytest.fixture
async def directory(client: AsyncTestClient) -> AsyncIterator[AsyncTestClient]:
    """The demo directory, put back as it was after the test, with no edit history."""
    yield client
    from web.demo.seed import _seed_resources

    async with write_transaction(Service._meta.db):
        await clear_directory()
        await ResourceChange.delete(force=True)
        await ServiceClosure.delete(force=True)
        await _seed_resources({school.slug: school for school in await School.objects()})


def entry_fields(token: str, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "_csrf_token": token,
        "name": "Riverbend Teen Pantry",
        "organization": "Riverbend Mutual Aid",
        "description": "Free groceries for students and families, no questions asked.",
        "needs": ["food", "clothing"],
        "school": "northgate-ms",
        "hours-0-days": ["MO", "WE", "FR"],
        "hours-0-opens": "15:00",
        "hours-0-closes": "18:30",
        "closure-0-date": "2026-12-25",
        "closure-0-note": "Winter break",
        "phone-0-number": "913-555-0199",
        "phone-0-type": "voice",
        "phone-1-number": "913-555-0198",
        "phone-1-type": "text",
        "phone-1-keyword": "food",
        "website": "riverbend.example.org",
        "address_street": "12 Mill Road",
        "address_city": "Prairie River",
        "address_state": "KS",
        "address_postal_code": "66101",
        "languages": ["en", "es"],
        "languages_other": "ht",
        "minimum_age": "11",
        "maximum_age": "18",
        "eligibility": "Grades 6 to 12",
        "fees": "Free",
    }
    fields.update(overrides)
    return fields


async def create_entry(client: AsyncTestClient, token: str, **overrides: Any) -> str:
    response = await client.post(BASE, data=entry_fields(token, **overrides), follow_redirects=False)
    assert response.status_code == 303, response.text[:2000]
    match = re.fullmatch(rf"{BASE}/([0-9a-f-]{{36}})\?done=created", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


async def service_of_school(slug: str) -> str:
    school = await School.objects().where(School.slug == slug).first()
    assert school is not None
    row = await Service.select(Service.id).where(Service.school == school.id).order_by(Service.name).first()
    assert row is not None
    return str(row["id"])


async def district_wide_service() -> str:
    row = await Service.select(Service.id).where(Service.school.is_null()).order_by(Service.name).first()
    assert row is not None
    return str(row["id"])


async def test_create_shows_the_entry_everywhere(directory: AsyncTestClient) -> None:
    client = directory
    token = await sign_in(client, NORTHGATE_ADMIN)
    assert (await client.get(f"{BASE}/new")).status_code == 200
    entry = await create_entry(client, token)

    page = await client.get(f"{BASE}/{entry}", params={"done": "created"})
    assert page.status_code == 200 and "The entry is in the directory." in page.text
    assert 'value="Riverbend Teen Pantry"' in page.text
    assert 'value="https://riverbend.example.org"' in page.text
    assert 'value="FOOD"' in page.text and 'value="2026-12-25"' in page.text
    assert 'value="ht"' in page.text  # languages outside the app's own are kept as codes

    snapshot = await editing.load_snapshot(uuid.UUID(entry))
    assert snapshot is not None
    assert snapshot["needs"] == ["food", "clothing"]
    assert snapshot["hours"] == [{"days": "MO,WE,FR", "opens": "15:00", "closes": "18:30"}]
    assert snapshot["closures"] == [{"date": "2026-12-25", "note": "Winter break"}]
    assert [p["number"] for p in snapshot["phones"]] == ["913-555-0199", "913-555-0198"]  # typed order
    assert snapshot["languages"] == ["en", "es", "ht"]
    assert snapshot["school"] == "northgate-ms" and snapshot["verified"] is not None

    public = await client.get(f"/resources/{entry}")
    assert public.status_code == 200 and "Riverbend Teen Pantry" in public.text
    assert "12 Mill Road" in public.text
    assert "Riverbend Teen Pantry" in (await client.get("/resources", params={"need": "food"})).text
    # The search index follows the edit at once.
    assert "Riverbend Teen Pantry" in (await client.get("/resources", params={"q": "riverbend pantry"})).text
    events = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    assert "resource.created" in events
    # What staff write is valid HSDS: it exports and passes the schema checks.
    records = await directory_records(service_ids=[uuid.UUID(entry)])
    assert records["service"] and records["address"] and records["schedule"]
    for table, rows in records.items():
        for record in rows:
            assert check(table, record) == [], (table, record)


async def test_rejected_form_keeps_everything_typed(directory: AsyncTestClient) -> None:
    client = directory
    token = await sign_in(client, NORTHGATE_ADMIN)
    count = await Service.count()
    fields = entry_fields(
        token,
        name="",
        website="not a site",
        minimum_age="15",
        maximum_age="12",
        **{"phone-0-keyword": "HOME", "hours-1-opens": "09:00"},
    )
    response = await client.post(BASE, data=fields, follow_redirects=False)
    assert response.status_code == 422
    text = response.text
    assert 'data-testid="error-summary"' in text
    for name in ("name", "website", "maximum_age", "phone-0", "hours-1"):
        assert f'data-testid="error-{name}"' in text, name
    for typed in ('value="Riverbend Mutual Aid"', 'value="not a site"', 'value="15"', 'value="12"',
                  'value="12 Mill Road"', 'value="Winter break"', 'value="ht"', "Free groceries"):  # fmt: skip
        assert typed in text, typed
    assert re.search(r'value="food"\s+checked', text)
    assert await Service.count() == count


async def test_edit_archive_restore_and_the_public_directory(directory: AsyncTestClient) -> None:
    client = directory
    token = await sign_in(client, NORTHGATE_ADMIN)
    entry = await create_entry(client, token)
    saved = await client.post(
        f"{BASE}/{entry}",
        data=entry_fields(
            token, name="Riverbend Pantry and Closet", **{"phone-1-number": "", "phone-1-keyword": ""}
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
    snapshot = await editing.load_snapshot(uuid.UUID(entry))
    assert snapshot is not None and snapshot["name"] == "Riverbend Pantry and Closet"
    assert len(snapshot["phones"]) == 1
    assert "Riverbend Pantry and Closet" in (await client.get("/resources")).text
    assert "Riverbend Pantry and Closet" in (await client.get("/resources", params={"q": "closet"})).text

    archived = await client.post(
        f"{BASE}/{entry}/archive", data={"_csrf_token": token}, follow_redirects=False
    )
    assert archived.status_code == 303
    assert (await client.get(f"/resources/{entry}")).status_code == 404
    assert "Riverbend Pantry" not in (await client.get("/resources")).text
    assert "Riverbend Pantry" not in (await client.get("/resources", params={"q": "riverbend"})).text
    listed = await client.get(BASE, params={"show": "archived"})
    assert "Riverbend Pantry and Closet" in listed.text
    assert "Riverbend Pantry and Closet" not in (await client.get(BASE)).text

    restored = await client.post(
        f"{BASE}/{entry}/restore", data={"_csrf_token": token}, follow_redirects=False
    )
    assert restored.status_code == 303
    assert (await client.get(f"/resources/{entry}")).status_code == 200
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    assert "resource.changed" in actions and "resource.archived" in actions


async def test_list_search_and_filters(directory: AsyncTestClient) -> None:
    client = directory
    await sign_in(client, NORTHGATE_ADMIN)
    mine = await client.get(BASE, params={"show": "mine"})
    assert mine.status_code == 200
    northgate = await editing.list_entries(
        editing.Editor(0, "x", "district_admin", frozenset()), show="all", words=""
    )
    assert northgate
    found = await client.get(BASE, params={"q": "988"})
    assert "988 Suicide" in found.text
    assert "Kept by the district" in found.text  # district-wide: listed, not editable
    district = await client.get(BASE, params={"show": "district"})
    assert "988 Suicide" in district.text
    assert "988 Suicide" not in mine.text
    lincoln = await service_of_school("lincoln-hs")
    all_rows = await client.get(BASE)
    assert lincoln not in all_rows.text  # other schools' entries are not listed for a school admin


async def test_school_admins_only_change_their_own_schools_entries(directory: AsyncTestClient) -> None:
    client = directory
    token = await sign_in(client, NORTHGATE_ADMIN)
    lincoln = await service_of_school("lincoln-hs")
    national = await district_wide_service()
    before = await editing.load_snapshot(uuid.UUID(national))
    for entry in (lincoln, national):
        assert (await client.get(f"{BASE}/{entry}")).status_code == 404
        assert (await client.get(f"{BASE}/{entry}/history")).status_code == 404
        for action in ("archive", "verify"):
            response = await client.post(f"{BASE}/{entry}/{action}", data={"_csrf_token": token})
            assert response.status_code == 404
        response = await client.post(f"{BASE}/{entry}", data=entry_fields(token))
        assert response.status_code == 404
    assert await editing.load_snapshot(uuid.UUID(national)) == before
    # Nor can they make a district-wide entry or one for another school.
    for school in ("", "lincoln-hs"):
        response = await client.post(BASE, data=entry_fields(token, school=school))
        assert response.status_code == 422 and 'data-testid="error-school"' in response.text
    own = await service_of_school("northgate-ms")
    assert (await client.get(f"{BASE}/{own}")).status_code == 200
    refused = await AuditEvent.count().where(AuditEvent.action == "admin.refused")
    assert refused >= 2


async def test_district_admins_change_district_wide_entries(directory: AsyncTestClient) -> None:
    client = directory
    token = await sign_in(client, DISTRICT)
    national = await district_wide_service()
    page = await client.get(f"{BASE}/{national}")
    assert page.status_code == 200 and "District-wide (every school)" in page.text
    entry = await create_entry(client, token, school="")
    snapshot = await editing.load_snapshot(uuid.UUID(entry))
    assert snapshot is not None and snapshot["school"] is None


async def test_responders_analysts_and_strangers_are_kept_out(directory: AsyncTestClient) -> None:
    client = directory
    entry = await service_of_school("lincoln-hs")
    for path in (BASE, f"{BASE}/new", f"{BASE}/{entry}"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/staff/sign-in")
    await sign_in(client, LINCOLN_RESPONDER)
    for path in (BASE, f"{BASE}/new", f"{BASE}/{entry}", f"{BASE}/{entry}/history"):
        assert (await client.get(path)).status_code == 404, path
    client.cookies.clear()
    if await StaffAccount.count().where(StaffAccount.email == ANALYST) == 0:
        await add_staff(ANALYST, PASSWORD, "analyst", [], "Ana Lyst")
    token = await sign_in(client, ANALYST, PASSWORD)
    assert (await client.get(BASE)).status_code == 404
    assert (await client.post(f"{BASE}/{entry}/archive", data={"_csrf_token": token})).status_code == 404
    assert 'href="/staff/admin/resources"' not in (await client.get("/staff/account")).text


async def test_history_lists_changes_and_undo_puts_them_back(directory: AsyncTestClient) -> None:
    client = directory
    token = await sign_in(client, NORTHGATE_ADMIN)
    entry = await create_entry(client, token)
    original = await editing.load_snapshot(uuid.UUID(entry))
    await client.post(
        f"{BASE}/{entry}",
        data=entry_fields(token, fees="Free; bring a bag", **{"closure-0-date": "", "closure-0-note": ""}),
    )
    await client.post(f"{BASE}/{entry}/archive", data={"_csrf_token": token})

    page = await client.get(f"{BASE}/{entry}/history")
    assert page.status_code == 200
    rows = re.findall(r'data-testid="change-row">(.*?)</tr>', page.text, re.S)
    assert len(rows) == 3
    assert "Archived" in rows[0] and "Cost" in rows[1] and "Closed days" in rows[1] and "Created" in rows[2]
    assert "Mr. Okafor (Northgate)" in rows[1]

    changes = (
        await ResourceChange.select()
        .where(ResourceChange.service == uuid.UUID(entry))
        .order_by(ResourceChange.id)
    )
    assert [c["action"] for c in changes] == ["created", "changed", "archived"]
    assert json.loads(changes[1]["before"])["fees"] == "Free"
    assert json.loads(changes[1]["after"])["fees"] == "Free; bring a bag"

    # Undo the edit: the fees and the closed day come back (and the entry is back in the directory,
    # since the snapshot before the edit was in it).
    undone = await client.post(
        f"{BASE}/{entry}/history/{changes[1]['id']}/undo", data={"_csrf_token": token}, follow_redirects=False
    )
    assert undone.status_code == 303
    restored = await editing.load_snapshot(uuid.UUID(entry))
    assert restored is not None and original is not None
    assert {**restored, "verified": None} == {**original, "verified": None}
    assert (await client.get(f"/resources/{entry}")).status_code == 200
    latest = (
        await ResourceChange.select()
        .where(ResourceChange.service == uuid.UUID(entry))
        .order_by(ResourceChange.id, ascending=False)
        .first()
    )
    assert latest is not None and latest["action"] == "undone" and latest["undoes"] == changes[1]["id"]
    history = await client.get(f"{BASE}/{entry}/history")
    assert "Undid an earlier change" in history.text
    assert await AuditEvent.count().where(AuditEvent.action == "resource.undone") == 1

    # Undoing the undo brings the edit back: undo is an ordinary change.
    await client.post(f"{BASE}/{entry}/history/{latest['id']}/undo", data={"_csrf_token": token})
    again = await editing.load_snapshot(uuid.UUID(entry))
    assert again is not None and again["fees"] == "Free; bring a bag" and again["status"] == "inactive"


async def test_needs_verifying_list_and_mark_as_verified(directory: AsyncTestClient) -> None:
    client = directory
    token = await sign_in(client, NORTHGATE_ADMIN)
    entry = await create_entry(client, token)
    old = date.today() - timedelta(days=200)
    await Service.update({Service.assured_date: old}).where(Service.id == uuid.UUID(entry))
    stale = await client.get(BASE, params={"show": "stale"})
    assert "Riverbend Teen Pantry" in stale.text and "Needs verifying" in stale.text
    recent = date.today() - timedelta(days=30)
    await Service.update({Service.assured_date: recent}).where(Service.id == uuid.UUID(entry))
    assert "Riverbend Teen Pantry" not in (await client.get(BASE, params={"show": "stale"})).text
    await Service.update({Service.assured_date: old}).where(Service.id == uuid.UUID(entry))

    response = await client.post(
        f"{BASE}/{entry}/verify",
        data={"_csrf_token": token, "back": f"{BASE}?show=stale"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"{BASE}?show=stale&done=verified"
    assert "Riverbend Teen Pantry" not in (await client.get(BASE, params={"show": "stale"})).text
    snapshot = await editing.load_snapshot(uuid.UUID(entry))
    assert snapshot is not None and snapshot["verified"] == (await editing.today()).isoformat()
    # A "back" address outside the console is ignored.
    away = await client.post(
        f"{BASE}/{entry}/verify",
        data={"_csrf_token": token, "back": "https://evil.example/"},
        follow_redirects=False,
    )
    assert away.headers["location"] == f"{BASE}/{entry}?done=verified"


def test_six_months_back() -> None:
    assert editing.stale_before(date(2026, 8, 31)) == date(2026, 2, 28)
    assert editing.stale_before(date(2026, 3, 15)) == date(2025, 9, 15)
    assert editing.stale_before(date(2026, 12, 1)) == date(2026, 6, 1)


async def test_saving_an_unchanged_form_records_nothing(directory: AsyncTestClient) -> None:
    client = directory
    token = await sign_in(client, DISTRICT)
    entry = await service_of_school("lincoln-hs")
    page = await client.get(f"{BASE}/{entry}")
    assert page.status_code == 200
    snapshot = await editing.load_snapshot(uuid.UUID(entry))
    form = editing.form_from_snapshot(snapshot)
    data: dict[str, Any] = {"_csrf_token": token, **{k: v for k, v in form.items() if isinstance(v, str)}}
    data["needs"], data["languages"] = form["needs"], form["languages"]
    for key, value in form["address"].items():
        data[f"address_{key}"] = value
    for i, span in enumerate(form["hours"]):
        data.update({f"hours-{i}-days": span["days"], f"hours-{i}-opens": span["opens"],
                     f"hours-{i}-closes": span["closes"]})  # fmt: skip
    for i, phone in enumerate(form["phones"]):
        data.update({f"phone-{i}-{k}": v for k, v in phone.items()})
    response = await client.post(f"{BASE}/{entry}", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[:3000]
    assert await ResourceChange.count() == 0
    assert await editing.load_snapshot(uuid.UUID(entry)) == snapshot


async def test_every_control_is_labelled(directory: AsyncTestClient) -> None:
    client = directory
    token = await sign_in(client, DISTRICT)
    entry = await service_of_school("lincoln-hs")
    rejected = await client.post(BASE, data=entry_fields(token, name=""))
    pages = [
        await client.get(BASE),
        await client.get(f"{BASE}/new"),
        await client.get(f"{BASE}/{entry}"),
        rejected,
    ]
    for page in pages:
        labelled = set(re.findall(r'<label[^>]* for="([^"]+)"', page.text))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", page.text):
            if 'type="hidden"' in tag:
                continue
            control = re.search(r'\bid="([^"]+)"', tag)
            assert control and control.group(1) in labelled, tag


@pytest.mark.parametrize(
    "website", ["javascript:alert(document.domain)", "JavaScript:alert(1)//x.org", "data:text/html,x.org"]
)
async def test_a_website_that_would_run_script_is_refused(directory: AsyncTestClient, website: str) -> None:
    client = directory
    token = await sign_in(client, NORTHGATE_ADMIN)
    count = await Service.count()
    response = await client.post(BASE, data=entry_fields(token, website=website), follow_redirects=False)
    assert response.status_code == 422
    assert 'data-testid="error-website"' in response.text
    assert await Service.count() == count
    # A plain address still gets https:// in front, and one typed in capitals keeps its own scheme.
    created = await create_entry(client, token, website="HTTPS://riverbend.example.org")
    [row] = await Service.select(Service.url).where(Service.id == uuid.UUID(created))
    assert row["url"] == "HTTPS://riverbend.example.org"
