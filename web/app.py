"""create_app(): the Litestar application, its plugins, templates, routes and start-up."""

from __future__ import annotations

import warnings
from pathlib import Path

from jinja2 import Environment
from litestar import Litestar, Request, get
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotAuthorizedException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.utils.warnings import LitestarWarning
from litestar_htmx import HTMXPlugin

from web import cookies, i18n, live, page_cache
from web.alerts.worker import Worker
from web.api.hsds import HsdsController
from web.cases.retention import DailyPurge
from web.cases.services import purge_pending_uploads
from web.cross_site import cross_site_guard
from web.db import close_pool, open_pool
from web.district.services import ensure_district
from web.district.tables import District
from web.help.controllers import help_routes
from web.help.errors import ERROR_HANDLERS
from web.help.kiosk import kiosk_middleware
from web.insights.controllers import INSIGHTS_CONTROLLERS
from web.live import build_channels
from web.logs import AppLogging, RequestLog
from web.migrate import migrate
from web.nul_bytes import nul_free
from web.secrets_store import installation_secret
from web.security import SecurityHeadersMiddleware
from web.settings import PROJECT_ROOT, Settings, load_settings
from web.slow_requests import BodyDeadlineMiddleware
from web.staff.admin_controllers import ADMIN_CONTROLLERS
from web.staff.alert_controllers import StaffAlertsController
from web.staff.controllers import STAFF_CONTROLLERS
from web.staff.escalation_admin import EscalationAdminController
from web.staff.guards import to_sign_in
from web.staff.hsds_admin import HsdsAdminController
from web.staff.kiosk_admin import KioskAdminController
from web.staff.resource_admin import ResourceAdminController
from web.staff.sso_controllers import SingleSignOnController
from web.templating import configure_jinja

TEMPLATE_DIRS = [
    PROJECT_ROOT / "web" / "templates",
    PROJECT_ROOT / "web" / "help" / "templates",
    PROJECT_ROOT / "web" / "staff" / "templates",
    PROJECT_ROOT / "web" / "insights" / "templates",
    PROJECT_ROOT / "components",
]


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    """200 once the database answers (start-up migrated it before serving)."""
    await ensure_district()
    return {"status": "ok"}


async def _choose_locale(request: Request) -> None:
    # Async on purpose: a sync hook may run in a worker thread, where the context variable would be lost.
    locale, prefix = i18n.locale_of(request.scope, request.headers.get("accept-language"))
    i18n.set_locale(locale, prefix=prefix)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    # Litestar tries the CSRF exclude pattern on a made-up path that does not start with /staff and
    # wrongly warns that it matches every path; staff posts without their token are refused (see
    # test_hardening.py::test_every_staff_form_refuses_a_post_without_its_csrf_token).
    warnings.filterwarnings(
        "ignore",
        message=r"Middleware 'CSRFMiddleware' exclude pattern '\^/\(\?!staff\)' greedily",
        category=LitestarWarning,
    )

    def jinja_callback(engine: JinjaTemplateEngine) -> None:
        env: Environment = engine.engine
        configure_jinja(env, settings)

    channels = build_channels(settings)
    alerts = Worker()
    daily_purge = DailyPurge()  # retention (web/cases/retention.py)
    page_changes = page_cache.Follower()  # other processes' edits to what public pages show

    async def on_startup() -> None:
        await open_pool(District._meta.db, settings.db_pool_size)
        await migrate()
        await ensure_district()
        await purge_pending_uploads()
        live.activate(channels)
        if live.fans_out(settings):
            page_changes.start(channels)
        if settings.run_worker:
            alerts.start()
            daily_purge.start()

    async def on_shutdown() -> None:
        live.deactivate(channels)
        await page_changes.stop()
        await alerts.stop()
        await daily_purge.stop()
        await close_pool(District._meta.db)

    app = Litestar(
        route_handlers=[
            *help_routes(settings),
            *STAFF_CONTROLLERS,
            SingleSignOnController,
            *ADMIN_CONTROLLERS,
            *INSIGHTS_CONTROLLERS,
            KioskAdminController,
            ResourceAdminController,
            StaffAlertsController,
            EscalationAdminController,
            HsdsAdminController,
            HsdsController,
            healthz,
            create_static_files_router(
                path="/static",
                directories=[PROJECT_ROOT / "static"],
                include_in_schema=False,
                # URLs carry a content hash (static_url), so a file never changes under its URL.
                cache_control=CacheControlHeader(max_age=31_536_000, public=True),
            ),
        ],
        plugins=[HTMXPlugin(), channels],
        # Only staff forms carry CSRF tokens: the public side sets no cookie on a shared device.
        csrf_config=CSRFConfig(
            secret=installation_secret("csrf_secret", "LANTERN_CSRF_SECRET").decode(),
            cookie_name=cookies.name(cookies.CSRF),
            cookie_path="/",
            cookie_samesite="strict",
            cookie_httponly=True,
            cookie_secure=cookies.secure(),
            exclude=[r"^/(?!staff)"],
        ),
        template_config=TemplateConfig(
            directory=[Path(d) for d in TEMPLATE_DIRS],
            engine=JinjaTemplateEngine,
            engine_callback=jinja_callback,
        ),
        before_request=_choose_locale,
        # Public help pages answered from memory for a few seconds (web/page_cache.py).
        response_cache_config=ResponseCacheConfig(
            key_builder=page_cache.page_key, cache_response_filter=page_cache.keep_answer
        ),
        stores={page_cache.STORE_NAME: page_cache.BoundedMemoryStore()},
        middleware=[cross_site_guard, kiosk_middleware, page_cache.release_unfinished],
        exception_handlers={**ERROR_HANDLERS, NotAuthorizedException: to_sign_in},
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        # Requests for other host names (DNS rebinding, a misrouted proxy) get 400.
        allowed_hosts=AllowedHostsConfig(
            allowed_hosts=[*settings.allowed_hosts, "127.0.0.1", "localhost"], www_redirect=False
        )
        if settings.allowed_hosts
        else None,
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=512, gzip_compress_level=6, exclude=["/staff/events"]
        ),
        # Up to six 10 MB photos and the text with them.
        request_max_body_size=settings.max_photos * settings.max_photo_bytes + 1024 * 1024,
        openapi_config=None,
        logging_config=AppLogging(),
        debug=settings.debug,
    )
    # Outermost, the security headers on every answer; then the language segment comes off the path
    # before anything routes on it; then the request log (route templates only, web/logs.py); then the
    # body's deadline and size (web/slow_requests.py); innermost, NUL bytes out (web/nul_bytes.py).
    app.asgi_handler = SecurityHeadersMiddleware(
        i18n.LocalePrefixMiddleware(RequestLog(BodyDeadlineMiddleware(nul_free(app.asgi_handler)))),
        hsts=settings.hsts,
    )
    return app
