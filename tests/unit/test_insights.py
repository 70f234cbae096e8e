"""The Insights rules that need no database: suppression, percentiles, notable changes, periods, filters,
the SQL composition and the charts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from web.insights import charts
from web.insights.aggregates import (
    ESCALATION_TARGETS,
    Count,
    chance_at_least,
    chance_at_most,
    count,
    duration,
    month_bounds,
    month_of,
    nearest_rank,
    notable_changes,
    parse_filters,
    percentile,
    share,
    suppress_line,
    suppress_matrix,
    times_from,
    week_bounds,
    whole_months,
)
from web.insights.queries import Sql, sql, value

CHICAGO = ZoneInfo("America/Chicago")


def _shown(cells: list[Count]) -> list[int | None]:
    return [cell.value for cell in cells]


def test_counts_under_five_are_hidden_and_five_is_shown() -> None:
    assert count(4).hidden and count(4).page == "fewer than 5" and count(4).csv == "fewer than 5"
    assert count(0).hidden  # "none" can single someone out as much as "one"
    assert not count(5).hidden and count(5).page == "5" and count(5).csv == "5"
    assert count(12345).page == "12,345" and count(12345).csv == "12345"


def test_a_single_hidden_cell_in_a_line_hides_the_next_smallest() -> None:
    # 3 alone could be worked out from the total (20), so 7 goes too; 10 stays.
    assert _shown(suppress_line([10, 3, 7])) == [10, None, None]
    assert _shown(suppress_line([10, 3, 2])) == [10, None, None]
    assert _shown(suppress_line([0, 12])) == [None, None]
    assert _shown(suppress_line([6, 5, 9])) == [6, 5, 9]
    assert _shown(suppress_line([])) == []


def test_matrix_suppression_covers_rows_and_columns() -> None:
    cells = suppress_matrix([[10, 2, 12], [8, 9, 17]])
    values = [[c.value for c in row] for row in cells]
    # Row 0 has 2 hidden → 10 hidden (smallest other); column 1 then has 2 hidden → 9 hidden;
    # row 1 then has one hidden (9) → 8 hidden; column 0 has both hidden; column 2 keeps its two.
    assert values == [[None, None, 12], [None, None, 17]]
    for row in values:
        assert sum(1 for v in row if v is None) != 1
    for column in zip(*values, strict=True):
        assert sum(1 for v in column if v is None) != 1


def test_shares_of_small_groups_are_not_shown() -> None:
    assert share(count(6), count(22)).text == "27%"
    assert share(count(4), count(22)).hidden
    assert share(count(6), count(4)).hidden
    assert share(count(0), count(0)).hidden


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 1, 2) == 5.0 and percentile(values, 9, 10) == 9.0
    assert nearest_rank(1, 9, 10) == 1 and nearest_rank(4, 1, 2) == 2 and nearest_rank(6, 9, 10) == 6
    assert nearest_rank(20, 9, 10) == 18 and nearest_rank(21, 9, 10) == 19
    times = times_from([600, 60, 120, 180, 240, 270], ESCALATION_TARGETS["life_safety"].total_seconds())
    assert (times.n, times.median, times.p90, times.within_target) == (6, 180, 600, 5)
    assert times.shown and not times_from([1, 2, 3, 4]).shown


def test_targets_are_five_minutes_and_a_day() -> None:
    assert ESCALATION_TARGETS == {"life_safety": timedelta(minutes=5), "other": timedelta(hours=24)}


def test_durations_read_in_the_best_unit() -> None:
    assert duration(45) == "45 sec"
    assert duration(180) == "3 min"
    assert duration(3 * 3600) == "3 hr"
    assert duration(30 * 3600) == "30 hr"
    assert duration(10 * 86400) == "10 days"
    assert duration(None) == "not shown (fewer than 5)"


def test_notable_changes_need_size_ratio_and_more_than_chance() -> None:
    changes = notable_changes(
        {
            (1, "bullying"): (20, 8),  # 5 a week against 1 a week: a rise
            (2, "bullying"): (4, 8),  # 1 a week against 1 a week: nothing
            (3, "bullying"): (4, 0),  # too few to call a rise
            (3, "fight"): (7, 0),  # seven where there were none: a rise
            (3, "gang"): (6, 0),  # six could be chance (1 in 729): not shown
            (5, "harassment"): (20, 19),  # twice the rate, but chance about 1 time in 65: not shown
            (4, "drugs"): (0, 24),  # none against 3 a week: a fall
            (5, "drugs"): (1, 16),  # a fall in rate, but about 1 time in 100 by chance: not shown
            (6, "food"): (7, 8),  # 1.75 against 1: not twice
        }
    )
    found = [(c.school, c.category, c.rising) for c in changes]
    assert found == [(1, "bullying", True), (3, "fight", True), (4, "drugs", False)]


def test_chance_of_an_uneven_split() -> None:
    assert chance_at_least(7, 7, 1 / 3) == pytest.approx(1 / 3**7)
    assert chance_at_most(0, 24, 1 / 3) == pytest.approx((2 / 3) ** 24)
    assert chance_at_least(0, 10, 1 / 3) == 1.0 and chance_at_most(10, 10, 1 / 3) == 1.0
    assert chance_at_least(10, 12, 1 / 3) == pytest.approx((66 * 4 + 12 * 2 + 1) / 3**12)


def test_weeks_run_from_local_midnight_across_daylight_saving() -> None:
    starts = [date(2025, 3, 3), date(2025, 3, 10)]
    bounds = week_bounds(starts, date(2025, 3, 16), CHICAGO)
    # Standard time before 9 March (UTC-6), daylight time after (UTC-5).
    assert bounds == [
        datetime(2025, 3, 3, 6, tzinfo=UTC),
        datetime(2025, 3, 10, 5, tzinfo=UTC),
        datetime(2025, 3, 17, 5, tzinfo=UTC),
    ]


def test_filters_from_the_query() -> None:
    today = date(2026, 11, 29)  # a Sunday: November's last week has not ended
    plain = parse_filters({}, today=today, schools=["a"], categories=["bullying"])
    # October 2026 in whole ISO weeks: the weeks whose Thursday falls in October.
    assert (plain.start, plain.end) == (date(2026, 9, 28), date(2026, 11, 1)) and plain.period == "2026-10"
    assert len(plain.weeks()) == 5 and not plain.problems
    assert parse_filters({"period": "2026-02"}, today=today, schools=[], categories=[]).start == date(
        2026, 2, 2
    )
    # Older links with dates: the month of the end date's week.
    dated = parse_filters({"from": "2026-03-01", "to": "2026-02-01"}, today=today, schools=[], categories=[])
    assert (dated.start, dated.end) == (date(2025, 12, 29), date(2026, 2, 1)) and dated.period == "2026-01"
    running = parse_filters({"period": "2026-11"}, today=today, schools=[], categories=[])
    assert running.period == "2026-10" and running.problems
    wrong = parse_filters(
        {"from": "yesterday", "school": "elsewhere", "category": "nope"},
        today=today,
        schools=["mine"],
        categories=["bullying"],
    )
    assert wrong.school == "" and wrong.category == "" and len(wrong.problems) == 3
    kept = parse_filters(
        {"school": "mine", "category": "bullying"}, today=today, schools=["mine"], categories=["bullying"]
    )
    assert kept.query()["school"] == "mine" and kept.query()["category"] == "bullying"


def test_any_period_asked_for_gives_a_whole_month_and_never_an_error() -> None:
    today = date(2026, 12, 6)
    for asked in ({"period": "0001-01"}, {"period": "2026-13"}, {"period": "1-2-3"}, {"period": "x"},
                  {"to": "9999-12-31"}, {"to": "0001-01-01"}, {"from": "2026-02-30"}, {"period": "2026-11"}):  # fmt: skip
        filters = parse_filters(asked, today=today, schools=[], categories=[])
        assert filters.start.weekday() == 0 and filters.end.weekday() == 6 and filters.end < today, asked
    assert parse_filters({"period": "2026-11"}, today=today, schools=[], categories=[]).problems == ()


def test_periods_are_whole_months_of_iso_weeks_and_never_overlap() -> None:
    """No two periods one may choose share a day unless they are the same period, so one cannot be
    taken from another; each is four or five whole weeks, Monday to Sunday."""
    months = whole_months(date(2026, 12, 6), count=60)
    assert months[0][0] == "2026-11" and months[0][1:] == (date(2026, 11, 2), date(2026, 11, 29))
    for (_key, start, end), (_older, _older_start, older_end) in pairwise(months):
        assert older_end + timedelta(days=1) == start, "one after the other, no gap and no overlap"
        assert start.weekday() == 0 and end.weekday() == 6 and (end - start).days + 1 in (28, 35)
    for day in (date(2026, 11, 4) + timedelta(days=n) for n in range(40)):
        start, end = month_bounds(*month_of(day))
        assert start <= day <= end
        assert month_of(day) == month_of(day - timedelta(days=day.weekday())), "a week is never split"


def test_sql_parts_keep_their_values_in_order() -> None:
    where = sql("a = <<x>> AND b = <<y>>", x=value(1), y=value("two"))
    query = sql("SELECT <<n>> FROM t WHERE <<where>> AND c < <<z>>", n=value(0.5), where=where, z=value(3))
    assert query.text == "SELECT {} FROM t WHERE a = {} AND b = {} AND c < {}"
    assert query.args == (0.5, 1, "two", 3)
    with pytest.raises(ValueError):
        sql("SELECT {} FROM t", n=Sql("1"))


def test_charts_are_labelled_images_without_inline_style() -> None:
    svg = str(
        charts.bar_chart(
            "chart-x",
            "Reports <by> category",
            "Highest: A & B",
            [charts.Bar("<script>alert(1)</script>", 12.0, "12"), charts.Bar("Hidden", None, "fewer than 5")],
            reference=(10.0, "Target"),
        )
    )
    assert 'role="img"' in svg and 'aria-labelledby="chart-x-title chart-x-desc"' in svg
    assert '<title id="chart-x-title">Reports &lt;by&gt; category</title>' in svg
    assert '<desc id="chart-x-desc">Highest: A &amp; B</desc>' in svg
    assert "<script>" not in svg and "style=" not in svg
    # The hidden bar is an outline of fixed width: nothing in the picture says how many.
    assert re.search(r'<rect class="chart__hidden" x="1" y="\d+" width="44"', svg)
    assert svg.count('class="chart__bar"') == 1
    columns = str(
        charts.column_chart(
            "chart-w",
            "Weekly",
            "desc",
            ["Jan 1", "Jan 8"],
            [
                charts.Series(
                    "Reports", "a", [charts.Bar("w1", 6.0, "6"), charts.Bar("w2", None, "fewer than 5")]
                )
            ],
        )
    )
    assert 'role="img"' in columns and "style=" not in columns and columns.count("chart__hidden") == 1
