"""Who may see and work which case. Checked in the service layer for every case, every time."""

from __future__ import annotations

from litestar.exceptions import NotFoundException

from web.cases.tables import Report, ReportSchool
from web.staff import audit
from web.staff.tables import StaffAccount, StaffSchool

CASE_ROLES = ("responder", "school_admin", "district_admin")


async def school_ids(account: StaffAccount) -> list[int]:
    rows = await StaffSchool.select(StaffSchool.school).where(StaffSchool.staff == account.id)
    return [row["school"] for row in rows]


async def sees_all_schools(account: StaffAccount) -> bool:
    return account.role == "district_admin"


async def may_work(account: StaffAccount, report: Report) -> bool:
    """District admins work every case; responders and school admins the cases of their schools.
    Analysts never see case content. Cases with no school go to the district team; an event's host
    schools all work it."""
    if account.role not in CASE_ROLES:
        return False
    if account.role == "district_admin":
        return True
    if report.school is None:
        return False
    mine = await school_ids(account)
    return report.school in mine or bool(
        mine
        and await ReportSchool.exists().where(
            (ReportSchool.report == report.id) & ReportSchool.school.is_in(mine)
        )
    )


async def hosts_case(public_id: str, school_ids: set[int]) -> bool:
    """Whether one of these schools hosts the event the case is about (live updates follow it there)."""
    import uuid

    try:
        wanted = uuid.UUID(public_id)
    except ValueError:
        return False
    if not school_ids:
        return False
    return bool(
        await ReportSchool.exists().where(
            (ReportSchool.report.public_id == wanted) & ReportSchool.school.is_in(list(school_ids))
        )
    )


async def case_for(account: StaffAccount, public_id: str) -> Report:
    """The case if this staff member may work it; otherwise 404 (so existence is not confirmed),
    and the refusal is audited."""
    import uuid

    try:
        wanted = uuid.UUID(public_id)
    except ValueError:
        raise NotFoundException() from None
    report = await Report.objects().where(Report.public_id == wanted).first()
    if report is None:
        raise NotFoundException()
    if not await may_work(account, report):
        await audit.record("case.refused", staff=account, case=report)
        raise NotFoundException()
    from web.cases.sealing import open_row

    return open_row(Report, report)
