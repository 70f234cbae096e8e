"""A page on another site carries a copy of the report form posting to Lantern: the visitor's browser
sends it, and Lantern refuses it kindly; the same form on Lantern itself still sends (issue 16)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import report_form
from tests.e2e.navigators.report_form import Report
from tests.e2e.support import FIRST_PARTY_HOST, LanternServer, run_service

# Another site: "localhost" is not the same site as 127.0.0.1, whatever the port.
OTHER_SITE_HOST = "localhost"

OWN_REPORT = Report(
    category="bullying",
    danger_now="no",
    place="lincoln-hs",
    description="Older kids push a boy into the lockers every morning.",
)
COUNT_REPORTS = """
async def main():
    print(await Report.count())
"""


def other_site_page(target: str) -> bytes:
    return f"""<!doctype html><html lang="en"><head><title>Free prizes</title></head><body>
<form method="post" action="{target}">
  <input type="hidden" name="category" value="weapon">
  <input type="hidden" name="danger_now" value="yes">
  <input type="hidden" name="place" value="lincoln-hs">
  <input type="hidden" name="description" value="Someone has a gun in the gym right now.">
  <button type="submit">Claim your prize</button>
</form></body></html>""".encode()


@pytest.fixture
def other_site(server: LanternServer) -> Iterator[str]:
    page = other_site_page(f"{server.url}/report")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *_args: object) -> None:
            pass

    httpd = ThreadingHTTPServer((FIRST_PARTY_HOST, 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://{OTHER_SITE_HOST}:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def reports(server: LanternServer) -> int:
    return int(run_service(server, COUNT_REPORTS))


def test_a_form_on_another_site_cannot_send_a_report(
    open_context: OpenContext, server: LanternServer, other_site: str
) -> None:
    before = reports(server)
    page = open_context(allowed_hosts=(OTHER_SITE_HOST,)).new_page()
    page.goto(other_site)
    with page.expect_response(f"{server.url}/report") as posted:
        page.get_by_role("button", name="Claim your prize").click()
    assert posted.value.status == 403
    expect(page.get_by_role("heading", name="Nothing was sent")).to_be_visible()
    assert reports(server) == before

    # The way back opens Lantern's own form, which sends as always.
    page.get_by_role("link", name="Go back to the form").click()
    expect(page).to_have_url(f"{server.url}/report")
    report_form.fill(page, OWN_REPORT)
    report_form.send(page)
    report_form.receipt_code(page)
    assert reports(server) == before + 1
