"""The rules of the Insights dashboards that need no database: small-number suppression, percentiles,
notable changes, the escalation targets, periods in the district's time zone, and the filters.

Small numbers. A count under SUPPRESS_BELOW (zero included: "none" can single someone out as much as
"one") is shown as "fewer than 5", on the page and in the CSV alike. A share or a duration worked out
from a group under that size is not shown either. Where a table also shows the total of a line (a
column whose total is a headline figure, a row with an "All" cell), a single hidden cell could be worked
out by subtraction, so the smallest other cell of that line is hidden too ("complementary
suppression"), until no line has exactly one hidden cell. Sums across different tables (a district
total against a school table, say) can still narrow a hidden cell down to a range of 0 to 4; that is
the price of showing totals at all and is the usual reading of the rule.

Differencing. Suppression alone does not hold if two views can be set against each other: the figures
of 4 November to 1 December and of 4 November to 2 December differ by what happened on 2 December,
however each is suppressed, and waiting a day does the same to a view that ends today. So the period is
never a free range: it is one month of whole ISO weeks (the weeks whose Thursday falls in that month,
Monday to Sunday in the district's time zone; four or five weeks), and only a month that has ended.
These months partition time: two periods one may choose are the same or share no report, so nothing
can be taken from one to learn about another, and a report made today changes no figure anyone can see
until its month has ended (then it is one of a whole month's). Figures that are about now, whatever the
period (open now, past the target now, the open backlog, follow-ups overdue), do change as reports
arrive and cases are worked: they are counts of open cases, suppressed the same way. The notable
changes compare windows that are not the month shown (the last RECENT_WEEKS weeks to its end against
the BASELINE_WEEKS before), so they are said in words without their counts. Within one month, the
tables are breakdowns of the same reports, and complementary suppression keeps any line whose total is
shown from hiding a single cell; the counts per category and place follow one pattern for the whole
scope in every filtered view (web/insights/dashboard.py, Grid). docs/THREAT_MODEL.md says what is left.

Percentiles are nearest-rank: the median of n values is the ceil(n/2)-th smallest and the 90th
percentile the ceil(9n/10)-th, so every figure shown is a time some case really took.

Notable changes compare, per school and category, the last RECENT_WEEKS weeks with the BASELINE_WEEKS
before them. A rise needs a minimum count, a minimum ratio of weekly rates, and a split between the two
periods too uneven to be chance (an exact binomial test: with an unchanged rate, each report of the
twelve weeks would fall in the recent four with probability 4/12). The test matters: a dashboard
compares hundreds of pairs, and with counts around ten a doubling happens by chance every few pairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from math import exp, lgamma, log, log1p
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from web import i18n
from web.i18n import N_

# Counts under this are shown as "fewer than 5"; shares and times from smaller groups are not shown.
SUPPRESS_BELOW = 5

# The escalation targets for acknowledging a report: life-safety reports within 5 minutes, everything
# else by the next school morning. "The next school morning" depends on the hour and on each school's
# hours; the dashboards approximate it as 24 hours (a report sent at 3 pm is due by 3 pm the next day,
# a little later than the next morning; one sent on a Friday evening is due on Saturday evening,
# earlier than Monday morning), and say so on the page.
ESCALATION_TARGETS: dict[str, timedelta] = {
    "life_safety": timedelta(minutes=5),
    "other": timedelta(hours=24),
}

# Notable changes: the last RECENT_WEEKS weeks against the weekly mean of the BASELINE_WEEKS before them,
# per school and category (and across every school in view).
RECENT_WEEKS = 4
BASELINE_WEEKS = 8
# A rise: at least this many in the recent weeks, and at least RISE_FACTOR times the earlier weekly mean.
RISE_MIN_RECENT = 5
RISE_FACTOR = 2.0
# A fall: the earlier weeks had at least this many, and the recent weekly mean is at most FALL_FACTOR of
# theirs.
FALL_MIN_BASELINE = 10
FALL_FACTOR = 0.5
# And either must be too large to be chance: with the rate unchanged, a split between the recent and the
# earlier weeks at least this uneven would happen less often than this (a dashboard compares hundreds of
# school-and-category pairs, so ordinary ups and downs must not be called out).
SIGNIFICANCE = 0.001
NOTABLE_MAX = 12

# How many whole months the period menu offers (older ones can still be asked for by `period=`).
MONTHS_OFFERED = 24

FEWER_THAN = N_("fewer than %(num)s")
NOT_SHOWN = N_("not shown (fewer than %(num)s)")


def fewer_than() -> str:
    return i18n.gettext(FEWER_THAN) % {"num": SUPPRESS_BELOW}


def not_shown() -> str:
    return i18n.gettext(NOT_SHOWN) % {"num": SUPPRESS_BELOW}


@dataclass(frozen=True)
class Count:
    """A count as it may be shown: `value` is None when it is hidden."""

    value: int | None

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def page(self) -> str:
        if self.value is None:
            return fewer_than()
        return format_decimal(self.value, locale=i18n.current_locale())

    @property
    def csv(self) -> str:
        return fewer_than() if self.value is None else str(self.value)


@dataclass(frozen=True)
class Text:
    """A figure already in words (a share, a time, a target), the same on the page and in the CSV."""

    text: str
    hidden: bool = False

    @property
    def page(self) -> str:
        return self.text

    @property
    def csv(self) -> str:
        return self.text


Cell = Count | Text


def count(value: int) -> Count:
    """One count on its own (no line total is shown with it)."""
    return Count(None if value < SUPPRESS_BELOW else value)


def suppress_matrix(
    values: Sequence[Sequence[int]], *, rows: bool = True, columns: bool = True
) -> list[list[Count]]:
    """Hide every cell under SUPPRESS_BELOW, then, while a row (when `rows`) or a column (when `columns`)
    has exactly one hidden cell, hide the smallest visible cell of that line as well."""
    hidden = [[value < SUPPRESS_BELOW for value in line] for line in values]
    lines: list[list[tuple[int, int]]] = []
    height = len(values)
    width = max((len(line) for line in values), default=0)
    if rows:
        lines += [[(r, c) for c in range(len(values[r]))] for r in range(height)]
    if columns:
        lines += [[(r, c) for r in range(height) if c < len(values[r])] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden_cells = [cell for cell in line if hidden[cell[0]][cell[1]]]
            visible = [cell for cell in line if not hidden[cell[0]][cell[1]]]
            if len(hidden_cells) == 1 and visible:
                smallest = min(visible, key=lambda cell: values[cell[0]][cell[1]])
                hidden[smallest[0]][smallest[1]] = True
                changed = True
    return [
        [Count(None if hidden[r][c] else values[r][c]) for c in range(len(values[r]))] for r in range(height)
    ]


def suppress_line(values: Sequence[int]) -> list[Count]:
    """Counts that add up to a total shown elsewhere (one column of a table)."""
    return [row[0] for row in suppress_matrix([[value] for value in values], rows=False)]


def share(part: Count, whole: Count) -> Text:
    """part / whole as a percentage; not shown when either is hidden (a group under 5)."""
    if part.value is None or whole.value is None or whole.value == 0:
        return Text(not_shown(), hidden=True)
    return Text(format_percent(part.value / whole.value, locale=i18n.current_locale()))


def nearest_rank(n: int, numerator: int, denominator: int) -> int:
    """The 1-based rank of the numerator/denominator percentile of n values (nearest-rank method)."""
    return max(1, -(-numerator * n // denominator))


def percentile(sorted_values: Sequence[float], numerator: int, denominator: int) -> float:
    return sorted_values[nearest_rank(len(sorted_values), numerator, denominator) - 1]


@dataclass(frozen=True)
class Times:
    """How long a group of cases took: n, and the median and 90th percentile in seconds."""

    n: int
    median: float | None
    p90: float | None
    within_target: int = 0

    @property
    def shown(self) -> bool:
        return self.n >= SUPPRESS_BELOW and self.median is not None and self.p90 is not None


NO_TIMES = Times(0, None, None)


def times_from(values: Sequence[float], target_seconds: float | None = None) -> Times:
    """The pure counterpart of the SQL percentile query (used by tests and small lists)."""
    ordered = sorted(values)
    if not ordered:
        return NO_TIMES
    within = sum(1 for value in ordered if target_seconds is not None and value <= target_seconds)
    return Times(len(ordered), percentile(ordered, 1, 2), percentile(ordered, 9, 10), within)


def duration(seconds: float | None) -> str:
    """A time in the reader's language, in the unit that reads best: 45 sec, 4.5 min, 7.2 h, 3.1 days."""
    if seconds is None:
        return not_shown()
    locale = i18n.current_locale()
    seconds = max(0.0, seconds)
    if seconds < 60:
        return format_unit(round(seconds), "duration-second", length="short", locale=locale)
    if seconds < 3600:
        return format_unit(round(seconds / 60, 1), "duration-minute", length="short", locale=locale)
    if seconds < 48 * 3600:
        return format_unit(round(seconds / 3600, 1), "duration-hour", length="short", locale=locale)
    return format_unit(round(seconds / 86400, 1), "duration-day", length="short", locale=locale)


# The school key of a notable change counted over every school in view (None: reports naming no school).
ALL_SCHOOLS = -1


@dataclass(frozen=True)
class Change:
    """A notable change of one category at one school (or ALL_SCHOOLS, or None: no school named)."""

    school: int | None
    category: str
    recent: int
    before: int

    @property
    def expected(self) -> float:
        """What the recent weeks would hold at the earlier weekly mean."""
        return self.before * RECENT_WEEKS / BASELINE_WEEKS

    @property
    def rising(self) -> bool:
        return self.recent > self.expected


def _log_pmf(i: int, n: int, p: float) -> float:
    return lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1) + i * log(p) + (n - i) * log1p(-p)


def chance_at_least(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), 0 < p < 1."""
    if k <= 0:
        return 1.0
    return min(1.0, sum(exp(_log_pmf(i, n, p)) for i in range(k, n + 1)))


def chance_at_most(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), 0 < p < 1."""
    if k >= n:
        return 1.0
    return min(1.0, sum(exp(_log_pmf(i, n, p)) for i in range(0, k + 1)))


# The share of the compared weeks that are recent: if nothing changed, each report of the whole window
# falls in the recent weeks with this chance.
RECENT_SHARE = RECENT_WEEKS / (RECENT_WEEKS + BASELINE_WEEKS)


def is_rise(recent: int, before: int) -> bool:
    """At least RISE_MIN_RECENT, at least RISE_FACTOR times the earlier weekly rate, and too uneven a
    split to be chance (an exact binomial test on the two counts)."""
    expected = before * RECENT_WEEKS / BASELINE_WEEKS
    if recent < RISE_MIN_RECENT or recent < RISE_FACTOR * expected:
        return False
    return chance_at_least(recent, recent + before, RECENT_SHARE) < SIGNIFICANCE


def is_fall(recent: int, before: int) -> bool:
    """At least FALL_MIN_BASELINE before, at most FALL_FACTOR of the earlier weekly rate, and too uneven
    a split to be chance."""
    expected = before * RECENT_WEEKS / BASELINE_WEEKS
    if before < FALL_MIN_BASELINE or recent > FALL_FACTOR * expected:
        return False
    return chance_at_most(recent, recent + before, RECENT_SHARE) < SIGNIFICANCE


def notable_changes(counts: Mapping[tuple[int | None, str], tuple[int, int]]) -> list[Change]:
    """(school, category) → (count in the recent weeks, count in the weeks before): the notable ones,
    rises first, the largest departures from the earlier rate first."""
    changes = [
        Change(school, category, recent, before)
        for (school, category), (recent, before) in counts.items()
        if is_rise(recent, before) or is_fall(recent, before)
    ]
    changes.sort(key=lambda c: (not c.rising, -abs(c.recent - c.expected), c.category, c.school or 0))
    return changes[:NOTABLE_MAX]


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) a day starts in the district's time zone."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def week_bounds(starts: Sequence[date], end: date, zone: ZoneInfo) -> list[datetime]:
    """The instants (UTC) the weeks begin, and the one the last ends: local midnights, so daylight-saving
    changes move them by an hour in UTC, never a report into the wrong week."""
    return [local_midnight(day, zone) for day in starts] + [local_midnight(end + timedelta(days=1), zone)]


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows, from the URL query: a period (one whole month of ISO weeks, Monday to
    Sunday in the district's time zone, both included), a school (slug) and a category (key)."""

    start: date
    end: date
    school: str = ""
    category: str = ""
    problems: tuple[str, ...] = field(default=())

    def query(self) -> dict[str, str]:
        values = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.school:
            values["school"] = self.school
        if self.category:
            values["category"] = self.category
        return values

    @property
    def period(self) -> str:
        """The month shown, as `period=` takes it."""
        year, month = month_of(self.start + timedelta(days=3))
        return f"{year:04d}-{month:02d}"

    def weeks(self) -> list[date]:
        """The Monday of each ISO week of the period."""
        return [self.start + timedelta(days=7 * i) for i in range(((self.end - self.start).days // 7) + 1)]


def month_of(day: date) -> tuple[int, int]:
    """The month a day's ISO week belongs to: the month of that week's Thursday (as ISO years do)."""
    thursday = day - timedelta(days=day.weekday()) + timedelta(days=3)
    return thursday.year, thursday.month


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The Monday and the Sunday of the whole ISO weeks of a month (four or five weeks)."""

    def first_monday(y: int, m: int) -> date:
        first = date(y, m, 1)
        return first + timedelta(days=(3 - first.weekday()) % 7) - timedelta(days=3)

    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return first_monday(year, month), first_monday(*following) - timedelta(days=1)


def last_whole_month(today: date) -> tuple[int, int]:
    """The latest month whose weeks have all ended before today."""
    year, month = month_of(today)
    return (year - 1, 12) if month == 1 else (year, month - 1)


def whole_months(today: date, count: int = MONTHS_OFFERED) -> list[tuple[str, date, date]]:
    """The months one may choose, newest first: (key "YYYY-MM", first Monday, last Sunday)."""
    year, month = last_whole_month(today)
    months = []
    for _ in range(count):
        months.append((f"{year:04d}-{month:02d}", *month_bounds(year, month)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def _month(raw: str) -> tuple[int, int] | None:
    try:
        year, month = (int(part) for part in raw.strip().split("-"))
        date(year, month, 1)
    except ValueError:
        return None
    return year, month


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def parse_filters(
    query: Mapping[str, str], *, today: date, schools: Sequence[str], categories: Sequence[str]
) -> Filters:
    """Read the filters. The period is one whole month of ISO weeks that has ended (see the module's
    note on differencing): `period=YYYY-MM`, or the month of the `to` date (older links), else the last
    whole month. Anything not understood (a month that is not one, a school this person may not see,
    an unknown category) is left out, and the page says so."""
    problems: list[str] = []
    raw_period, raw_end = query.get("period", ""), query.get("to", "") or query.get("from", "")
    chosen = _month(raw_period) if raw_period.strip() else None
    if chosen is None and not raw_period.strip() and _day(raw_end) is not None:
        chosen = month_of(_day(raw_end))  # type: ignore[arg-type]
    if chosen is not None and not 2000 <= chosen[0] <= today.year:
        chosen = None  # nothing to show, and the calendar's edges are not far off
    if chosen is None and (raw_period.strip() or raw_end.strip()):
        problems.append(N_("A date was not understood, so the usual dates are shown."))
    if chosen is not None and month_bounds(*chosen)[1] >= today:
        problems.append(N_("Only months that have ended can be shown, so the last whole month is shown."))
        chosen = None
    start, end = month_bounds(*(chosen or last_whole_month(today)))
    school = query.get("school", "").strip()
    if school and school not in schools:
        problems.append(N_("That school is not one you can see, so all your schools are shown."))
        school = ""
    category = query.get("category", "").strip()
    if category and category not in categories:
        problems.append(N_("That category is not known, so all categories are shown."))
        category = ""
    return Filters(start=start, end=end, school=school, category=category, problems=tuple(problems))
