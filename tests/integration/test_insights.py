"""The Insights dashboards: figures against hand-computed fixtures, small-number suppression, who may
see what, the empty district, and the CSV against the page."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, NORTHGATE_ADMIN, sign_in
from web.cases.categories import BY_KEY
from web.cases.tables import Report, SupportAction
from web.district.tables import School
from web.staff.services import add_staff
from web.staff.tables import AuditEvent, StaffAccount

pytestmark = pytest.mark.anyio

CHICAGO = ZoneInfo("America/Chicago")  # the demo district's time zone
ANALYST = "analyst.insights@demo.lantern.example"
ANALYST_PASSWORD = "quiet harbour lantern"
# February 2025 as the dashboards count it: its four whole ISO weeks, Monday 3 February to Sunday 2 March,
# in the district's time zone.
RANGE = "from=2025-02-03&to=2025-03-02"
SECRET = "Only the case page may show this sentence"


def local(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=CHICAGO).astimezone(UTC)


async def _school_id(slug: str | None) -> int | None:
    if slug is None:
        return None
    school = await School.objects().where(School.slug == slug).first()
    assert school is not None
    return school.id


async def add_report(
    category: str,
    school: str | None,
    created: datetime,
    *,
    ack_after: timedelta | None = None,
    status: str | None = None,
    disposition: str | None = None,
    source: str = "student",
    role: str | None = None,
    life_safety: bool | None = None,
) -> Report:
    known = BY_KEY[category]
    report = Report(
        public_id=uuid.uuid4(),
        kind=known.kind,
        category=category,
        life_safety=known.life_safety if life_safety is None else life_safety,
        place="school" if school else "district",
        school=await _school_id(school),
        reporter_role=role,
        description=SECRET,
        source=source,
        status=status or ("acknowledged" if ack_after is not None else "new"),
        disposition=disposition,
        acknowledged_at=created + ack_after if ack_after is not None else None,
        receipt_hash=uuid.uuid4().hex,
        idempotency_key=uuid.uuid4().hex,
        created_at=created,
        updated_at=created,
    )
    await report.save()
    return report


async def resolved_event(report: Report, at: datetime) -> None:
    await AuditEvent(
        action="case.status",
        case_uuid=report.public_id,
        detail={"before": "in_progress", "after": "resolved", "disposition": report.disposition or ""},
        created_at=at,
    ).save()


def cells(page: str) -> dict[str, str]:
    """Every figure on the page, by section/row/column."""
    found = re.findall(r'data-cell="([^"]+)">([^<]*)<', page)
    return {key: html.unescape(value).strip() for key, value in found}


def csv_cells(text: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "Section id"
    return {f"{r[0]}/{r[2]}/{r[4]}": r[6] for r in rows[1:]}


async def ensure_analyst() -> None:
    if await StaffAccount.count().where(StaffAccount.email == ANALYST) == 0:
        await add_staff(ANALYST, ANALYST_PASSWORD, "analyst", [], "Ana Lyst")


async def seed_fixture() -> dict[str, Report]:
    """A month with known figures (see test_figures_match_the_hand_computed_fixture)."""
    made: dict[str, Report] = {}
    # Week 1 (3-9 Feb): six bullying reports at Lincoln from students, acknowledged after 1 to 5 hours
    # and 30 hours; the last one late on Sunday evening (Monday in UTC), still week 1.
    ack_hours = [1, 2, 3, 4, 5, 30]
    for i, hours in enumerate(ack_hours):
        created = local(9, 2, 23, 30) if i == 5 else local(4 + i, 2, 10)
        made[f"bullying{i}"] = await add_report(
            "bullying", "lincoln-hs", created, ack_after=timedelta(hours=hours), role="student"
        )
    # Week 2 (10-16 Feb): five food requests at Northgate from families on the community page.
    for i in range(5):
        await add_report("food", "northgate-ms", local(11 + i, 2, 9), source="community", role="parent")
    # Week 3 (17-23 Feb): six threats (life-safety) at Riverside, acknowledged after 1, 2, 3, 4, 4.5 and
    # 10 minutes; no role given.
    for i, minutes in enumerate([1, 2, 3, 4, 4.5, 10]):
        made[f"threat{i}"] = await add_report(
            "threat", "riverside-es", local(18 + i % 5, 2, 8, i), ack_after=timedelta(minutes=minutes)
        )
    # Week 4 (24 Feb - 2 Mar): five fights at Lincoln from the kiosk, the last late on Sunday 2 March.
    for i in range(5):
        created = local(2, 3, 23, 30) if i == 4 else local(24 + i, 2, 13)
        made[f"fight{i}"] = await add_report("fight", "lincoln-hs", created, source="kiosk")
    # Outside the dates: one in January, one late on Sunday 2 February (already 3 February in UTC).
    await add_report("bullying", "lincoln-hs", local(15, 1, 12), role="student")
    await add_report("bullying", "lincoln-hs", local(2, 2, 23, 30), role="student")
    # Resolutions: bullying 0-4 resolved (one reopened and resolved again later: the latest counts).
    for i, days in enumerate([10, 2, 3, 4, 5]):
        report = made[f"bullying{i}"]
        disposition = "unfounded" if i == 4 else "resolved"
        await Report.update({Report.status: "resolved", Report.disposition: disposition}).where(
            Report.id == report.id
        )
        report.disposition = disposition
        if i == 0:
            await resolved_event(report, report.created_at + timedelta(days=1))
        await resolved_event(report, report.created_at + timedelta(days=days))
    # A duplicate (resolved by the link, left out of times) and a reopened case (not resolved now).
    await Report.update({Report.status: "resolved", Report.disposition: "duplicate"}).where(
        Report.id == made["fight0"].id
    )
    await Report.update(
        {Report.status: "in_progress", Report.acknowledged_at: made["fight1"].created_at}
    ).where(Report.id == made["fight1"].id)
    await resolved_event(made["fight1"], made["fight1"].created_at + timedelta(hours=1))
    # Support: five check-ins recorded on 10 February with a follow-up on 1 March, not done (overdue
    # now), and one mediation, done.
    for _ in range(5):
        await SupportAction(
            report=made["bullying5"].id,
            kind="check_in",
            follow_up_on=date(2025, 3, 1),
            created_at=local(10, 2, 12),
        ).save()
    await SupportAction(
        report=made["bullying5"].id, kind="mediation", done_at=local(12, 2, 12), created_at=local(12, 2, 12)
    ).save()
    return made


async def test_signed_out_goes_to_sign_in(client: AsyncTestClient) -> None:
    for path in ("/staff/insights", "/staff/insights.csv"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/staff/sign-in?next={path}"


async def test_figures_match_the_hand_computed_fixture(client: AsyncTestClient) -> None:
    await seed_fixture()
    await sign_in(client, DISTRICT)
    response = await client.get(f"/staff/insights?{RANGE}")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    got = cells(response.text)
    expected = {
        # 6 bullying + 6 threats + 5 fights; 5 food requests; 6 life-safety of 22 received.
        "totals/reports/value": "17",
        "totals/help_requests/value": "5",
        "totals/life_safety/value": "6",
        "totals/life_safety_share/value": "27%",
        # Open now, any date: 17 + 5 + 2 outside - 5 resolved bullying - the duplicate = 18.
        "totals/open_now/value": "18",
        # Never acknowledged: 5 food + 3 fights + the 2 outside the dates = 10, all long past 24 hours.
        "totals/late_now/value": "10",
        "totals/overdue/value": "5",
        # Weeks: reports 6, 0, 6, 5 → 0 is hidden, so the smallest other (5) is hidden with it.
        "weeks/2025-02-03/reports": "6",
        "weeks/2025-02-10/reports": "fewer than 5",
        "weeks/2025-02-17/reports": "6",
        "weeks/2025-02-24/reports": "fewer than 5",
        "weeks/2025-02-10/help_requests": "5",
        "categories/bullying/reports": "6",
        "categories/threat/reports": "6",
        "categories/fight/reports": "5",
        "categories/weapon/reports": "fewer than 5",
        "schools/lincoln-hs/reports": "11",
        "schools/riverside-es/reports": "6",
        "schools/riverside-es/life_safety": "6",
        # 6 life-safety of 6 received would tell its hidden requests for help are none: not shown.
        "schools/riverside-es/life_safety_share": "not shown (fewer than 5)",
        "schools/northgate-ms/help_requests": "5",
        "schools/lincoln-hs/life_safety_share": "not shown (fewer than 5)",
        "needs/food/northgate-ms": "5",
        "needs/food/all": "5",
        "needs/food/lincoln-hs": "fewer than 5",
        "reporters/student/reports": "6",
        "reporters/unknown/reports": "6",
        "reporters/kiosk/reports": "5",
        "reporters/parent/help_requests": "5",
        # Life-safety: 1, 2, 3, 4, 4.5, 10 min → median (3rd) 3 min, 90th percentile (6th) 10 min;
        # 5 within 5 minutes and 1 past it, so both are hidden.
        "acknowledge/life_safety/acknowledged": "6",
        "acknowledge/life_safety/median": "3 min",
        "acknowledge/life_safety/p90": "10 min",
        "acknowledge/life_safety/target": "5 min",
        "acknowledge/life_safety/within": "fewer than 5",
        "acknowledge/life_safety/past": "fewer than 5",
        # Others: 1, 2, 3, 4, 5, 30 hours, and the reopened fight (0 s) → 7 values; median (4th) 3 hr,
        # 90th percentile (7th) 30 hr.
        "acknowledge/other/acknowledged": "7",
        "acknowledge/other/median": "3 hr",
        "acknowledge/other/p90": "30 hr",
        "acknowledge/other/target": "24 hr",
        # 6 within a day and 1 past it: the 1 is hidden, and so the 6 as well.
        "acknowledge/other/within": "fewer than 5",
        "acknowledge/other/past": "fewer than 5",
        "acknowledge/other/late": "8",
        # Resolved bullying: 10 (the later of two resolutions), 2, 3, 4, 5 days → median 4, p90 10.
        "resolve/other/resolved": "5",
        "resolve/other/median": "4 days",
        "resolve/other/p90": "10 days",
        "resolve/life_safety/resolved": "fewer than 5",
        "resolve/life_safety/median": "not shown (fewer than 5)",
        "backlog/over_30_days/open": "18",
        "backlog/over_30_days/life_safety": "6",
        "dispositions/open/cases": "16",
        "dispositions/resolved/cases": "fewer than 5",
        "support/check_in/recorded": "5",
        "support/check_in/overdue": "5",
        "support/mediation/recorded": "fewer than 5",
    }
    assert {key: got.get(key) for key in expected} == expected
    # Six threats where there were none could be chance (1 in 729): no notable change is claimed.
    assert 'data-testid="notable-none"' in response.text


async def test_notable_changes_in_plain_words(client: AsyncTestClient) -> None:
    # Lincoln: 2 bullying reports in the 8 weeks before 3 February, then 10 in the 4 weeks to 2 March.
    for day in (10, 20):
        await add_report("bullying", "lincoln-hs", local(day, 1, 12))
    for day in range(10):
        await add_report("bullying", "lincoln-hs", local(4 + 2 * day, 2, 12))
    # Northgate: a steady 1 a week: 8 before and 4 recent, nothing to say.
    for week in range(12):
        await add_report(
            "bullying", "northgate-ms", local(9, 12, 12) + timedelta(weeks=week) - timedelta(days=365)
        )
    # Riverside: 24 drug reports before, none since.
    for day in range(24):
        await add_report(
            "drugs", "riverside-es", local(10, 12, 9) - timedelta(days=365) + timedelta(days=2 * day)
        )
    await sign_in(client, DISTRICT)
    page = html.unescape((await client.get(f"/staff/insights?{RANGE}")).text)
    notes = re.findall(r'data-testid="notable">\s*<strong>([^<]+)</strong>\s*([^<]+)</li>', page)
    # No counts: the windows compared are not the month shown, so their counts set against the month's
    # could single out a few reports.
    assert notes == [
        (
            "Sharp rise:",
            "Bullying or cyberbullying at Lincoln Heights High School, in the last 4 weeks against the 8 weeks "
            "before.",
        ),
        (
            "Sharp fall:",
            "Drugs or alcohol at Riverside Elementary School, in the last 4 weeks against the 8 weeks before.",
        ),
    ]
    assert "less than once in 1,000 times" in page  # the method is on the page


async def test_dates_follow_the_district_time_zone(client: AsyncTestClient) -> None:
    # 23:30 on Sunday 2 February in Chicago is already Monday 3 February in UTC: not in the range.
    for _ in range(5):
        await add_report("bullying", "lincoln-hs", local(2, 2, 23, 30))
    await sign_in(client, DISTRICT)
    got = cells((await client.get(f"/staff/insights?{RANGE}")).text)
    assert got["totals/reports/value"] == "fewer than 5"
    got = cells((await client.get("/staff/insights?from=2025-01-27&to=2025-02-02")).text)
    assert got["totals/reports/value"] == "5" and got["weeks/2025-01-27/reports"] == "5"


async def test_suppression_at_the_boundary(client: AsyncTestClient) -> None:
    for i in range(4):
        await add_report("drugs", "lincoln-hs", local(5 + i, 2, 10))
    await sign_in(client, DISTRICT)
    four = await client.get(f"/staff/insights?{RANGE}")
    assert cells(four.text)["categories/drugs/reports"] == "fewer than 5"
    assert ">4<" not in four.text.replace(" ", "")
    csv_four = await client.get(f"/staff/insights.csv?{RANGE}")
    assert csv_cells(csv_four.text)["categories/drugs/reports"] == "fewer than 5"
    await add_report("drugs", "lincoln-hs", local(10, 2, 10))
    five = await client.get(f"/staff/insights?{RANGE}")
    assert cells(five.text)["categories/drugs/reports"] == "5"
    csv_five = await client.get(f"/staff/insights.csv?{RANGE}")
    assert csv_cells(csv_five.text)["categories/drugs/reports"] == "5"


async def test_a_case_action_shows_at_once(client: AsyncTestClient) -> None:
    """The figures of a view are kept for the minute only while nothing changes: a case action counts."""
    from web.cases import casework

    reports = [
        await add_report("fight", "lincoln-hs", local(5 + i, 2, 10), ack_after=timedelta(hours=1))
        for i in range(5)
    ]
    await sign_in(client, DISTRICT)
    before = cells((await client.get(f"/staff/insights?{RANGE}")).text)
    assert (
        before["dispositions/open/cases"] == "5" and before["dispositions/unfounded/cases"] == "fewer than 5"
    )
    account = await StaffAccount.objects().where(StaffAccount.email == DISTRICT).first()
    assert account is not None
    for report in reports:
        await casework.set_status(account, report, "resolved", "unfounded")
    after = cells((await client.get(f"/staff/insights?{RANGE}")).text)
    assert after["dispositions/open/cases"] == "fewer than 5" and after["dispositions/unfounded/cases"] == "5"
    # Time to resolve reads the audit rows those moves wrote.
    assert after["resolve/other/resolved"] == "5"


async def test_the_csv_matches_the_page(client: AsyncTestClient) -> None:
    await seed_fixture()
    await sign_in(client, DISTRICT)
    query = f"{RANGE}&school=lincoln-hs"
    page = cells((await client.get(f"/staff/insights?{query}")).text)
    response = await client.get(f"/staff/insights.csv?{query}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    exported = csv_cells(response.text)
    assert len(page) > 100
    assert exported == {key: value.replace(",", "") for key, value in page.items()}
    assert exported["totals/reports/value"] == "11"
    assert await AuditEvent.count().where(AuditEvent.action == "insights.exported") >= 1


async def test_analysts_see_figures_but_never_case_content(client: AsyncTestClient) -> None:
    made = await seed_fixture()
    await ensure_analyst()
    await sign_in(client, ANALYST, ANALYST_PASSWORD)
    response = await client.get(f"/staff/insights?{RANGE}")
    assert response.status_code == 200
    assert cells(response.text)["totals/reports/value"] == "17"
    text = response.text + (await client.get(f"/staff/insights.csv?{RANGE}")).text
    assert SECRET not in text
    assert "/staff/cases/" not in text
    assert not any(str(report.public_id) in text for report in made.values())
    assert 'href="/staff/insights"' in response.text  # the console links to it for analysts


async def test_school_admins_see_only_their_schools(client: AsyncTestClient) -> None:
    await seed_fixture()
    await sign_in(client, NORTHGATE_ADMIN)
    own = await client.get(f"/staff/insights?{RANGE}")
    got = cells(own.text)
    assert got["totals/help_requests/value"] == "5"
    assert got["totals/reports/value"] == "fewer than 5"  # Lincoln's and Riverside's reports are not theirs
    assert not any(
        key.startswith(("schools/lincoln-hs", "schools/riverside-es", "schools/none")) for key in got
    )
    assert "Lincoln Heights" not in own.text and "Riverside" not in own.text
    # Asking for another school does not show it: the filter is dropped, and the page says so.
    other = await client.get(f"/staff/insights?{RANGE}&school=lincoln-hs")
    assert other.status_code == 200
    assert "That school is not one you can see" in other.text
    assert cells(other.text) == got
    exported = csv_cells((await client.get(f"/staff/insights.csv?{RANGE}&school=lincoln-hs")).text)
    assert (
        exported["totals/reports/value"] == "fewer than 5" and exported["totals/help_requests/value"] == "5"
    )
    assert not any(key.startswith("schools/lincoln-hs") for key in exported)


async def test_responders_are_refused(client: AsyncTestClient) -> None:
    await sign_in(client, LINCOLN_RESPONDER)
    assert (await client.get("/staff/insights")).status_code == 404
    assert (await client.get("/staff/insights.csv")).status_code == 404
    assert await AuditEvent.count().where(AuditEvent.action == "insights.refused") >= 2
    assert 'href="/staff/insights"' not in (await client.get("/staff")).text


async def test_an_empty_district(client: AsyncTestClient) -> None:
    await sign_in(client, DISTRICT)
    response = await client.get("/staff/insights")
    assert response.status_code == 200
    got = cells(response.text)
    assert got and all(
        value.startswith(("fewer than 5", "not shown", "5 min", "24 hr")) for value in got.values()
    )
    assert 'data-testid="notable-none"' in response.text
    assert 'data-testid="notable"' not in response.text
    exported = csv_cells((await client.get("/staff/insights.csv")).text)
    assert exported.keys() == got.keys()


async def test_page_is_accessible_and_csp_clean(client: AsyncTestClient) -> None:
    await seed_fixture()
    await sign_in(client, DISTRICT)
    page = (await client.get(f"/staff/insights?{RANGE}&category=bullying")).text
    # Every chart is a labelled image, with its words and its table next to it.
    charts = re.findall(r'<svg class="chart"[^>]*aria-labelledby="([^"]+)"[^>]*>', page)
    assert len(charts) >= 8
    for labels in charts:
        for label in labels.split():
            assert f'id="{label}"' in page
    assert page.count('role="img"') == len(charts)
    assert page.count("<figcaption") == len(charts)
    # Nothing inline that the CSP would refuse, and nothing from another host.
    assert "style=" not in page and "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    # Every form control has a label; the form works as a plain GET.
    assert 'method="get"' in page and 'action="/staff/insights"' in page
    for control in re.findall(r'<(?:input|select)[^>]*id="([^"]+)"', page):
        assert f'for="{control}"' in page
    # The chosen filters are kept, in the form and in the CSV link.
    assert 'value="2025-02" selected' in page and 'value="bullying" selected' in page
    assert "/staff/insights.csv?from=2025-02-03&amp;to=2025-03-02&amp;category=bullying" in page


async def test_filters_that_are_not_understood_are_said_so(client: AsyncTestClient) -> None:
    await sign_in(client, DISTRICT)
    response = await client.get("/staff/insights?from=someday&category=nothing")
    assert response.status_code == 200
    assert "A date was not understood" in response.text and "That category is not known" in response.text


async def test_two_periods_a_day_apart_give_the_same_figures(client: AsyncTestClient) -> None:
    """The attack: the figures of 5 to 25 February against those of 5 to 26 February at one school
    differed by exactly one self-harm, life-safety, unacknowledged report. Only whole months of ISO
    weeks can be chosen, so both ask for the same month and show the same figures, in the CSV too."""
    for day in range(3, 25):
        await add_report("bullying", "lincoln-hs", local(day, 2, 10), ack_after=timedelta(hours=2))
    await add_report("self_harm", "lincoln-hs", local(26, 2, 10), life_safety=True)
    await sign_in(client, DISTRICT)
    one, other = "from=2025-02-05&to=2025-02-25", "from=2025-02-05&to=2025-02-26"
    first = csv_cells((await client.get(f"/staff/insights.csv?{one}&school=lincoln-hs")).text)
    second = csv_cells((await client.get(f"/staff/insights.csv?{other}&school=lincoln-hs")).text)
    assert first == second
    # And no day nearby makes a finer period: every choice of dates is a whole month or nothing new.
    shown = set()
    for day in range(1, 29):
        page = (await client.get(f"/staff/insights?to=2025-02-{day:02d}&school=lincoln-hs")).text
        chosen = re.search(r'<option value="(\d{4}-\d{2})" selected', page)
        assert chosen
        shown.add(chosen.group(1))
    assert shown <= {"2025-01", "2025-02"}


async def test_a_month_still_under_way_is_not_shown(client: AsyncTestClient) -> None:
    """Waiting a day is differencing too: the same view today and tomorrow would differ by the reports
    of today. Only months that have ended are shown, so a report made now changes no figure."""
    await sign_in(client, DISTRICT)
    asked = datetime.now(tz=CHICAGO).date().isoformat()
    before = await client.get(f"/staff/insights.csv?to={asked}")
    for _ in range(6):
        await add_report("self_harm", "lincoln-hs", datetime.now(tz=UTC), life_safety=True)
    after = await client.get(f"/staff/insights.csv?to={asked}")
    # Not even in what is open now: that counts the reports up to the end of the month shown.
    assert csv_cells(before.text) == csv_cells(after.text)
    assert (
        "Only months that have ended can be shown" in (await client.get(f"/staff/insights?to={asked}")).text
    )


async def test_where_a_total_is_shown_no_line_has_a_single_hidden_cell(client: AsyncTestClient) -> None:
    """Complementary suppression: a line whose total is shown (the weeks against the month's total, a
    need across schools against its "All") never hides only one cell, so none can be worked out."""
    for week in range(4):
        for i in range(2 if week == 1 else 6):
            await add_report("bullying", "lincoln-hs", local(3 + 7 * week, 2, 9 + i))
    for i in range(7):
        await add_report("food", "lincoln-hs", local(4, 2, 9 + i))
    for i in range(2):
        await add_report("food", "northgate-ms", local(5, 2, 9 + i))
    await sign_in(client, DISTRICT)
    got = csv_cells((await client.get(f"/staff/insights.csv?{RANGE}")).text)
    assert got["totals/reports/value"] == "20"
    weeks = [v for k, v in got.items() if k.startswith("weeks/") and k.endswith("/reports")]
    assert weeks.count("fewer than 5") == 2, weeks  # the week of 2 and the next smallest
    food = [v for k, v in got.items() if k.startswith("needs/food/")]
    assert food.count("fewer than 5") != 1 and got["needs/food/all"] in ("9", "fewer than 5")
    for line in ("weeks", "categories", "schools", "reporters", "dispositions", "support", "backlog"):
        for column in {k.rsplit("/", 1)[1] for k in got if k.startswith(line + "/")}:
            values = [v for k, v in got.items() if k.startswith(line + "/") and k.endswith("/" + column)]
            assert values.count("fewer than 5") != 1, (line, column, values)


async def test_a_filtered_view_never_shows_a_cell_the_whole_view_hides(client: AsyncTestClient) -> None:
    """Totals minus parts across views: the district's table of schools hides Northgate's 2 threat
    reports and, to protect them, the next smallest school; a view of that school alone must not show
    its figure, or the district's total minus the shown schools gives Northgate's 2 back."""
    for school, n in (("lincoln-hs", 9), ("riverside-es", 6), ("northgate-ms", 2), (None, 7)):
        for i in range(n):
            await add_report("threat", school, local(4 + i, 2, 10))
    await sign_in(client, DISTRICT)
    whole = csv_cells((await client.get(f"/staff/insights.csv?{RANGE}&category=threat")).text)
    assert whole["totals/reports/value"] == "24" and whole["schools/northgate-ms/reports"] == "fewer than 5"
    assert whole["schools/riverside-es/reports"] == "fewer than 5", "the complement of Northgate's cell"
    for slug in ("riverside-es", "northgate-ms"):
        alone = csv_cells(
            (await client.get(f"/staff/insights.csv?{RANGE}&category=threat&school={slug}")).text
        )
        assert alone["totals/reports/value"] == "fewer than 5", slug
        assert alone["categories/threat/reports"] == "fewer than 5", slug
    lincoln = csv_cells(
        (await client.get(f"/staff/insights.csv?{RANGE}&category=threat&school=lincoln-hs")).text
    )
    assert lincoln["totals/reports/value"] == "9"
    by_school = csv_cells((await client.get(f"/staff/insights.csv?{RANGE}&school=riverside-es")).text)
    assert by_school["categories/threat/reports"] == "fewer than 5"
