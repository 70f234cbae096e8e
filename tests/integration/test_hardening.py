"""Proofs for the threat model (docs/THREAT_MODEL.md): the authorisation matrix over every staff page
and role, CSRF on every staff form, security headers on every kind of response, and fuzzed public
forms that never fail with a 500 and never store anything that runs as markup in the staff view."""

from __future__ import annotations

import re
import string
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.staff_support import DISTRICT, NORTHGATE_ADMIN, sign_in
from web.app import create_app
from web.cases.tables import Report
from web.demo.seed import DEMO_PASSWORD
from web.settings import load_settings
from web.staff.services import add_staff
from web.staff.tables import StaffAccount

pytestmark = pytest.mark.anyio
ANALYST = "analyst.matrix@demo.lantern.example"
# Accounts of this test's own, so its refusals (audited) never show in other tests' audit counts.
RESPONDER = "responder.matrix@demo.lantern.example"
SIGNED_OUT = "signed out"

# Every staff page a browser can open (GET), with what each role gets. "ok" = 200, "none" = 404
# (existence not confirmed), "sign-in" = sent to sign in, "insights" = an analyst's home.
CASE = "/staff/cases/{case}"
PAGES: dict[str, dict[str, str]] = {
    "/staff": {"responder": "ok", "school_admin": "ok", "district_admin": "ok", "analyst": "insights"},
    "/staff/rows": {"responder": "ok", "school_admin": "ok", "district_admin": "ok", "analyst": "ok-empty"},
    CASE: {"responder": "ok", "school_admin": "none", "district_admin": "ok", "analyst": "none"},
    CASE + "/live": {"responder": "ok", "school_admin": "none", "district_admin": "ok", "analyst": "none"},
    CASE + "/summary": {"responder": "ok", "school_admin": "none", "district_admin": "ok", "analyst": "none"},
    "/staff/audit": {"responder": "none", "school_admin": "none", "district_admin": "ok", "analyst": "none"},
    "/staff/admin/staff": {
        "responder": "none",
        "school_admin": "ok",
        "district_admin": "ok",
        "analyst": "none",
    },
    "/staff/admin/schools": {
        "responder": "none",
        "school_admin": "ok",
        "district_admin": "ok",
        "analyst": "none",
    },
    "/staff/admin/district": {
        "responder": "none",
        "school_admin": "none",
        "district_admin": "ok",
        "analyst": "none",
    },
    "/staff/admin/kiosks": {
        "responder": "none",
        "school_admin": "ok",
        "district_admin": "ok",
        "analyst": "none",
    },
    "/staff/admin/call-tree": {
        "responder": "none",
        "school_admin": "ok",
        "district_admin": "ok",
        "analyst": "none",
    },
    "/staff/insights": {"responder": "none", "school_admin": "ok", "district_admin": "ok", "analyst": "ok"},
    "/staff/insights.csv": {
        "responder": "none",
        "school_admin": "ok",
        "district_admin": "ok",
        "analyst": "ok",
    },
    "/staff/account": {"responder": "ok", "school_admin": "ok", "district_admin": "ok", "analyst": "ok"},
    "/staff/two-factor": {"responder": "ok", "school_admin": "ok", "district_admin": "ok", "analyst": "ok"},
}
ACCOUNTS = {
    "responder": RESPONDER,
    "school_admin": NORTHGATE_ADMIN,
    "district_admin": DISTRICT,
    "analyst": ANALYST,
}


async def lincoln_case(client: AsyncTestClient) -> Report:
    await client.post("/report", data=report_fields(place="lincoln-hs", description="A matrix case."))
    report = await Report.objects().order_by(Report.id, ascending=False).first()
    assert report is not None
    return report


async def ensure_accounts() -> None:
    if not await StaffAccount.exists().where(StaffAccount.email == ANALYST):
        await add_staff(ANALYST, DEMO_PASSWORD, "analyst", [], "Ana Lyst")
    if not await StaffAccount.exists().where(StaffAccount.email == RESPONDER):
        await add_staff(RESPONDER, DEMO_PASSWORD, "responder", ["lincoln-hs"], "Matrix Responder")


@pytest.mark.parametrize("role", [SIGNED_OUT, *ACCOUNTS])
async def test_every_staff_page_answers_each_role_as_the_policy_says(
    client: AsyncTestClient, role: str
) -> None:
    await ensure_accounts()
    report = await lincoln_case(client)
    client.cookies.clear()
    if role != SIGNED_OUT:
        await sign_in(client, ACCOUNTS[role])
    wrong = []
    for template, by_role in PAGES.items():
        path = template.format(case=report.public_id)
        response = await client.get(path, follow_redirects=False)
        expected = "sign-in" if role == SIGNED_OUT else by_role[role]
        got = {200: "ok", 404: "none"}.get(response.status_code, str(response.status_code))
        location = response.headers.get("location", "")
        if response.status_code in (302, 303):
            got = (
                "sign-in"
                if location.startswith("/staff/sign-in")
                else "insights"
                if location == "/staff/insights"
                else location
            )
        if expected == "ok-empty":
            expected, shown = "ok", response.text
            assert "A matrix case" not in shown and str(report.public_id) not in shown
        if got != expected:
            wrong.append(f"{path}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


async def test_every_staff_form_refuses_a_post_without_its_csrf_token(
    app: Litestar, client: AsyncTestClient
) -> None:
    await sign_in(client, DISTRICT)
    report = await lincoln_case(client)
    posts = sorted(
        route.path
        for route in app.routes
        if route.path.startswith("/staff") and "POST" in getattr(route, "methods", set())
    )
    assert len(posts) >= 15
    for template in posts:
        path = re.sub(r"\{public_id:str\}", str(report.public_id), template)
        path = re.sub(r"\{[a-z_]+:uuid\}", str(report.public_id), path)
        path = re.sub(r"\{[a-z_]+:(str|int|uuid)\}", "1", path)
        response = await client.post(path, data={"anything": "x"}, follow_redirects=False)
        assert response.status_code == 403, (path, response.status_code)


TOO_LARGE = load_settings().max_photos * load_settings().max_photo_bytes + 1024 * 1024 + 1
# Every kind of answer: (method, path, body, content type, status). Litestar makes some of them itself,
# before or without a handler.
KINDS = [
    *(("GET", path, None, None, status) for path, status in [
        ("/", 200), ("/resources", 200), ("/report", 200), ("/static/css/lantern.css", 200), ("/sw.js", 200),
        ("/manifest.webmanifest", 200), ("/no-such-page", 404), ("/staff/sign-in", 200),
        ("/api/hsds/services", 200), ("/healthz", 200), ("/api/hsds/services/no-such-id", 404),
        ("/api/hsds/services?page=0", 400),
    ]),
    ("PUT", "/report", None, None, 405),
    ("POST", "/report", b"--x\r\nno end", "multipart/form-data; boundary=x", 400),
    ("POST", "/report", b"a" * TOO_LARGE, "application/x-www-form-urlencoded", 413),
    ("POST", "/check/signal", b"{not json", "application/json", 400),
    ("POST", "/report", b"category=weapon", "application/x-www-form-urlencoded", 403),  # from another site
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "content_type", "status"), KINDS, ids=[
    f"{kind[0]} {kind[1]} {kind[4]}" for kind in KINDS
])  # fmt: skip
async def test_security_headers_are_on_every_kind_of_response(
    client: AsyncTestClient, method: str, path: str, body: bytes | None, content_type: str | None, status: int
) -> None:
    for headers in ({}, {"HX-Request": "true"}):  # the page, and the partial htmx asks for
        if content_type:
            headers = {**headers, "Content-Type": content_type}
        if status == 403:
            headers = {**headers, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
        response = await client.request(method, path, content=body, headers=headers, follow_redirects=False)
        assert response.status_code == status, path
        csp = response.headers.get("content-security-policy", "")
        assert (
            "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        ), path
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, path
        assert response.headers.get("referrer-policy") == "no-referrer", path
        assert response.headers.get("x-content-type-options") == "nosniff", path
        assert response.headers.get("cross-origin-opener-policy") == "same-origin", path
        assert "camera=()" in response.headers.get("permissions-policy", ""), path


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b'{"token": ', b"[1, 2"])
async def test_malformed_json_to_the_reply_notice_is_a_clear_400(
    client: AsyncTestClient, body: bytes
) -> None:
    for path in ("/check/signal", "/check/signal/off"):
        response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, path
        assert response.json()["detail"] == "The request body is not valid JSON"


HSDS_LISTS = ["services", "organizations", "taxonomies", "taxonomy_terms", "service_at_locations"]


@pytest.mark.parametrize("listing", HSDS_LISTS)
@pytest.mark.parametrize("page", ["4611686018427387904", "99999999999999999999", "1000001", "-1"])
async def test_hsds_pages_past_any_directory_are_a_clear_400(
    client: AsyncTestClient, listing: str, page: str
) -> None:
    for fmt in ("json", "ndjson"):
        response = await client.get(f"/api/hsds/{listing}", params={"page": page, "format": fmt})
        assert response.status_code == 400, (listing, page, fmt)
        assert "page must be between 1 and 1000000" in response.text
    # A page past the last one that the database can still count to is an empty page, not an error.
    far = await client.get(f"/api/hsds/{listing}", params={"page": "1000000", "per_page": "500"})
    assert far.status_code == 200 and far.json()["contents"] == [] and far.json()["last_page"] is True


FUZZ_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6000)
MARKUP = st.sampled_from(
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}", "{% raw %}", "javascript:alert(1)",
     "\u202e\u0000", "</textarea><b>x</b>", "' OR 1=1 --"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    category=st.one_of(st.sampled_from(["bullying", "weapon", "food", ""]), FUZZ_TEXT),
    danger=st.one_of(st.sampled_from(["yes", "no", "unsure"]), FUZZ_TEXT),
    place=st.one_of(st.sampled_from(["lincoln-hs", "event", "district"]), FUZZ_TEXT),
    description=st.one_of(
        FUZZ_TEXT, MARKUP, st.text(alphabet=string.printable, min_size=4999, max_size=5100)
    ),
    extra=st.dictionaries(st.text(min_size=1, max_size=20), FUZZ_TEXT, max_size=3),
)
async def test_fuzzed_report_forms_never_fail_and_keep_markup_inert(
    client: AsyncTestClient, category: str, danger: str, place: str, description: str, extra: dict[str, str]
) -> None:
    data = {**extra, "category": category, "danger_now": danger, "place": place, "description": description}
    for path in ("/report", "/community"):
        response = await client.post(path, data=data)
        assert response.status_code in (200, 422), (path, response.status_code)
        assert "<script>alert(1)</script>" not in response.text
        assert "<img src=x onerror=alert(1)>" not in response.text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.one_of(FUZZ_TEXT, st.text(alphabet="0123456789 -", max_size=40)), body=FUZZ_TEXT)
async def test_fuzzed_code_lookups_never_fail(client: AsyncTestClient, code: str, body: str) -> None:
    for path, data in (("/check", {"code": code}), ("/check/reply", {"code": code, "body": body})):
        response = await client.post(path, data=data)
        assert response.status_code in (200, 422, 429), (path, response.status_code)


async def test_broken_multipart_is_refused_kindly(client: AsyncTestClient) -> None:
    broken = b'--xyz\r\nContent-Disposition: form-data; name="description"\r\n\r\nhalf a part'
    response = await client.post(
        "/report", content=broken, headers={"Content-Type": "multipart/form-data; boundary=xyz"}
    )
    assert response.status_code in (400, 422)


async def test_stored_markup_is_shown_as_text_in_the_staff_view(client: AsyncTestClient) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    await client.post("/report", data=report_fields(description=payload, place="lincoln-hs"))
    report = await Report.objects().order_by(Report.id, ascending=False).first()
    assert report is not None
    await sign_in(client, DISTRICT)
    page = await client.get(f"/staff/cases/{report.public_id}")
    assert page.status_code == 200
    assert payload not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


async def test_a_burst_of_near_identical_reports_is_grouped_in_the_queue(client: AsyncTestClient) -> None:
    from web.cases import casework

    words = "There is a fight planned behind the gym after school today, lots of kids are going"
    for ending in ("", "!!", " tell someone", " please"):
        await client.post("/report", data=report_fields(category="fight", description=words + ending))
    await client.post(
        "/report", data=report_fields(category="bullying", description="Someone is mean to me at lunch.")
    )
    await client.post(
        "/report", data=report_fields(category="fight", description="A fight happened at the bus stop.")
    )
    district = await StaffAccount.objects().where(StaffAccount.email == DISTRICT).first()
    assert district is not None
    rows = await casework.queue(district, casework.QueueFilters())
    burst = [i for i, row in enumerate(rows) if row.burst_size == 4]
    assert len(burst) == 4 and burst == list(range(burst[0], burst[0] + 4))  # together, as one incident
    assert len({rows[i].burst_first for i in burst}) == 1
    assert sum(1 for row in rows if row.burst_size == 1 and row.status == "new") >= 2
    await sign_in(client, DISTRICT)
    assert (await client.get("/staff")).text.count('data-testid="burst"') == 4


async def test_allowed_hosts_and_hsts_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    from web.app import create_app
    from web.settings import load_settings

    monkeypatch.setenv("LANTERN_ALLOWED_HOSTS", "help.example.org")
    monkeypatch.setenv("LANTERN_HSTS", "1")
    load_settings.cache_clear()
    try:
        app = create_app()
        async with AsyncTestClient(app=app, base_url="http://help.example.org") as ours:
            page = await ours.get("/")
            assert page.status_code == 200
            assert page.headers["strict-transport-security"].startswith("max-age=31536000")
        async with AsyncTestClient(app=app, base_url="http://evil.example") as other:
            assert (await other.get("/")).status_code == 400
    finally:
        monkeypatch.undo()
        load_settings.cache_clear()


def test_starting_the_app_prints_no_false_alarm_about_staff_csrf() -> None:
    # The staff forms' CSRF check works (test_every_staff_form_refuses_a_post_without_its_csrf_token);
    # a start-up warning saying it is disabled would only alarm whoever runs the server.
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        create_app()
    assert not [w for w in seen if "CSRFMiddleware" in str(w.message)]
