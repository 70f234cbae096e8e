"""/staff/insights (the dashboards) and /staff/insights.csv (their figures), behind the staff guard.

District admins and analysts see the whole district, school admins their own schools; responders are
refused with a 404, as for other pages that are not theirs, and the refusal is audited. Filters are in
the URL query (a GET form: no JavaScript needed); a school the viewer may not see is dropped from the
filter, never counted. Nothing here reads or shows case content.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from web.cases.categories import CATEGORIES
from web.district.services import get_district
from web.insights import dashboard, queries
from web.insights.aggregates import BASELINE_WEEKS, SUPPRESS_BELOW, parse_filters, whole_months
from web.staff import audit
from web.staff.guards import current_staff, require_staff
from web.staff.tables import StaffAccount
from web.templating import render

# A cell starting with one of these would be read as a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def _dashboard(request: Request, account: StaffAccount) -> dashboard.Dashboard:
    scope = await queries.scope_for(account)
    if scope is None:
        await audit.record("insights.refused", staff=account)
        raise NotFoundException()
    district = await get_district()
    zone = ZoneInfo(district.timezone or "UTC")
    now = datetime.now(tz=UTC)
    schools = await queries.schools_in(scope)
    filters = parse_filters(
        request.query_params,
        today=now.astimezone(zone).date(),
        schools=[s.slug for s in schools],
        categories=[c.key for c in CATEGORIES],
    )
    figures = await queries.figures_for(scope, filters, zone, now)
    board = dashboard.build(figures)
    board.months = whole_months(now.astimezone(zone).date())
    if filters.period not in {key for key, _start, _end in board.months}:
        board.months.append((filters.period, filters.start, filters.end))  # an older month asked for
    return board


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


class InsightsController(Controller):
    path = "/staff"
    guards = [require_staff]

    @get("/insights", name="staff_insights")
    async def show(self, request: Request) -> Template:
        account = current_staff(request)
        board = await _dashboard(request, account)
        context = {
            "staff": account,
            "board": board,
            "categories": CATEGORIES,
            "csv_query": board.filters.query(),
            "limit": SUPPRESS_BELOW,
            "baseline_weeks": BASELINE_WEEKS,
            "months": board.months,
            "month_label": dashboard.month_label,
        }
        return await render(request, "insights.html", context, no_store=True)

    @get("/insights.csv", name="staff_insights_csv")
    async def export(self, request: Request) -> Response[bytes]:
        account = current_staff(request)
        board = await _dashboard(request, account)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for line in dashboard.csv_rows(board):
            writer.writerow([_safe(cell) for cell in line])
        await audit.record("insights.exported", staff=account, filters=board.filters.query())
        name = f"lantern-insights-{board.filters.start.isoformat()}-to-{board.filters.end.isoformat()}.csv"
        return Response(
            # A byte-order mark, so spreadsheets read the accents of other languages right.
            ("\ufeff" + out.getvalue()).encode(),
            media_type="text/csv",
            headers={"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'},
        )


INSIGHTS_CONTROLLERS = [InsightsController]
