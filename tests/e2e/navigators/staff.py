"""School staff. There is no staff console yet, so they act through the service layer."""

from __future__ import annotations

from tests.e2e.support import LanternServer, run_service


def replies(server: LanternServer, code: str, body: str, staff_name: str) -> None:
    run_service(
        server,
        """
        async def main(code, body, staff_name):
            await services.add_staff_message(await report_for(code), body, staff_name)
        """,
        code,
        body,
        staff_name,
    )


def count_reports(server: LanternServer) -> int:
    return int(
        run_service(
            server,
            """
            async def main():
                print(await Report.count())
            """,
        )
    )
