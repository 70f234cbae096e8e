"""The directory as an Open Referral HSDS 3.0 package, from the console: district admins download it,
and upload one to check it or load it (all or nothing; errors listed per record, where and why)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Template

from web.help.forms import read_form
from web.i18n import N_
from web.resources.hsds.export import counts, directory_records
from web.resources.hsds.importer import ImportMode, import_path
from web.resources.hsds.json_package import write_json_package
from web.staff import audit
from web.staff.admin_controllers import admin_page
from web.staff.guards import current_staff, require_staff
from web.staff.tables import StaffAccount

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


async def _only_district(account: StaffAccount) -> None:
    if account.role != "district_admin":
        await audit.record("admin.refused", staff=account)
        raise NotFoundException()


class HsdsAdminController(Controller):
    path = "/staff/admin/resources/hsds"
    guards = [require_staff]

    @get("/", name="admin_hsds")
    async def show(self, request: Request) -> Template:
        await _only_district(current_staff(request))
        return await admin_page(
            request, "admin_hsds.html", {"report": None, "mode": "merge", "check_only": True}
        )

    @get("/directory.json", name="admin_hsds_export")
    async def export(self, request: Request) -> Response[bytes]:
        account = current_staff(request)
        await _only_district(account)
        records = await directory_records()
        with tempfile.TemporaryDirectory() as folder:
            path = write_json_package(records, Path(folder) / "directory.json")
            body = path.read_bytes()
        await audit.record("resource.exported", staff=account, rows=sum(counts(records).values()))
        return Response(
            body,
            media_type="application/json",
            headers={
                "Content-Disposition": 'attachment; filename="directory-hsds.json"',
                "Cache-Control": "no-store",
            },
        )

    @post("/", name="admin_hsds_import", status_code=200)
    async def upload(self, request: Request) -> Template:
        account = current_staff(request)
        await _only_district(account)
        data, files = await read_form(request, file_field="file")
        mode = ImportMode.REPLACE if data.get("mode") == "replace" else ImportMode.MERGE
        check_only = data.get("check_only") == "yes"
        context: dict[str, Any] = {"mode": mode.value, "check_only": check_only, "report": None}
        upload = next((f for f in files if f.filename), None)
        if upload is None:
            context["upload_error"] = N_("Choose an HSDS JSON file to upload.")
            return await admin_page(request, "admin_hsds.html", context, 422)
        content = await upload.read()
        if len(content) > MAX_UPLOAD_BYTES:
            context["upload_error"] = N_("That file is larger than 20 MB.")
            return await admin_page(request, "admin_hsds.html", context, 422)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload.json"
            path.write_bytes(content)
            report = await import_path(path, fmt="json", mode=mode, check_only=check_only)
        if report.written:
            await audit.record(
                "resource.imported", staff=account, mode=mode.value, rows=sum(report.counts.values())
            )
        context["report"] = report
        return await admin_page(request, "admin_hsds.html", context, 200 if report.ok else 422)
