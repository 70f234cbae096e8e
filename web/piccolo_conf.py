"""Piccolo's configuration: the engine from settings and every area's tables."""

from piccolo.conf.apps import AppRegistry

from web.db import build_engine

DB = build_engine()

APP_REGISTRY = AppRegistry(
    apps=[
        "web.district.piccolo_app",
        "web.resources.piccolo_app",
        "web.cases.piccolo_app",
        "web.staff.piccolo_app",
        "web.alerts.piccolo_app",
    ]
)
