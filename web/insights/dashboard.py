"""The Insights page laid out: the figures from web/insights/queries.py, suppressed, labelled in the
reader's language, summarised in words and drawn as charts. The page and the CSV both come from these
sections, so they cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from markupsafe import Markup

from web import i18n
from web.cases import workflow
from web.cases.categories import BY_KEY, CATEGORIES
from web.i18n import N_
from web.insights import charts
from web.insights.aggregates import (
    ALL_SCHOOLS,
    BASELINE_WEEKS,
    ESCALATION_TARGETS,
    FALL_FACTOR,
    FALL_MIN_BASELINE,
    NO_TIMES,
    RECENT_WEEKS,
    RISE_FACTOR,
    RISE_MIN_RECENT,
    SIGNIFICANCE,
    SUPPRESS_BELOW,
    Cell,
    Count,
    Filters,
    Text,
    Times,
    count,
    duration,
    fewer_than,
    not_shown,
    notable_changes,
    share,
    suppress_line,
    suppress_matrix,
)
from web.insights.queries import REPORTER_GROUPS, Figures, SchoolInfo

_ = i18n.gettext

REPORTER_LABELS = {
    "student": N_("Students"),
    "parent": N_("Families"),
    "community": N_("Community members"),
    "staff": N_("School staff"),
    "kiosk": N_("Kiosk"),
    "unknown": N_("Did not say"),
}
AGE_LABELS = (N_("Under a day"), N_("1 to 7 days"), N_("8 to 30 days"), N_("More than 30 days"))
GROUP_LABELS = {1: N_("Life-safety reports"), 0: N_("Everything else")}
NO_SCHOOL = N_("No school named (district, event or not sure)")
NO_SCHOOL_SHORT = N_("No school named")
NO_DISPOSITION = N_("Resolved, no disposition recorded")
STILL_OPEN = N_("Still open")


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: Sequence[Cell]


@dataclass
class Section:
    """One table of the page (and of the CSV), with its chart and a summary in words."""

    key: str
    title: str
    columns: Sequence[tuple[str, str]]  # (key, heading); the first column of a row is its label
    rows: Sequence[Row]
    summary: str = ""
    note: str = ""
    chart: Markup | None = None
    level: int = 2
    label_heading: str = ""


@dataclass(frozen=True)
class Notable:
    rising: bool
    text: str


@dataclass
class Dashboard:
    filters: Filters
    headline: Section
    sections: list[Section]
    notable: list[Notable]
    schools: list[SchoolInfo]
    period: str
    recent_period: str
    method: list[str] = field(default_factory=list)
    # The months one may choose (key, first Monday, last Sunday), newest first.
    months: list[tuple[str, date, date]] = field(default_factory=list)

    def all_sections(self) -> list[Section]:
        return [self.headline, *self.sections]


def _label(key: str) -> str:
    category = BY_KEY.get(key)
    return _(category.label) if category else key


def _date(day: object) -> str:
    return format_date(day, format="medium", locale=i18n.current_locale())  # type: ignore[arg-type]


def month_label(start: date, end: date) -> str:
    """ "November 2026 (2 Nov to 29 Nov)": the month, and the whole weeks it stands for."""
    locale = i18n.current_locale()
    month = format_skeleton("yMMMM", start + timedelta(days=3), locale=locale)
    days = _("%(start)s to %(end)s") % {
        "start": format_skeleton("MMMd", start, locale=locale),
        "end": format_skeleton("MMMd", end, locale=locale),
    }
    return f"{month} ({days})"


def _summary(rows: Sequence[Row], column: int = 0) -> str:
    """The largest figures of a column in words, and how many are hidden."""
    if not rows:
        return _("Nothing here for the category chosen.")
    cells = [(row.label, row.cells[column]) for row in rows]
    visible = sorted(
        ((label, cell.value) for label, cell in cells if isinstance(cell, Count) and cell.value is not None),
        key=lambda item: -item[1],
    )
    hidden = sum(1 for _label, cell in cells if isinstance(cell, Count) and cell.hidden)
    if not visible:
        return _("Every figure here is under %(num)s, so none is shown.") % {"num": SUPPRESS_BELOW}
    locale = i18n.current_locale()
    words = [
        _("Highest: %(label)s, %(count)s.")
        % {"label": visible[0][0], "count": format_decimal(visible[0][1], locale=locale)}
    ]
    if len(visible) > 1:
        words.append(
            _("Next: %(label)s, %(count)s.")
            % {"label": visible[1][0], "count": format_decimal(visible[1][1], locale=locale)}
        )
    if hidden:
        words.append(
            i18n.ngettext(
                "%(num)s row shows fewer than %(limit)s.", "%(num)s rows show fewer than %(limit)s.", hidden
            )
            % {"num": hidden, "limit": SUPPRESS_BELOW}
        )
    return " ".join(words)


def _bars(rows: Sequence[Row], column: int = 0) -> list[charts.Bar]:
    bars = []
    for row in rows:
        cell = row.cells[column]
        value = cell.value if isinstance(cell, Count) else None
        bars.append(charts.Bar(row.label, None if value is None else float(value), cell.page))
    return bars


def _chart(section: Section, column: int = 0, *, desc: str = "") -> Markup:
    return charts.bar_chart(
        f"chart-{section.key}", section.title, desc or section.summary, _bars(section.rows, column)
    )


# A margin of the grid: every category, or every place, of the scope.
ALL = "*"


class Grid:
    """One suppression pattern for the month's reports per category and place (each kind apart, with
    the total of every row and column and the grand total), computed over the whole scope whatever is
    chosen. The categories, schools and needs tables and the headline counts of every view, filtered or
    not, follow it: a cell one view hides to protect another is hidden in every view that shows it, so
    setting a filtered view against the whole one cannot undo complementary suppression."""

    def __init__(self, figures: Figures) -> None:
        places: list[int | None] = [s.id for s in figures.schools] + (
            [None] if figures.scope.all_schools else []
        )
        self.hidden: dict[tuple[str, str, object], bool] = {}
        for kind in ("concern", "need"):
            keys = _category_keys(kind, figures, every=True)
            values = [[figures.grid.get((key, kind, place), (0, 0))[0] for place in places] for key in keys]
            values = [[*line, sum(line)] for line in values]
            values.append(
                [sum(column) for column in zip(*values, strict=True)] if values else [0] * (len(places) + 1)
            )
            cells = suppress_matrix(values)
            for r, key in enumerate([*keys, ALL]):
                for c, place in enumerate([*places, ALL]):
                    self.hidden[(kind, key, place)] = cells[r][c].hidden

    def count(self, kind: str, category: str, place: object, value: int) -> Count:
        """A count of the view for one category (or ALL) at one place (or ALL), as the grid allows."""
        hidden = self.hidden.get((kind, category, place))
        if hidden is None:
            return count(value)
        return Count(None if hidden else value)


def _view_keys(figures: Figures, schools: Sequence[SchoolInfo]) -> tuple[str, object]:
    """The grid's row and column this view's totals are: the category and school chosen, or ALL."""
    filters = figures.filters
    place: object = next((s.id for s in schools), None) if filters.school else ALL
    return filters.category or ALL, place


def _sum_known(*cells: Count) -> Count:
    """A total shown only where each part is: otherwise a share against it would give a hidden part away."""
    if any(cell.hidden for cell in cells):
        return Count(None)
    return count(sum(cell.value or 0 for cell in cells))


def build(figures: Figures) -> Dashboard:
    filters = figures.filters
    all_scope = figures.scope.all_schools and not filters.school
    schools = [s for s in figures.schools if not filters.school or s.slug == filters.school]
    place_keys: list[int | None] = [s.id for s in schools] + ([None] if all_scope else [])
    grid = Grid(figures)
    category_key, place_key = _view_keys(figures, schools)

    totals = figures.totals
    open_now = sum(figures.backlog.values())
    overdue = sum(o for _t, o in figures.support.values())
    reports = grid.count("concern", category_key, place_key, totals.get("concern", 0))
    needs = grid.count("need", category_key, place_key, totals.get("need", 0))
    life_safety = count(totals.get("life_safety", 0))
    everything = _sum_known(reports, needs)
    headline = Section(
        "totals",
        _("In short"),
        [("value", _("Figure"))],
        [
            Row("reports", _("Reports of concerns"), [reports]),
            Row("help_requests", _("Requests for help"), [needs]),
            Row("life_safety", _("Life-safety reports"), [life_safety]),
            Row("life_safety_share", _("Share of everything received that was life-safety"), [share(life_safety, everything)]),
            Row("open_now", _("Open now (reports up to the end of the month)"), [count(open_now)]),
            Row("late_now", _("Not acknowledged and past the target now (reports up to the end of the month)"), [count(figures.backlog_late)]),
            Row("overdue", _("Follow-ups overdue now (reports up to the end of the month)"), [count(overdue)]),
        ],
    )  # fmt: skip
    sections = [
        _weeks(figures),
        _categories(figures, grid, place_key),
        _schools(figures, schools, all_scope, grid, category_key),
        _needs(figures, schools, all_scope, place_keys, grid, place_key),
        _reporters(figures),
        _acknowledge(figures),
        _resolve(figures),
        *_backlog(figures),
        _dispositions(figures),
        _support(figures),
    ]
    return Dashboard(
        filters=filters,
        headline=headline,
        sections=sections,
        notable=_notable(figures, schools),
        schools=figures.schools,
        period=_("%(start)s to %(end)s") % {"start": _date(filters.start), "end": _date(filters.end)},
        recent_period=_("%(start)s to %(end)s")
        % {"start": _date(figures.recent_start), "end": _date(filters.end)},
        method=_method(),
    )


def _weeks(figures: Figures) -> Section:
    filters = figures.filters
    starts = filters.weeks()
    locale = i18n.current_locale()
    rows_raw = []
    for index, start in enumerate(starts):
        last = min(start + timedelta(days=6), filters.end)
        if last - start < timedelta(days=6):
            label = _("%(start)s to %(end)s") % {"start": _date(start), "end": _date(last)}
        else:
            label = _("Week of %(date)s") % {"date": _date(start)}
        rows_raw.append((start.isoformat(), label, format_skeleton("MMMd", start, locale=locale),
                         figures.weekly.get((index, "concern"), 0), figures.weekly.get((index, "need"), 0)))  # fmt: skip
    concerns = suppress_line([r[3] for r in rows_raw])
    needs = suppress_line([r[4] for r in rows_raw])
    rows = [Row(r[0], r[1], [concerns[i], needs[i]]) for i, r in enumerate(rows_raw)]
    section = Section(
        "weeks",
        _("Reports and requests for help by week"),
        [("reports", _("Reports")), ("help_requests", _("Requests for help"))],
        rows,
        label_heading=_("Week"),
        note=_("Weeks are seven days counted from the start date, in the district's time zone."),
    )
    section.summary = " ".join(
        [_("Reports:") + " " + _summary(rows, 0), _("Requests for help:") + " " + _summary(rows, 1)]
    )
    section.chart = charts.column_chart(
        "chart-weeks",
        section.title,
        section.summary,
        [r[2] for r in rows_raw],
        [
            charts.Series(_("Reports"), "a", [charts.Bar(r.label, _num(r.cells[0]), r.cells[0].page) for r in rows]),
            charts.Series(_("Requests for help"), "b", [charts.Bar(r.label, _num(r.cells[1]), r.cells[1].page) for r in rows]),
        ],
    )  # fmt: skip
    return section


def _num(cell: Cell) -> float | None:
    return float(cell.value) if isinstance(cell, Count) and cell.value is not None else None


def _category_keys(kind: str, figures: Figures, *, every: bool = False) -> list[str]:
    known = [c.key for c in CATEGORIES if c.kind == kind]
    seen = {
        key for (key, k, _s) in figures.grid or figures.by_category_school if k == kind and key not in known
    }
    keys = known + sorted(seen)
    if figures.filters.category and not every:
        keys = [k for k in keys if k == figures.filters.category]
    return keys


def _categories(figures: Figures, grid: Grid, place_key: object) -> Section:
    keys = _category_keys("concern", figures)
    totals: dict[str, int] = defaultdict(int)
    for (key, kind, _school), (n, _ls) in figures.by_category_school.items():
        if kind == "concern":
            totals[key] += n
    cells = [grid.count("concern", k, place_key, totals[k]) for k in keys]
    rows = [Row(k, _label(k), [cells[i]]) for i, k in enumerate(keys)]
    section = Section("categories", _("Reports by category"), [("reports", _("Reports"))], rows,
                      label_heading=_("Category"))  # fmt: skip
    section.summary = _summary(rows)
    section.chart = _chart(section)
    return section


def _place_label(key: int | None, schools: Sequence[SchoolInfo]) -> str:
    if key is None:
        return _(NO_SCHOOL_SHORT)
    return next((s.name for s in schools if s.id == key), "?")


def _schools(
    figures: Figures, schools: Sequence[SchoolInfo], all_scope: bool, grid: Grid, category_key: str
) -> Section:
    per: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (_key, kind, school), (n, n_life_safety) in figures.by_category_school.items():
        per[school][0 if kind == "concern" else 1] += n
        per[school][2] += n_life_safety
    keys: list[int | None] = [s.id for s in schools] + ([None] if all_scope else [])
    matrix = [per[k] for k in keys]
    reports = [grid.count("concern", category_key, key, m[0]) for key, m in zip(keys, matrix, strict=True)]
    needs = [grid.count("need", category_key, key, m[1]) for key, m in zip(keys, matrix, strict=True)]
    ls = suppress_line([m[2] for m in matrix])
    rows = []
    for i, key in enumerate(keys):
        label = next((s.name for s in schools if s.id == key), "") if key is not None else _(NO_SCHOOL)
        slug = next((s.slug for s in schools if s.id == key), "") if key is not None else "none"
        received = _sum_known(reports[i], needs[i])
        rows.append(Row(slug, label, [reports[i], needs[i], ls[i], share(ls[i], received)]))
    section = Section(
        "schools",
        _("By school"),
        [("reports", _("Reports")), ("help_requests", _("Requests for help")), ("life_safety", _("Life-safety")),
         ("life_safety_share", _("Life-safety share of all received"))],
        rows,
        label_heading=_("School"),
    )  # fmt: skip
    section.summary = _("Reports:") + " " + _summary(rows, 0)
    section.chart = _chart(section, 0, desc=_("Reports per school.") + " " + section.summary)
    return section


def _needs(
    figures: Figures, schools: Sequence[SchoolInfo], all_scope: bool, places: list[int | None], grid: Grid,
    place_key: object,
) -> Section:  # fmt: skip
    keys = _category_keys("need", figures)
    cells = []
    for key in keys:
        line = [figures.by_category_school.get((key, "need", place), (0, 0))[0] for place in places]
        cells.append(
            [*(grid.count("need", key, p, n) for p, n in zip(places, line, strict=True)),
             grid.count("need", key, place_key, sum(line))]
        )  # fmt: skip
    columns = [(s.slug, s.name) for s in schools] + ([("none", _(NO_SCHOOL_SHORT))] if all_scope else [])
    columns.append(("all", _("All")))
    rows = [Row(k, _label(k), cells[i]) for i, k in enumerate(keys)]
    section = Section(
        "needs",
        _("Requests for help by need, per school"),
        columns,
        rows,
        label_heading=_("Need"),
    )
    all_column = len(columns) - 1
    section.summary = _summary(rows, all_column)
    section.chart = _chart(
        section, all_column, desc=_("Requests for help per need, all schools shown.") + " " + section.summary
    )
    return section


def _reporters(figures: Figures) -> Section:
    reports = suppress_line([figures.reporters.get((g, "concern"), 0) for g in REPORTER_GROUPS])
    needs = suppress_line([figures.reporters.get((g, "need"), 0) for g in REPORTER_GROUPS])
    rows = [Row(g, _(REPORTER_LABELS[g]), [reports[i], needs[i]]) for i, g in enumerate(REPORTER_GROUPS)]
    section = Section(
        "reporters",
        _("Who reported"),
        [("reports", _("Reports")), ("help_requests", _("Requests for help"))],
        rows,
        label_heading=_("Reported by"),
        note=_("The kiosk counts on its own whoever used it; otherwise the role the reporter chose (it is optional)."),
    )  # fmt: skip
    section.summary = _("Reports:") + " " + _summary(rows, 0)
    section.chart = _chart(section, 0, desc=_("Reports by who sent them.") + " " + section.summary)
    return section


def _target(group: int) -> float:
    return ESCALATION_TARGETS["life_safety" if group else "other"].total_seconds()


def _times_cells(times: Times) -> list[Cell]:
    if not times.shown:
        return [Text(not_shown(), hidden=True), Text(not_shown(), hidden=True)]
    return [Text(duration(times.median)), Text(duration(times.p90))]


def _acknowledge(figures: Figures) -> Section:
    late = figures.late
    rows = []
    for group in (1, 0):
        times = figures.acknowledge.get(group, NO_TIMES)
        within, past = suppress_line([times.within_target, times.n - times.within_target])
        rows.append(
            Row(
                "life_safety" if group else "other",
                _(GROUP_LABELS[group]),
                [
                    count(times.n),
                    *_times_cells(times),
                    Text(duration(_target(group))),
                    within,
                    past,
                    count(late.get(group, 0)),
                ],
            )
        )
    section = Section(
        "acknowledge",
        _("Time to acknowledge"),
        [("acknowledged", _("Acknowledged")), ("median", _("Median")), ("p90", _("90th percentile")),
         ("target", _("Target")), ("within", _("Within the target")), ("past", _("Past the target")),
         ("late", _("Not acknowledged yet, past the target"))],
        rows,
        label_heading=_("Reports"),
        note=_("From the report to its acknowledgement (or its first status change). Targets: life-safety "
               "reports within %(life_safety)s; everything else by the next school morning, counted here as "
               "%(other)s (a simple stand-in: school hours and weekends are not taken into account). "
               "Duplicates linked to a first report are left out.")
        % {"life_safety": duration(_target(1)), "other": duration(_target(0))},
    )  # fmt: skip
    words = []
    bars = []
    for group in (1, 0):
        times = figures.acknowledge.get(group, NO_TIMES)
        label = _(GROUP_LABELS[group])
        if times.shown:
            words.append(
                _("%(group)s: median %(median)s, 90th percentile %(p90)s, against a target of %(target)s.")
                % {"group": label, "median": duration(times.median), "p90": duration(times.p90),
                   "target": duration(_target(group))}
            )  # fmt: skip
            bars.append(
                charts.Bar(
                    _("%(group)s: median") % {"group": label},
                    100 * (times.median or 0) / _target(group),
                    duration(times.median),
                )
            )
            bars.append(charts.Bar(_("%(group)s: 90th percentile") % {"group": label}, 100 * (times.p90 or 0) / _target(group), duration(times.p90)))  # fmt: skip
        else:
            words.append(
                _("%(group)s: fewer than %(num)s acknowledged, so no times are shown.")
                % {"group": label, "num": SUPPRESS_BELOW}
            )
            bars.append(charts.Bar(_("%(group)s: median") % {"group": label}, None, not_shown()))
            bars.append(charts.Bar(_("%(group)s: 90th percentile") % {"group": label}, None, not_shown()))  # fmt: skip
    section.summary = " ".join(words)
    section.chart = charts.bar_chart(
        "chart-acknowledge",
        _("Time to acknowledge, against the target"),
        _("Each bar is a time as a share of its group's target; the dashed line is the target.") + " " + section.summary,
        bars,
        reference=(100.0, _("Target")),
    )  # fmt: skip
    return section


def _resolve(figures: Figures) -> Section:
    rows = []
    words = []
    for group in (1, 0):
        times = figures.resolve.get(group, NO_TIMES)
        rows.append(
            Row(
                "life_safety" if group else "other",
                _(GROUP_LABELS[group]),
                [count(times.n), *_times_cells(times)],
            )
        )
        if times.shown:
            words.append(
                _("%(group)s: median %(median)s, 90th percentile %(p90)s.")
                % {
                    "group": _(GROUP_LABELS[group]),
                    "median": duration(times.median),
                    "p90": duration(times.p90),
                }
            )
        else:
            words.append(_("%(group)s: fewer than %(num)s resolved, so no times are shown.") % {
                "group": _(GROUP_LABELS[group]), "num": SUPPRESS_BELOW})  # fmt: skip
    return Section(
        "resolve",
        _("Time to resolve"),
        [("resolved", _("Resolved")), ("median", _("Median")), ("p90", _("90th percentile"))],
        rows,
        summary=" ".join(words),
        label_heading=_("Reports"),
        note=_("From the report to its latest move to Resolved in the audit log, for reports that are resolved "
               "or closed now. There is no target for resolving: the escalation targets are for acknowledging. "
               "Duplicates linked to a first report are left out."),
    )  # fmt: skip


def _backlog(figures: Figures) -> list[Section]:
    open_all = suppress_line([sum(figures.backlog.get((ls, b), 0) for ls in (0, 1)) for b in range(4)])
    open_ls = suppress_line([figures.backlog.get((1, b), 0) for b in range(4)])
    keys = ("under_1_day", "1_to_7_days", "8_to_30_days", "over_30_days")
    rows = [Row(keys[b], _(AGE_LABELS[b]), [open_all[b], open_ls[b]]) for b in range(4)]
    section = Section(
        "backlog",
        _("Open backlog by age"),
        [("open", _("Open")), ("life_safety", _("Of them life-safety"))],
        rows,
        label_heading=_("Open for"),
        note=_("Cases open now (new, acknowledged, in progress or waiting) among the reports made up to the "
               "end of the month chosen; the school and category chosen apply."),
    )  # fmt: skip
    section.summary = _summary(rows, 0)
    section.chart = _chart(
        section, 0, desc=_("Open cases by how long they have been open.") + " " + section.summary
    )
    age = figures.backlog_age
    age_cells = _times_cells(age)
    ages = Section(
        "backlog_age",
        _("Age of the open backlog"),
        [("age", _("Age"))],
        [Row("median", _("Median"), [age_cells[0]]), Row("p90", _("90th percentile"), [age_cells[1]])],
        level=3,
        label_heading=_("Measure"),
    )
    return [section, ages]


def _dispositions(figures: Figures) -> Section:
    per = figures.dispositions
    keys = [*workflow.DISPOSITIONS, "none", "open"]
    labels = {**workflow.DISPOSITIONS, "none": NO_DISPOSITION, "open": STILL_OPEN}
    cells = suppress_line([per.get(k, 0) for k in keys])
    rows = [Row(k, _(labels[k]), [cells[i]]) for i, k in enumerate(keys)]
    section = Section(
        "dispositions",
        _("How cases ended"),
        [("cases", _("Reports and requests"))],
        rows,
        label_heading=_("Disposition"),
        note=_("For the reports and requests of the dates chosen, as they stand now."),
    )
    section.summary = _summary(rows)
    section.chart = _chart(section)
    return section


def _support(figures: Figures) -> Section:
    keys = list(workflow.SUPPORT_KINDS)
    taken = suppress_line([figures.support.get(k, (0, 0))[0] for k in keys])
    overdue = suppress_line([figures.support.get(k, (0, 0))[1] for k in keys])
    rows = [Row(k, _(workflow.SUPPORT_KINDS[k]), [taken[i], overdue[i]]) for i, k in enumerate(keys)]
    section = Section(
        "support",
        _("Support and restorative actions"),
        [("recorded", _("Recorded in these dates")), ("overdue", _("Follow-ups overdue now"))],
        rows,
        label_heading=_("Action"),
        note=_(
            "Overdue: a follow-up date before today and not marked done, for the reports up to the end of the month."
        ),
    )
    section.summary = _summary(rows, 0)
    section.chart = _chart(
        section, 0, desc=_("Support actions recorded in these dates.") + " " + section.summary
    )
    return section


def _notable(figures: Figures, schools: Sequence[SchoolInfo]) -> list[Notable]:
    counts: dict[tuple[int | None, str], tuple[int, int]] = dict(figures.notable)
    # Each category across the schools shown too, where more than one place had it (otherwise the line
    # would repeat that school's).
    combined: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (_school, category), (n_recent, n_before) in figures.notable.items():
        combined[category][0] += n_recent
        combined[category][1] += n_before
        combined[category][2] += 1
    counts.update({(ALL_SCHOOLS, c): (v[0], v[1]) for c, v in combined.items() if v[2] > 1})
    notes = []
    for change in notable_changes(counts):
        if change.school == ALL_SCHOOLS:
            place = _("all the schools shown")
        else:
            place = _place_label(change.school, schools)
        # No counts: the notable windows are not the month shown, and counts of other windows could be
        # taken from the month's own to single out a few reports (see web/insights/aggregates.py).
        values = {
            "category": _label(change.category), "place": place,
            "recent_weeks": RECENT_WEEKS, "before_weeks": BASELINE_WEEKS,
        }  # fmt: skip
        text = _(
            "%(category)s at %(place)s, in the last %(recent_weeks)s weeks against the %(before_weeks)s weeks before."
        )
        notes.append(Notable(change.rising, text % values))
    return notes


def _method() -> list[str]:
    values = {
        "recent": RECENT_WEEKS, "before": BASELINE_WEEKS, "min": RISE_MIN_RECENT,
        "factor": f"{RISE_FACTOR:g}", "fall_min": FALL_MIN_BASELINE, "fall": f"{FALL_FACTOR:.0%}",
        "odds": format_decimal(round(1 / SIGNIFICANCE), locale=i18n.current_locale()),
    }  # fmt: skip
    return [
        _("Each category at each school, and each category across all the schools shown, is compared: the "
          "last %(recent)s weeks up to the end date against the %(before)s weeks before them.") % values,
        _("A sharp rise: at least %(min)s in the last %(recent)s weeks, and a weekly rate at least %(factor)s "
          "times the weekly mean of the %(before)s weeks before.") % values,
        _("A sharp fall: at least %(fall_min)s in the %(before)s weeks before, and a weekly rate in the last "
          "%(recent)s weeks at most %(fall)s of theirs.") % values,
        _("Either must also be too large to be chance: had the rate stayed the same, a split this uneven "
          "between the two periods would happen less than once in %(odds)s times (an exact binomial test "
          "on the two counts). Ordinary ups and downs of small numbers are not shown.") % values,
        _("Counts under %(num)s are shown as “fewer than %(num)s”.") % {"num": SUPPRESS_BELOW},
    ]  # fmt: skip


def csv_rows(dashboard: Dashboard) -> list[list[str]]:
    """The CSV: one line per figure, with stable ids and the same words as the page."""
    lines = [[_("Section id"), _("Section"), _("Row id"), _("Row"), _("Column id"), _("Column"), _("Value")]]
    for section in dashboard.all_sections():
        for row in section.rows:
            for (column_key, column_title), cell in zip(section.columns, row.cells, strict=True):
                lines.append(
                    [section.key, section.title, row.key, row.label, column_key, column_title, cell.csv]
                )
    return lines


__all__ = ["Dashboard", "Section", "build", "csv_rows", "fewer_than"]
