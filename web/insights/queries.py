"""The Insights figures, counted by the database through Piccolo's raw SQL, written once for SQLite and
PostgreSQL.

Only counts and durations leave the database, never a row of a report. The two engines differ in their
date functions, so the few engine-specific pieces (a timestamp as epoch seconds, rounding down, reading
a JSON field, joining numbers into one text) come from `_Dialect`; everything else is the same SQL.
Values are always bound parameters (`{}` placeholders), never pasted into the text.

Shaped for SQLite, the slower of the two at this. SQLite groups by sorting (it has no hash
aggregation), so each GROUP BY follows the column order of an index made for it (the cases migration
of 2026-11-29T14:46: covering, grouping columns first): rows arrive already grouped, and the narrow
index is read instead of whole report rows. The open backlog is one row of conditional sums;
durations come back as one comma-separated text for Python to sort and pick percentiles from (cheaper
than SQLite's window functions). The queries only read, so they run side by side, each on its own
connection. Without those indexes every figure is the same, only slower.

How each figure is counted:

- A report belongs to the period when it was created in it (days in the district's time zone).
- Weeks are seven-day blocks counted from the start date, from local midnight to local midnight
  (daylight saving included, so a report late on a Sunday evening is not put in the next week).
- Time to acknowledge: `acknowledged_at - created_at` (acknowledging, or any status move, sets it).
- Time to resolve: from the report to the latest move to "Resolved" in the audit log, for reports that
  are resolved or closed now. The audit log is the truthful source: `updated_at` moves with every later
  action (an assignment, a message, closing), and `status` does not say when. Reports linked as
  duplicates are resolved by the link, not by work, so they are left out of both times (the first
  report of the incident carries them).
- The open backlog and overdue follow-ups are as of now, for the reports made up to the end of the month
  shown (a report made since cannot show in them before its own month has ended).
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.engine.sqlite import SQLiteEngine

from web.cases import workflow
from web.cases.tables import Report
from web.district.tables import School
from web.insights.aggregates import (
    BASELINE_WEEKS,
    ESCALATION_TARGETS,
    NO_TIMES,
    RECENT_WEEKS,
    Filters,
    Times,
    local_midnight,
    times_from,
    week_bounds,
)
from web.staff import access
from web.staff.tables import StaffAccount

# Who may see the dashboards (the staff navigation links to them for the same roles): district admins
# and analysts the whole district, school admins their own schools. Responders work single cases and
# have no use for district figures, so they are refused (as with the audit log), which also keeps
# small-school figures among fewer people.
DISTRICT_WIDE_ROLES = ("district_admin", "analyst")

# Reporter groups: the kiosk first (whoever used it), then the role the reporter gave.
REPORTER_GROUPS = ("student", "parent", "community", "staff", "kiosk", "unknown")
RESOLVED_STATUSES = ("resolved", "closed")
# Open cases by age: under a day, up to a week, up to 30 days, older.
AGE_BUCKETS = (timedelta(days=1), timedelta(days=7), timedelta(days=30))


@dataclass(frozen=True)
class Scope:
    """Which reports a staff member's dashboards count: every one, or those of some schools."""

    all_schools: bool
    school_ids: tuple[int, ...] = ()


async def scope_for(account: StaffAccount) -> Scope | None:
    """None: this staff member may not see the dashboards."""
    if account.role in DISTRICT_WIDE_ROLES:
        return Scope(all_schools=True)
    if account.role == "school_admin":
        return Scope(all_schools=False, school_ids=tuple(await access.school_ids(account)))
    return None


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    slug: str
    name: str


async def schools_in(scope: Scope) -> list[SchoolInfo]:
    """The schools a scope covers (inactive ones too: their reports still count), in the usual order."""
    query = School.select(School.id, School.slug, School.name).order_by(School.sort_order, School.name)
    if not scope.all_schools:
        query = query.where(School.id.is_in(list(scope.school_ids) or [-1]))
    return [SchoolInfo(row["id"], row["slug"], row["name"]) for row in await query]


# --- SQL pieces -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sql:
    """A piece of SQL and the values for its `{}` placeholders, in order."""

    text: str
    args: tuple[Any, ...] = ()


_SLOT = re.compile(r"<<(\w+)>>")


def sql(template: str, **parts: Sql | str) -> Sql:
    """Fill <<name>> slots left to right, so the placeholders' values stay in the order of the text."""
    if "{}" in template:
        raise ValueError("bind values through Sql parts, not placeholders in a template")
    text: list[str] = []
    args: list[Any] = []
    position = 0
    for match in _SLOT.finditer(template):
        text.append(template[position : match.start()])
        part = parts[match.group(1)]
        part = part if isinstance(part, Sql) else Sql(part)
        text.append(part.text)
        args.extend(part.args)
        position = match.end()
    text.append(template[position:])
    return Sql("".join(text), tuple(args))


def value(bound: Any) -> Sql:
    return Sql("{}", (bound,))


def number(bound: float) -> Sql:
    """A number both engines read as a double (asyncpg needs to know the parameter's type)."""
    return Sql("CAST({} AS DOUBLE PRECISION)", (float(bound),))


def one_of(column: str, values: tuple[Any, ...] | list[Any]) -> Sql:
    if not values:
        return Sql("1 = 0")
    return Sql(f"{column} IN ({', '.join('{}' for _ in values)})", tuple(values))


def all_of(*conditions: Sql) -> Sql:
    parts = [c for c in conditions if c.text]
    if not parts:
        return Sql("1 = 1")
    return Sql(" AND ".join(f"({c.text})" for c in parts), tuple(a for c in parts for a in c.args))


class _Dialect:
    def __init__(self) -> None:
        self.sqlite = isinstance(Report._meta.db, SQLiteEngine)

    def epoch(self, expression: str) -> str:
        """A timestamp as seconds since 1970 (a double)."""
        if self.sqlite:
            return f"((julianday({expression}) - 2440587.5) * 86400.0)"
        return f"CAST(EXTRACT(EPOCH FROM {expression}) AS DOUBLE PRECISION)"

    def seconds(self, later: str, earlier: str) -> str:
        """Whole seconds from one timestamp to another (short to send back, exact enough to show)."""
        if self.sqlite:
            return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400.0) AS INTEGER)"
        return f"CAST(ROUND({self.epoch(later)} - {self.epoch(earlier)}) AS INTEGER)"

    def unindexed(self, column: str) -> str:
        """A column SQLite's planner must not pick an index for (its unary plus); as is for PostgreSQL."""
        return f"+{column}" if self.sqlite else column

    def concat(self, expression: str) -> str:
        """Every non-null value of a number, as one comma-separated text (one row, no sorting)."""
        if self.sqlite:
            return f"group_concat({expression}, ',')"
        return f"string_agg(CAST({expression} AS TEXT), ',')"

    def json_text(self, column: str, key: str) -> str:
        if self.sqlite:
            return f"json_extract({column}, '$.{key}')"
        return f"({column} ->> '{key}')"


LIFE_SAFETY = "CASE WHEN r.life_safety THEN 1 ELSE 0 END"
NOT_DUPLICATE = "(r.disposition IS NULL OR r.disposition <> 'duplicate')"
KINDS = ("concern", "need")


def _where(
    scope: Scope,
    filters: Filters,
    school_id: int | None,
    since: datetime | None,
    until: datetime | None,
    created_at: str = "r.created_at",
) -> Sql:
    """Which reports (alias r) count: the scope, the school and category chosen, and the dates.
    `created_at` may be `_Dialect.unindexed("r.created_at")`, for queries that should read an index
    in its grouping order rather than a date range of another."""
    return all_of(
        Sql("") if scope.all_schools else one_of("r.school", list(scope.school_ids)),
        sql("r.school = <<id>>", id=value(school_id)) if school_id is not None else Sql(""),
        sql("r.category = <<c>>", c=value(filters.category)) if filters.category else Sql(""),
        sql("<<column>> >= <<since>>", column=created_at, since=value(since)) if since else Sql(""),
        sql("<<column>> < <<until>>", column=created_at, until=value(until)) if until else Sql(""),
    )


async def _rows(query: Sql) -> list[dict[str, Any]]:
    return await Report.raw(query.text, *query.args)


def _values(text: str | None) -> list[float]:
    """The numbers of a `_Dialect.concat` column."""
    return [float(part) for part in text.split(",")] if text else []


# --- The figures --------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Everything the dashboards show, as raw numbers (suppression happens when they are laid out)."""

    filters: Filters
    scope: Scope
    schools: list[SchoolInfo]
    now: datetime
    today: date
    # (category, kind, school id or None) → (reports, life-safety reports) in the period
    by_category_school: dict[tuple[str, str, int | None], tuple[int, int]] = field(default_factory=dict)
    # (week index, kind) → reports
    weekly: dict[tuple[int, str], int] = field(default_factory=dict)
    # "concern", "need", "life_safety" → reports in the period
    totals: dict[str, int] = field(default_factory=dict)
    # (reporter group, kind) → reports in the period
    reporters: dict[tuple[str, str], int] = field(default_factory=dict)
    # a disposition key, "none" (resolved without one) or "open" → reports in the period, as they stand
    dispositions: dict[str, int] = field(default_factory=dict)
    # life-safety 1/0 → reports of the period never acknowledged and past their target now
    late: dict[int, int] = field(default_factory=dict)
    # life-safety 1/0 → times
    acknowledge: dict[int, Times] = field(default_factory=dict)
    resolve: dict[int, Times] = field(default_factory=dict)
    # (life-safety 0/1, age bucket 0..3) → open cases now; and how many are past the target unacknowledged
    backlog: dict[tuple[int, int], int] = field(default_factory=dict)
    backlog_late: int = 0
    backlog_age: Times = NO_TIMES
    # support kind → (recorded in the period, follow-ups overdue now)
    support: dict[str, tuple[int, int]] = field(default_factory=dict)
    # The same as by_category_school for the whole scope, whatever school and category are chosen: every
    # view's suppression follows this one grid (web/insights/dashboard.py, Grid).
    grid: dict[tuple[str, str, int | None], tuple[int, int]] = field(default_factory=dict)
    # (school id or None, category) → (recent weeks, the weeks before)
    notable: dict[tuple[int | None, str], tuple[int, int]] = field(default_factory=dict)
    recent_start: date | None = None
    baseline_start: date | None = None


# Recently counted figures, so the CSV after the page, a reload or printing answer at once. An entry is
# used only while nothing has changed (every case action writes an audit row; reports and support
# actions are counted too) and only within the same minute (open cases age, follow-ups fall due).
CACHE_SIZE = 32
_cache: OrderedDict[tuple[Any, ...], Figures] = OrderedDict()


async def _fingerprint() -> tuple[Any, ...]:
    rows = await _rows(
        Sql(
            "SELECT (SELECT MAX(id) FROM audit_event) AS a, (SELECT MAX(id) FROM report) AS r, "
            "(SELECT COUNT(*) FROM report) AS n, (SELECT MAX(id) FROM support_action) AS s, "
            "(SELECT COUNT(*) FROM support_action) AS sn"
        )
    )
    return tuple(rows[0].values())


async def figures_for(scope: Scope, filters: Filters, zone: ZoneInfo, now: datetime | None = None) -> Figures:
    """The figures, counted afresh unless the same ones were counted this minute with nothing changed."""
    now = now or datetime.now(tz=UTC)
    key = (scope, filters, zone.key, now.replace(second=0, microsecond=0), await _fingerprint())
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return replace(cached, schools=await schools_in(scope))
    figures = await collect(scope, filters, zone, now)
    _cache[key] = figures
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return figures


def clear_cache() -> None:
    _cache.clear()


async def collect(scope: Scope, filters: Filters, zone: ZoneInfo, now: datetime | None = None) -> Figures:
    """Run the queries (side by side: they only read, each on its own connection) and gather them."""
    now = now or datetime.now(tz=UTC)
    today = now.astimezone(zone).date()
    schools = await schools_in(scope)
    school_id = next((s.id for s in schools if s.slug == filters.school), None) if filters.school else None
    since, until = local_midnight(filters.start, zone), local_midnight(filters.end + timedelta(days=1), zone)
    in_period = _where(scope, filters, school_id, since, until)
    any_time = _where(scope, filters, school_id, None, None)
    recent_start = filters.end - timedelta(weeks=RECENT_WEEKS) + timedelta(days=1)
    baseline_start = recent_start - timedelta(weeks=BASELINE_WEEKS)
    recent_since, baseline_since = local_midnight(recent_start, zone), local_midnight(baseline_start, zone)
    dialect = _Dialect()
    figures = Figures(
        filters, scope, schools, now, today, recent_start=recent_start, baseline_start=baseline_start
    )
    # Categories per school in the period and the notable-change windows come from one scan.
    # Grouped queries read their own index in order: the date range must not steer SQLite elsewhere.
    grouped = dialect.unindexed("r.created_at")
    wide = _where(scope, filters, school_id, min(since, baseline_since), until, grouped)
    by_category_school = asyncio.ensure_future(_by_category_school(wide, since, recent_since, baseline_since))
    whole_scope = _where(scope, replace(filters, school="", category=""), None, since, until, grouped)
    filtered = bool(filters.school or filters.category)
    grid = asyncio.ensure_future(
        _by_category_school(whole_scope, since, recent_since, baseline_since)
        if filtered
        else by_category_school
    )
    weekly = asyncio.ensure_future(_weekly(any_time, filters, zone))
    facts = asyncio.ensure_future(_facts(figures, _where(scope, filters, school_id, since, until, grouped)))
    acknowledge = asyncio.ensure_future(_acknowledge(dialect, in_period))
    resolve = asyncio.ensure_future(_resolve(dialect, in_period, since))
    to_period_end = _where(scope, filters, school_id, None, until)
    backlog = asyncio.ensure_future(_backlog(figures, dialect, to_period_end))
    support = asyncio.ensure_future(_support(scope, filters, school_id, since, until, today))
    await asyncio.gather(by_category_school, grid, weekly, facts, acknowledge, resolve, backlog, support)
    figures.by_category_school, figures.notable = by_category_school.result()
    figures.grid = grid.result()[0]
    figures.weekly = weekly.result()
    figures.acknowledge = acknowledge.result()
    figures.resolve = resolve.result()
    figures.support = support.result()
    return figures


async def _by_category_school(
    where: Sql, since: datetime, recent_since: datetime, baseline_since: datetime
) -> tuple[dict[tuple[str, str, int | None], tuple[int, int]], dict[tuple[int | None, str], tuple[int, int]]]:
    """Per category and school: reports and life-safety reports in the period, and the counts of the
    notable-change windows (the recent weeks, and the weeks before them). `where` covers both."""
    query = sql(
        "SELECT r.school AS school, r.category AS category, MIN(r.kind) AS kind, "
        "SUM(CASE WHEN r.created_at >= <<since>> THEN 1 ELSE 0 END) AS n, "
        "SUM(CASE WHEN r.created_at >= <<since_ls>> AND r.life_safety THEN 1 ELSE 0 END) AS ls, "
        "SUM(CASE WHEN r.created_at >= <<recent>> THEN 1 ELSE 0 END) AS recent, "
        "SUM(CASE WHEN r.created_at >= <<baseline>> AND r.created_at < <<recent_end>> THEN 1 ELSE 0 END) AS earlier "
        "FROM report r WHERE <<where>> GROUP BY r.school, r.category",
        since=value(since),
        since_ls=value(since),
        recent=value(recent_since),
        baseline=value(baseline_since),
        recent_end=value(recent_since),
        where=where,
    )
    counts: dict[tuple[str, str, int | None], tuple[int, int]] = {}
    windows: dict[tuple[int | None, str], tuple[int, int]] = {}
    for row in await _rows(query):
        if row["n"]:
            counts[(row["category"], row["kind"], row["school"])] = (int(row["n"]), int(row["ls"] or 0))
        if row["recent"] or row["earlier"]:
            windows[(row["school"], row["category"])] = (int(row["recent"] or 0), int(row["earlier"] or 0))
    return counts, windows


async def _weekly(where: Sql, filters: Filters, zone: ZoneInfo) -> dict[tuple[int, str], int]:
    """Reports per week and kind: one count per week between its exact bounds (local midnights), each a
    range of the report_insights_time index, so nothing is sorted or converted row by row."""
    bounds = week_bounds(filters.weeks(), filters.end, zone)
    parts = {
        f"w{i}": sql(
            "(SELECT CAST(COUNT(*) AS TEXT) || ',' || CAST(COALESCE(SUM(CASE WHEN r.kind = 'need' THEN 1 ELSE 0 END), 0) "
            "AS TEXT) FROM report r WHERE <<where>> AND r.created_at >= <<since>> AND r.created_at < <<until>>)",
            where=where,
            since=value(bounds[i]),
            until=value(bounds[i + 1]),
        )
        for i in range(len(bounds) - 1)
    }
    query = sql("SELECT " + ", ".join(f"<<{name}>> AS {name}" for name in parts), **parts)
    row = (await _rows(query))[0]
    weekly: dict[tuple[int, str], int] = {}
    for i in range(len(parts)):
        n, needs = (int(float(v)) for v in str(row[f"w{i}"]).split(","))
        weekly[(i, "need")] = needs
        weekly[(i, "concern")] = n - needs
    return weekly


def _late(now: datetime) -> dict[int, Sql]:
    """Still new (never acknowledged) and older than its acknowledgement target, per life-safety 1/0."""
    return {
        1: sql(
            "r.status = 'new' AND r.life_safety AND r.created_at < <<cutoff>>",
            cutoff=value(now - ESCALATION_TARGETS["life_safety"]),
        ),
        0: sql(
            "r.status = 'new' AND NOT r.life_safety AND r.created_at < <<cutoff>>",
            cutoff=value(now - ESCALATION_TARGETS["other"]),
        ),
    }


def reporter_group(source: str | None, role: str | None) -> str:
    """The kiosk counts on its own, whoever used it; otherwise the role the reporter chose, if any."""
    if source == "kiosk":
        return "kiosk"
    return role if role in REPORTER_GROUPS and role not in ("kiosk", "unknown") else "unknown"


def disposition_group(status: str, disposition: str | None) -> str:
    """How a report stands: "open", its disposition, or "none" (resolved without a known one)."""
    if status in workflow.OPEN_STATUSES:
        return "open"
    if disposition in workflow.DISPOSITIONS:
        return str(disposition)
    return "none"


async def _facts(figures: Figures, where: Sql) -> None:
    """Totals, reporter groups, dispositions and late acknowledgements of the period. Grouped on the
    plain columns in the order of the report_insights_status index, so SQLite reads them already
    grouped; merged here in Python."""
    late = _late(figures.now)
    query = sql(
        "SELECT r.status AS status, r.disposition AS disposition, r.source AS source, "
        "r.reporter_role AS role, r.kind AS kind, r.life_safety AS ls, COUNT(*) AS n, "
        "SUM(CASE WHEN (<<late_ls>>) OR (<<late_other>>) THEN 1 ELSE 0 END) AS late "
        "FROM report r WHERE <<where>> "
        "GROUP BY r.status, r.disposition, r.source, r.reporter_role, r.kind, r.life_safety",
        late_ls=late[1],
        late_other=late[0],
        where=where,
    )
    totals: dict[str, int] = defaultdict(int)
    reporters: dict[tuple[str, str], int] = defaultdict(int)
    dispositions: dict[str, int] = defaultdict(int)
    late_counts: dict[int, int] = defaultdict(int)
    for row in await _rows(query):
        n, life_safety = int(row["n"]), int(row["ls"])
        totals[row["kind"]] += n
        if life_safety:
            totals["life_safety"] += n
        reporters[(reporter_group(row["source"], row["role"]), row["kind"])] += n
        dispositions[disposition_group(row["status"], row["disposition"])] += n
        late_counts[life_safety] += int(row["late"] or 0)
    figures.totals, figures.reporters = dict(totals), dict(reporters)
    figures.dispositions, figures.late = dict(dispositions), dict(late_counts)


async def _acknowledge(dialect: _Dialect, where: Sql) -> dict[int, Times]:
    """Acknowledgement times per group, as one row of values; the ranks are picked in Python (a sort
    there is cheaper than SQLite's window functions, and the same for both engines)."""
    query = sql(
        "SELECT <<ls>> AS ls, <<other>> AS other FROM (SELECT <<group>> AS g, <<took>> "
        "AS secs FROM report r WHERE <<where>> AND r.acknowledged_at IS NOT NULL AND <<not_duplicate>>) t",
        ls=dialect.concat("CASE WHEN g = 1 THEN secs END"),
        other=dialect.concat("CASE WHEN g = 0 THEN secs END"),
        group=LIFE_SAFETY,
        took=dialect.seconds("r.acknowledged_at", "r.created_at"),
        where=where,
        not_duplicate=NOT_DUPLICATE,
    )
    row = (await _rows(query))[0]
    return {
        1: times_from(_values(row["ls"]), ESCALATION_TARGETS["life_safety"].total_seconds()),
        0: times_from(_values(row["other"]), ESCALATION_TARGETS["other"].total_seconds()),
    }


async def _resolve(dialect: _Dialect, where: Sql, since: datetime) -> dict[int, Times]:
    """From the report to its latest move to Resolved (the audit log), for reports resolved or closed now.
    Grouped per case, the order of the audit_event_resolved index, so no sorting is needed."""
    query = sql(
        "SELECT <<ls>> AS ls, <<other>> AS other FROM ("
        "SELECT MAX(<<group>>) AS g, <<took>> AS secs "
        "FROM report r JOIN audit_event a ON a.case_uuid = r.public_id "
        "WHERE <<where>> AND <<resolved>> AND <<not_duplicate>> AND a.action = 'case.status' "
        "AND a.created_at >= <<since>> AND <<after>> = 'resolved' GROUP BY a.case_uuid) t",
        ls=dialect.concat("CASE WHEN g = 1 THEN secs END"),
        other=dialect.concat("CASE WHEN g = 0 THEN secs END"),
        group=LIFE_SAFETY,
        took=dialect.seconds("MAX(a.created_at)", "MIN(r.created_at)"),
        where=where,
        resolved=one_of("r.status", RESOLVED_STATUSES),
        not_duplicate=NOT_DUPLICATE,
        since=value(since),
        after=dialect.json_text("a.detail", "after"),
    )
    row = (await _rows(query))[0]
    return {1: times_from(_values(row["ls"])), 0: times_from(_values(row["other"]))}


async def _backlog(figures: Figures, dialect: _Dialect, where: Sql) -> None:
    """Cases open now (of the reports up to the end of the period): by age and life-safety, how many are past their target
    unacknowledged, and their ages; one row."""
    ages = [delta.total_seconds() for delta in AGE_BUCKETS]
    columns: list[tuple[tuple[int, int], Sql]] = []
    for ls in (0, 1):
        flag = "t.ls" if ls else "NOT t.ls"
        bounds: list[float | None] = [0.0, *ages, None]
        for bucket in range(len(AGE_BUCKETS) + 1):
            low, high = bounds[bucket] or 0.0, bounds[bucket + 1]
            condition = sql("<<flag>> AND t.age >= <<low>>", flag=flag, low=number(low))
            if high is not None:
                condition = sql("<<c>> AND t.age < <<high>>", c=condition, high=number(high))
            columns.append(((ls, bucket), condition))
    selects = ", ".join(f"SUM(CASE WHEN <<c{i}>> THEN 1 ELSE 0 END) AS c{i}" for i in range(len(columns)))
    query = sql(
        f"SELECT {selects}, SUM(CASE WHEN <<late>> THEN 1 ELSE 0 END) AS late, <<ages>> AS ages FROM "  # noqa: S608 - only <<slots>>
        "(SELECT r.life_safety AS ls, r.status AS status, r.created_at AS created_at, "
        "(<<now>> - <<created>>) AS age FROM report r WHERE <<where>>) t",
        **{f"c{i}": condition for i, (_key, condition) in enumerate(columns)},
        late=sql(
            "t.status = 'new' AND ((t.ls AND t.age > <<ls_target>>) OR (NOT t.ls AND t.age > <<other_target>>))",
            ls_target=number(ESCALATION_TARGETS["life_safety"].total_seconds()),
            other_target=number(ESCALATION_TARGETS["other"].total_seconds()),
        ),
        ages=dialect.concat("t.age"),
        now=number(figures.now.timestamp()),
        created=dialect.epoch("r.created_at"),
        where=all_of(where, one_of("r.status", workflow.OPEN_STATUSES)),
    )
    row = (await _rows(query))[0]
    figures.backlog = {key: int(row[f"c{i}"] or 0) for i, (key, _condition) in enumerate(columns)}
    figures.backlog_late = int(row["late"] or 0)
    figures.backlog_age = times_from(_values(row["ages"]))


async def _support(
    scope: Scope, filters: Filters, school_id: int | None, since: datetime, until: datetime, today: date
) -> dict[str, tuple[int, int]]:
    query = sql(
        "SELECT s.kind AS kind, "
        "SUM(CASE WHEN s.created_at >= <<since>> AND s.created_at < <<until>> THEN 1 ELSE 0 END) AS taken, "
        "SUM(CASE WHEN s.done_at IS NULL AND s.follow_up_on IS NOT NULL AND s.follow_up_on < <<today>> "
        "THEN 1 ELSE 0 END) AS overdue "
        "FROM support_action s JOIN report r ON r.id = s.report WHERE <<where>> GROUP BY s.kind",
        since=value(since),
        until=value(until),
        today=value(today),
        where=_where(scope, filters, school_id, None, until),
    )
    return {row["kind"]: (int(row["taken"] or 0), int(row["overdue"] or 0)) for row in await _rows(query)}
