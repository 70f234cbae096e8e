"""Everything students, families and community members can reach. Nothing here needs sign-in,
and nothing here may import from web.staff."""

from web.help.check import CheckController
from web.help.home import HomeController
from web.help.report import ReportController
from web.help.resources import ResourcesController

HELP_CONTROLLERS = [HomeController, ResourcesController, ReportController, CheckController]
