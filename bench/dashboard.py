"""Insights dashboard render time with 50,000 reports on the embedded default (SQLite).

Makes a throwaway data directory (LANTERN_DATA_DIR is set before any Lantern module is imported),
seeds the demo district plus 17 more schools, then 50,000 reports spread over the last 365 days with
realistic shapes: descriptions of 40 to 1,200 characters, concerns and help requests in every category,
life-safety ones, every source and reporter role, statuses and dispositions, acknowledgement times,
"case.status" audit events as the workflow writes them (work started, resolved, closed: what
time-to-resolve reads), other audit rows (created, viewed), and support actions with follow-up dates.
Then it signs in as the demo district admin through the real form and times whole requests in-process
(Litestar's test client: routing, the staff guard and session check, the queries, the template; no
network), RUNS times each after a warm-up:

- the default view (the last 12 weeks, about 11,500 of the reports),
- the whole year (every report in the date range), the slowest,
- one school and one category over the year,
- the CSV export of the whole year,

each counted afresh (the figures cache emptied before every request), and then the whole year again as
a reload within the same minute with nothing changed (the cached figures).

Prints p50, p95 and max, and writes the `# Insights dashboard` section of bench/results.md (the rest of
the file is kept). Target (issue 10): the dashboard renders in ≤ 300 ms with 50,000 reports on SQLite;
verdicts are given on the p95 of the default view and of the whole year, both counted afresh. The
machine's load average is printed with them: the server and whatever else runs share its cores.

Run with `uv run --frozen python bench/dashboard.py`.
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = tempfile.mkdtemp(prefix="lantern-bench-insights-")
os.environ["LANTERN_DATA_DIR"] = DATA_DIR
os.environ["PICCOLO_CONF"] = "web.piccolo_conf"
os.environ.pop("DATABASE_URL", None)

from bench.pages import write_section  # noqa: E402

REPORTS = 50_000
RUNS = 20
TARGET_MS = 300.0
EXTRA_SCHOOLS = 17
BATCH = 500
SECTION = "# Insights dashboard"
EMAIL = "district@demo.lantern.example"
PASSWORD = "lantern-demo-2026"  # noqa: S105 - the published demo password
TOKEN = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')


DESCRIPTION = "Benchmark report: someone keeps pushing a student at the lockers after lunch. " * 20


def status_event(staff_id: int, case: uuid.UUID, before: str, after: str, at: datetime) -> Any:
    """A "case.status" audit row, as casework.set_status writes it (time to resolve reads these)."""
    from web.staff.tables import AuditEvent

    return AuditEvent(
        staff=staff_id,
        action="case.status",
        case_uuid=case,
        detail={"before": before, "after": after},
        created_at=at,
    )


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    index = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


async def seed(now: datetime) -> dict[str, int]:
    """The demo district, more schools, and REPORTS reports with their audit events and support."""
    from web.cases.categories import CATEGORIES
    from web.cases.tables import Report, SupportAction
    from web.cases.workflow import SUPPORT_KINDS
    from web.demo.seed import seed_demo
    from web.district.tables import District, School
    from web.staff.tables import AuditEvent, StaffAccount

    await seed_demo()
    district = await District.objects().first()
    assert district is not None
    for number in range(EXTRA_SCHOOLS):
        await School(
            district=district.id,
            slug=f"school-{number:02d}",
            name=f"Bench School {number:02d}",
            sort_order=10 + number,
        ).save()
    school_ids = [row["id"] for row in await School.select(School.id)]
    staff = await StaffAccount.objects().where(StaffAccount.email == EMAIL).first()
    assert staff is not None
    rng = random.Random(10)
    weights = [12 if c.key == "bullying" else 3 if c.life_safety else 5 for c in CATEGORIES]
    kinds = list(SUPPORT_KINDS)
    counts = {"reports": 0, "audit": 0, "support": 0}
    started = time.perf_counter()
    for first in range(0, REPORTS, BATCH):
        reports, audit, support = [], [], []
        for _ in range(min(BATCH, REPORTS - first)):
            category = rng.choices(CATEGORIES, weights)[0]
            created = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
            age = now - created
            life_safety = category.life_safety or rng.random() < 0.03
            source = rng.choices(["student", "community", "kiosk"], [80, 15, 5])[0]
            role = rng.choice([None, "student", "student", "parent", "community", "staff"])
            public_id = uuid.uuid4()
            acknowledged = None
            if age > timedelta(hours=2) or rng.random() < 0.6:
                delay = rng.lognormvariate(5.0, 1.0) if life_safety else rng.lognormvariate(9.5, 1.2)
                if created + timedelta(seconds=delay) < now:
                    acknowledged = created + timedelta(seconds=delay)
            status, disposition = "new", None
            if acknowledged is not None:
                status = rng.choice(["acknowledged", "in_progress", "waiting"])
                resolve_after = timedelta(seconds=rng.lognormvariate(12.3, 1.0))
                if status != "acknowledged" or acknowledged + resolve_after < now:
                    # Work started: a status move, as casework.set_status records it.
                    audit.append(
                        status_event(staff.id, public_id, "acknowledged", "in_progress", acknowledged)
                    )
                if acknowledged + resolve_after < now and rng.random() < 0.9:
                    status = rng.choice(["resolved", "resolved", "closed"])
                    disposition = rng.choices(
                        [
                            "resolved",
                            "referred_partner",
                            "referred_police",
                            "unfounded",
                            "prank",
                            "duplicate",
                        ],
                        [60, 15, 3, 12, 4, 6],
                    )[0]
                    resolved_at = acknowledged + resolve_after
                    audit.append(status_event(staff.id, public_id, "in_progress", "resolved", resolved_at))
                    if status == "closed":
                        closed_at = min(now, resolved_at + timedelta(days=rng.uniform(0, 14)))
                        audit.append(status_event(staff.id, public_id, "resolved", "closed", closed_at))
            audit.append(
                AuditEvent(
                    action="case.created", case_uuid=public_id, detail={"source": source}, created_at=created
                )
            )
            if acknowledged is not None:
                audit.append(
                    AuditEvent(
                        staff=staff.id,
                        action="case.viewed",
                        case_uuid=public_id,
                        detail={},
                        created_at=acknowledged,
                    )
                )
            report = Report(
                public_id=public_id, kind=category.kind, category=category.key, life_safety=life_safety,
                danger_now=life_safety and not category.life_safety, place="school",
                school=rng.choice(school_ids) if rng.random() < 0.95 else None,
                reporter_role=role, description=DESCRIPTION[: rng.randint(40, 1200)], source=source, status=status,
                disposition=disposition, acknowledged_at=acknowledged, receipt_hash=uuid.uuid4().hex,
                idempotency_key=uuid.uuid4().hex, created_at=created, updated_at=acknowledged or created,
            )  # fmt: skip
            if report.school is None:
                report.place = rng.choice(["district", "event", "unsure"])
            reports.append(report)
        await Report.insert(*reports)
        ids = [
            row["id"]
            for row in await Report.select(Report.id).order_by(Report.id, ascending=False).limit(len(reports))
        ]
        for report_id in ids:
            if rng.random() < 0.2:
                follow_up = (now + timedelta(days=rng.randint(-40, 20))).date()
                support.append(
                    SupportAction(
                        report=report_id,
                        kind=rng.choice(kinds),
                        details="",
                        owner=staff.id,
                        follow_up_on=follow_up if rng.random() < 0.7 else None,
                        done_at=now if rng.random() < 0.6 else None,
                        created_by=staff.id,
                        created_at=now - timedelta(days=rng.uniform(0, 365)),
                    )
                )
        if support:
            await SupportAction.insert(*support)
        await AuditEvent.insert(*audit)
        counts["reports"] += len(reports)
        counts["audit"] += len(audit)
        counts["support"] += len(support)
    counts["seconds"] = round(time.perf_counter() - started)
    return counts


async def timed(client: Any, url: str, *, cold: bool, runs: int = RUNS) -> list[float]:
    """Milliseconds per whole request; `cold` empties the figures cache before each one, so every run
    counts afresh (the figure the target is about)."""
    from web.insights import queries

    response = await client.get(url)  # warm-up (templates compiled, connections made)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    samples = []
    for _ in range(runs):
        if cold:
            queries.clear_cache()
        started = time.perf_counter()
        response = await client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return sorted(samples)


async def measure() -> tuple[dict[str, int], list[tuple[str, str, list[float]]]]:
    from litestar.testing import AsyncTestClient

    from web.app import create_app

    now = datetime.now(tz=UTC)
    async with AsyncTestClient(app=create_app()) as client:
        counts = await seed(now)
        page = await client.get("/staff/sign-in")
        match = TOKEN.search(page.text)
        if not match:
            raise RuntimeError("no CSRF token on /staff/sign-in")
        response = await client.post(
            "/staff/sign-in",
            data={"email": EMAIL, "password": PASSWORD, "next": "/staff", "_csrf_token": match.group(1)},
            follow_redirects=False,
        )
        if response.status_code != 303:
            raise RuntimeError(f"sign-in failed: HTTP {response.status_code}")
        year = f"from={(now - timedelta(days=364)).date().isoformat()}&to={now.date().isoformat()}"
        views = [
            ("default view (the last whole month), counted afresh", "/staff/insights", True),
            ("a month asked by an end date (older links), counted afresh", f"/staff/insights?{year}", True),
            (
                "that month, one school and one category, counted afresh",
                f"/staff/insights?{year}&school=lincoln-hs&category=bullying",
                True,
            ),
            ("CSV export of that month, counted afresh", f"/staff/insights.csv?{year}", True),
            (
                "that month again within the minute, nothing changed (cached figures)",
                f"/staff/insights?{year}",
                False,
            ),
        ]
        results = [(label, url, await timed(client, url, cold=cold)) for label, url, cold in views]
    return counts, results


def main() -> int:
    try:
        counts, results = asyncio.run(measure())
    finally:
        shutil.rmtree(DATA_DIR, ignore_errors=True)
    table = ["| view | runs | p50 | p95 | max |", "|---|---|---|---|---|"]
    for label, url, samples in results:
        table.append(
            f"| {label} (`{url.split('?')[0]}`) | {len(samples)} | {statistics.median(samples):.0f} ms | "
            f"{percentile(samples, 0.95):.0f} ms | {samples[-1]:.0f} ms |"
        )
    verdicts = []
    for label, _url, samples in results[:2]:
        p95 = percentile(samples, 0.95)
        verdicts.append(f"{label}: p95 {p95:.0f} ms, {'ok' if p95 <= TARGET_MS else 'OVER'}")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, load average {load} at the end, Python {platform.python_version()}) by "
        "`uv run --frozen python bench/dashboard.py`.",
        "",
        f"{counts['reports']:,} reports over the last 365 days in 20 schools (the demo district's 3 and "
        f"{EXTRA_SCHOOLS} more) on the embedded SQLite default, with {counts['audit']:,} audit events and "
        f"{counts['support']:,} support actions (seeded in {counts['seconds']} s). Whole `GET` requests as "
        f"the district admin, in-process (Litestar's test client: guard, session, queries, template; no "
        f"network), {RUNS} runs each after a warm-up.",
        "",
        *table,
        "",
        f"Target: the dashboard renders in ≤ {TARGET_MS:.0f} ms with 50,000 reports. "
        + "; ".join(verdicts)
        + ".",
    ]
    text = "\n".join(lines) + "\n"
    write_section(SECTION, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
