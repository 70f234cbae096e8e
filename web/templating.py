"""Jinja set-up shared by every area, and `render()`: one partial serves the page and the htmx swap."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from jinja2 import Environment
from litestar import Request
from litestar.response import Template
from markupsafe import Markup

from web import i18n
from web.cases.receipts import group
from web.district.kiosks import kiosk_of
from web.district.services import get_district
from web.resources.links import is_safe_link
from web.settings import PROJECT_ROOT, Settings


@cache
def static_url(path: str) -> str:
    """/static/<path>?v=<content hash>: a deploy changes the URL, so no device keeps a stale file."""
    digest = hashlib.sha256((PROJECT_ROOT / "static" / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


_ICON_NAME = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)?\.svg")


@cache
def _icon_source(name: str) -> str:
    if not _ICON_NAME.fullmatch(name):
        raise ValueError(f"not an icon name: {name!r}")
    return (PROJECT_ROOT / "static" / "icons" / name).read_text().strip()


def icon(name: str, size: int) -> Markup:
    """A decorative icon drawn inside the page, not fetched on its own: a page with a dozen icons costs
    no extra requests, and the icons are there offline. Hidden from screen readers, as the words next
    to each icon say what it means."""
    svg = _icon_source(name).replace(
        "<svg ", f'<svg aria-hidden="true" focusable="false" width="{size}" height="{size}" ', 1
    )
    return Markup(svg)  # noqa: S704 (our own files under static/icons, names checked above)


def _format_when(value: datetime, tz_name: str = "America/Chicago") -> str:
    """ "Monday, November 30, 2026 7:30 AM" in the reader's language and the school's time zone."""
    local = value.astimezone(ZoneInfo(tz_name))
    locale = i18n.current_locale()
    return f"{format_date(local, format='full', locale=locale)} {format_time(local, format='short', locale=locale)}"


def ltr(value: object, lang: str | None = None) -> Markup:
    """A number or an English word inside a sentence of any language, isolated left to right: in an
    Arabic sentence 913-555-0109 otherwise reads 0109-555-913 and a full stop jumps to the other end."""
    lang_attr = Markup(' lang="{}"').format(lang) if lang else ""
    return Markup('<bdi dir="ltr"{}>{}</bdi>').format(lang_attr, value)


_KEYPAD = str.maketrans(
    {
        letter: digit
        for digit, letters in (
            ("2", "ABC"),
            ("3", "DEF"),
            ("4", "GHI"),
            ("5", "JKL"),
            ("6", "MNO"),
            ("7", "PQRS"),
            ("8", "TUV"),
            ("9", "WXYZ"),
        )
        for letter in letters
    }
)


def keypad_digits(number: str) -> str:
    """ "442-AYUDAME" → "4422983263": a number spelled in letters, as a phone keypad dials it."""
    return "".join(ch for ch in number.upper().translate(_KEYPAD) if ch.isascii() and ch.isdigit())


def configure_jinja(env: Environment, settings: Settings) -> None:
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        static_url=static_url,
        icon=icon,
        current_locale=i18n.current_locale,
        lp=i18n.link_prefix,
        languages=i18n.display_names(),
        text_direction=i18n.text_direction,
        language_names=i18n.language_names,
        quick_exit_url=settings.quick_exit_url,
    )
    env.filters.update(receipt_groups=group, when=_format_when, ltr=ltr, keypad_digits=keypad_digits)
    env.tests.update(safe_link=is_safe_link)
    env.trim_blocks = True
    env.lstrip_blocks = True


async def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status_code: int = 200,
    no_store: bool = False,
) -> Template:
    """The full page, or only its partial when htmx asked for a swap (not for a boosted page load)."""
    htmx = getattr(request, "htmx", None)
    name = partial if partial and htmx and not htmx.boosted else template
    district = await get_district()
    full_context = {
        "district": district,
        "request_path": request.url.path,
        "kiosk": kiosk_of(request.scope),
        **context,
    }
    # no_store: pages with a receipt code, a case, or anything personal are never kept by a browser.
    headers = {"Cache-Control": "no-store"} if no_store else None
    return Template(template_name=name, context=full_context, status_code=status_code, headers=headers)
