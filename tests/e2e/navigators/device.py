"""The device a student uses: its service worker, its caches and storage, and its network."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page

from tests.e2e.support import LanternServer, run_service

# Everything a page can read back from its device, as text, with the outbox's sealed bytes as
# text too (so a plaintext leak into IndexedDB would show up).
READ_EVERY_STORAGE_AREA = """async () => {
  const out = {local: JSON.stringify({...localStorage}), session: JSON.stringify({...sessionStorage}),
               idb: [], caches: [], page: document.documentElement.outerHTML};
  const decoder = new TextDecoder("utf-8", {fatal: false});
  const asText = (value) => {
    if (value instanceof ArrayBuffer) return decoder.decode(new Uint8Array(value));
    if (ArrayBuffer.isView(value)) return decoder.decode(value);
    if (value && typeof value === "object") return Object.values(value).map(asText).join(" ");
    return String(value);
  };
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, fail) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    for (const name of db.objectStoreNames) {
      const rows = await new Promise((ok) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result); });
      out.idb.push(info.name + "/" + name + ": " + rows.map(asText).join(" | "));
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const body = await (await cache.match(request)).text();
      out.caches.push(name + " " + request.url + " " + body);
    }
  }
  return out;
}"""


def waits_for_service_worker(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready")
    # Polled from here: wait_for_function compiles its predicate in the page, which our CSP forbids.
    waits_until(page, "() => navigator.serviceWorker.controller !== null", timeout_s=15.0)


def waits_until_kept_offline(page: Page, path: str, timeout_s: float = 30.0) -> None:
    """Until the service worker has kept `path` (e.g. the directory) for offline use."""
    # Polled from here: wait_for_function does not wait for a promise to settle.
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(KEPT, path):
        assert time.monotonic() < deadline, f"{path} was not kept for offline use in {timeout_s}s"
        time.sleep(0.25)


KEPT = """async (path) => {
    for (const name of (await caches.keys()).filter((n) => n.startsWith("lantern-pages-"))) {
        if (await (await caches.open(name)).match(path)) return true;
    }
    return false;
}"""


def waits_until(page: Page, script: str, arg: object = None, timeout_s: float = 20.0) -> None:
    """Until an async page script resolves truthy."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"not true after {timeout_s}s: {script}"
        time.sleep(0.25)


def waits_until_language_kept(page: Page, prefix: str = "") -> None:
    """Until every public page of one language is kept (the worker notes the round when it is done)."""
    waits_until_kept_offline(page, f"{prefix}/offline/pages")


def cache_names(page: Page) -> list[str]:
    return list(page.evaluate("caches.keys()"))


def cached_urls(page: Page) -> list[str]:
    return list(
        page.evaluate(
            """async () => {
                const urls = [];
                for (const name of await caches.keys()) {
                    for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
                }
                return urls;
            }"""
        )
    )


def every_storage_area(page: Page) -> dict[str, Any]:
    return dict(page.evaluate(READ_EVERY_STORAGE_AREA))


def outbox_size(page: Page) -> int:
    return int(
        page.evaluate(
            """() => new Promise((ok) => {
                const r = indexedDB.open("lantern-outbox");
                r.onsuccess = () => {
                    const db = r.result;
                    if (!db.objectStoreNames.contains("items")) { db.close(); ok(0); return; }
                    const c = db.transaction("items").objectStore("items").count();
                    c.onsuccess = () => { db.close(); ok(c.result); };
                };
            })"""
        )
    )


def reports_saying(server: LanternServer, words: str) -> int:
    """How many stored reports contain these words (each story uses words of its own)."""
    return int(
        run_service(
            server,
            """
            from web.cases import sealing

            async def main(words):
                # Descriptions are sealed at rest: open them here, as the staff pages do.
                rows = await Report.select(Report.description)
                print(sum(1 for r in rows if words in str(sealing.open_value(Report, "description", r["description"]))))
            """,
            words,
        )
    )
