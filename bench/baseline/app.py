"""The baseline for bench/load.py: a bare Litestar route rendering a trivial Jinja template, served
by the same server with the same settings as Lantern. Lantern's figures are read as ratios to this."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, get
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig


@get("/")
async def index() -> Template:
    return Template(template_name="page.html", context={"title": "Baseline"})


def create_app() -> Litestar:
    return Litestar(
        route_handlers=[index],
        template_config=TemplateConfig(directory=Path(__file__).parent, engine=JinjaTemplateEngine),
        openapi_config=None,
    )
