"""Pulling the plug mid-flood: 500 submissions from concurrent clients while the server is killed with
SIGKILL at random moments and started again. Clients retry with their idempotency keys until they get
an answer. Every acknowledged submission is stored exactly once, no report is half-written (a report's
photo arrives with it or the report does not exist), and no photo is left without its report."""

from __future__ import annotations

import io
import random
import secrets
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from tests.e2e.support import LanternServer, run_service

SUBMISSIONS = 500
CLIENTS = 10


@pytest.fixture
def crash_server() -> Iterator[LanternServer]:
    lantern = LanternServer.fresh().start()
    yield lantern
    lantern.stop()
    lantern.remove_data()


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_killed_at_random_moments_every_acknowledged_report_is_there_once(
    crash_server: LanternServer,
) -> None:
    keys = [secrets.token_urlsafe(24) for _ in range(SUBMISSIONS)]
    with_photo = set(random.Random(7).sample(range(SUBMISSIONS), SUBMISSIONS // 5))  # noqa: S311 (a test plan, not a secret)
    acknowledged: set[str] = set()
    lock = threading.Lock()
    work = list(enumerate(keys))
    done = threading.Event()
    picture = photo()

    def client() -> None:
        with httpx.Client(timeout=10) as http:
            while True:
                with lock:
                    if not work:
                        return
                    index, key = work.pop()
                while True:  # retry with the same key until the server answers
                    try:
                        files = {"photos": ("p.png", picture, "image/png")} if index in with_photo else None
                        data = {"category": "bullying", "danger_now": "no", "place": "lincoln-hs",
                                "description": f"Crash test {index}", "idempotency_key": key}  # fmt: skip
                        response = http.post(f"{crash_server.url}/report", data=data, files=files)
                        # A receipt, or "already received" for a retry of a report that is there.
                        received = 'data-code="' in response.text or "already-received" in response.text
                        if response.status_code == 200 and received:
                            with lock:
                                acknowledged.add(key)
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.2)

    def killer() -> None:
        rng = random.Random(11)  # noqa: S311 (when to pull the plug, not a secret)
        while not done.is_set():
            time.sleep(rng.uniform(1.0, 3.0))
            if done.is_set():
                return
            crash_server.kill()
            crash_server.start(port=crash_server.port)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    plug = threading.Thread(target=killer)
    for thread in threads:
        thread.start()
    plug.start()
    for thread in threads:
        thread.join(timeout=600)
    done.set()
    plug.join(timeout=60)
    assert len(acknowledged) == SUBMISSIONS

    counts = run_service(
        crash_server,
        """
        import json
        from web.cases.tables import Attachment, PendingUpload

        async def main(*acknowledged):
            reports = await Report.select(Report.id, Report.idempotency_key, Report.description)
            attachments = await Attachment.select(Attachment.report)
            with_photos = {a["report"] for a in attachments}
            ids = {r["id"] for r in reports}
            print(json.dumps({
                "reports": len(reports),
                "keys": len({r["idempotency_key"] for r in reports}),
                "keys_list": [r["idempotency_key"] for r in reports],
                "acknowledged": [services.key_digest(key) for key in acknowledged],
                "photos": len(attachments),
                "reports_with_photo": len(with_photos),
                "orphans": len(with_photos - ids),
                "pending": await PendingUpload.count(),
            }))
        """,
        *sorted(acknowledged),
    )
    import json

    figures = json.loads(counts)
    assert figures["reports"] == SUBMISSIONS == figures["keys"]  # each acknowledged submission once
    assert set(figures["keys_list"]) == set(figures["acknowledged"])  # stored as their hashes
    assert figures["photos"] == len(with_photo) == figures["reports_with_photo"]  # never half-written
    assert figures["orphans"] == 0
