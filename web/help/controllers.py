"""Everything students, families and community members can reach. Nothing here needs sign-in,
and nothing here may import from web.staff."""

from litestar import Router
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.types import ControllerRouterHandler

from web.help.app_shell import AppShellController
from web.help.check import CheckController
from web.help.home import HomeController
from web.help.kiosk import KioskController
from web.help.report import ReportController
from web.help.resources import ResourcesController
from web.settings import Settings


def help_routes(settings: Settings) -> list[ControllerRouterHandler]:
    # /check is rate-limited per client address, counted in memory only: an address is never stored.
    check_limit = RateLimitConfig(
        rate_limit=("minute", settings.check_rate_per_minute), exclude_opt_key="skip_rate_limit"
    )
    check = Router(path="/", route_handlers=[CheckController], middleware=[check_limit.middleware])
    return [HomeController, ResourcesController, ReportController, AppShellController, KioskController, check]
