"""The installable app: web app manifest, the service worker, the offline page, and the list of
pages a device keeps for offline use.

The service worker's source is service_worker/sw.js. It is served at /sw.js (scope /) with its
configuration written in front: a version derived from the content of everything it caches, so a
deploy changes the version and every device updates itself and drops the old caches.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template

from web import i18n
from web.district.services import get_district, list_schools
from web.page_cache import PAGE_SECONDS
from web.resources.services import load_resources
from web.resources.taxonomy import NEEDS
from web.settings import PROJECT_ROOT, load_settings
from web.templating import render, static_url

SERVICE_WORKER_SOURCE = PROJECT_ROOT / "service_worker" / "sw.js"
# What the public pages need to draw themselves with no network. Staff files are never cached.
SHELL_FILES = (
    "css/lantern.css",
    "js/lantern.js",
    "js/offline.js",
    "js/outbox.js",
    "js/kiosk.js",
    "js/push-keys.js",
    "js/signal.js",
    "js/pow-worker.js",
    "vendor/htmx-2.0.11.min.js",
    "icons/app-192.png",
)
OFFLINE_PAGES_PATH = "/offline/pages"


@cache
def shell_urls() -> tuple[str, ...]:
    return tuple(static_url(path) for path in SHELL_FILES)


@cache
def worker_version() -> str:
    """A digest of the worker's source, every file it precaches, and the release label (if any)."""
    digest = hashlib.sha256(SERVICE_WORKER_SOURCE.read_bytes())
    for url in shell_urls():
        digest.update(url.encode())
    digest.update(load_settings().release.encode())
    return digest.hexdigest()[:12]


def worker_script() -> str:
    config = {
        "version": worker_version(),
        "shell": list(shell_urls()),
        "outbox": static_url("js/outbox.js"),
        "icon": static_url("icons/app-192.png"),
        "locales": list(i18n.AVAILABLE_LOCALES),
        "pagesList": OFFLINE_PAGES_PATH,
    }
    return f"self.LANTERN = {json.dumps(config)};\n" + SERVICE_WORKER_SOURCE.read_text()


class AppShellController(Controller):
    @get("/sw.js", name="service_worker", include_in_schema=False)
    async def service_worker(self) -> Response[str]:
        # no-cache: the browser checks for a new worker on every visit (it does so at least daily anyway).
        return Response(
            worker_script(),
            media_type="text/javascript",
            headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
        )

    @get("/manifest.webmanifest", name="manifest", include_in_schema=False)
    async def manifest(self) -> Response[dict[str, Any]]:
        district = await get_district()
        locale = i18n.current_locale()
        icons = [
            {
                "src": static_url("icons/app-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static_url("icons/app-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static_url("icons/app-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ]
        body = {
            "id": "/",
            "name": district.name,
            "short_name": district.short_name,
            "description": i18n.gettext("Get help quietly: resources, a crisis counselor, or your school."),
            "lang": locale,
            "dir": i18n.text_direction(locale),
            "start_url": f"{i18n.link_prefix()}/",
            "scope": "/",
            "display": "standalone",
            "theme_color": district.brand_color,
            "background_color": "#ffffff",
            "icons": icons,
        }
        return Response(body, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"})

    @get("/offline", name="offline", cache=PAGE_SECONDS)
    async def offline(self, request: Request) -> Template:
        return await render(request, "offline.html", {})

    @get("/install", name="install", cache=PAGE_SECONDS)
    async def install(self, request: Request) -> Template:
        return await render(request, "install.html", {})

    @get(OFFLINE_PAGES_PATH, name="offline_pages", include_in_schema=False, cache=PAGE_SECONDS)
    async def offline_pages(self) -> Response[dict[str, list[str]]]:
        """Every public page a device keeps for offline use in this language: the whole directory
        (so what is cached never tells which entries someone looked at), the counselor page, the
        forms (the outbox sends them later) and the offline page."""
        prefix = i18n.link_prefix()
        pages = ["/", "/counselor", "/resources", "/report", "/community", "/offline", "/install"]
        pages += [f"/resources?need={need.code}" for need in NEEDS]
        pages += [f"/resources?school={school.slug}" for school in await list_schools()]
        pages += [f"/resources/{resource.id}" for resource in await load_resources()]
        return Response({"pages": [prefix + page for page in pages]}, headers={"Cache-Control": "no-cache"})
