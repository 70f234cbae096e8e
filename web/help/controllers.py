"""Everything students, families and community members can reach. Nothing here needs sign-in,
and nothing here may import from web.staff."""

from litestar import Router
from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ControllerRouterHandler

from web import limits
from web.help.app_shell import AppShellController
from web.help.check import CheckController
from web.help.home import HomeController
from web.help.kiosk import KioskController
from web.help.report import ReportController
from web.help.resources import ResourcesController
from web.settings import Settings


async def check_limit(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """/check tries per address (an IPv6 /64 as one, like the report limits), counted in web/limits.py
    under a keyed hash: an address is never stored. Opening the page is free."""
    if handler.opt.get("skip_rate_limit"):
        return
    address = limits.client_address(connection)
    if not await limits.check_allowed(address):
        raise TooManyRequestsException()


def help_routes(settings: Settings) -> list[ControllerRouterHandler]:
    check = Router(path="/", route_handlers=[CheckController], guards=[check_limit])
    return [HomeController, ResourcesController, ReportController, AppShellController, KioskController, check]
