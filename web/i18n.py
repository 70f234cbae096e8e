"""Translation: gettext for Python and Jinja, the request's locale kept in a context variable.

Catalogs live in locales/<lang>/LC_MESSAGES/messages.mo, compiled by `make catalogs`.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from typing import Any

from babel import Locale
from babel.support import NullTranslations, Translations

from web.settings import PROJECT_ROOT

LOCALES_DIR = PROJECT_ROOT / "locales"
DEFAULT_LOCALE = "en"
# Bare language codes: Babel's negotiate_locale does not match "de-AT" against "de_DE".
# Languages spoken by families in the model district; each has a catalog in locales/.
AVAILABLE_LOCALES: tuple[str, ...] = ("en", "es", "ar", "my", "sw", "ne", "so", "vi", "fr", "rw")
# Where the language came from the URL (/es/report), links keep that prefix.
SCOPE_KEY = "lantern.locale_prefix"

_current_locale: ContextVar[str] = ContextVar("lantern_locale", default=DEFAULT_LOCALE)
_current_prefix: ContextVar[str] = ContextVar("lantern_prefix", default="")


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it with `_` where it is shown."""
    return message


@cache
def translations_for(locale: str) -> NullTranslations:
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


def current_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str, *, prefix: str = "") -> None:
    _current_locale.set(locale if locale in AVAILABLE_LOCALES else DEFAULT_LOCALE)
    _current_prefix.set(prefix)


def link_prefix() -> str:
    """ "/es" when the page was asked for with a language in its URL, so its links keep it; else ""."""
    return _current_prefix.get()


def split_prefix(path: str) -> tuple[str | None, str]:
    """ "/es/report" → ("es", "/report"); "/report" → (None, "/report")."""
    parts = path.split("/", 2)
    if len(parts) >= 2 and parts[1] in AVAILABLE_LOCALES:
        return parts[1], "/" + (parts[2] if len(parts) > 2 else "")
    return None, path


class LocalePrefixMiddleware:
    """Takes a leading language segment off the path before routing, and remembers it.

    Routes are declared once (/report) and answer under every language (/es/report, /ar/report).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            locale, rest = split_prefix(scope["path"])
            if locale is not None:
                scope = dict(scope)
                scope["path"] = rest
                scope["raw_path"] = rest.encode()
                # Litestar keeps scope["state"] for the whole request (other scope keys may not survive).
                scope.setdefault("state", {})[SCOPE_KEY] = locale
        await self.app(scope, receive, send)


def locale_of(scope: Any, accept_language: str | None) -> tuple[str, str]:
    """The request's language and link prefix: from the URL (/es/...) if it has one, else the browser's."""
    from_url = scope.get("state", {}).get(SCOPE_KEY)
    if isinstance(from_url, str):
        return from_url, f"/{from_url}"
    return negotiate(accept_language), ""


def display_names() -> list[tuple[str, str]]:
    """Each language named in its own script (Babel), for the language picker."""
    return [(code, Locale.parse(code).get_display_name(code) or code) for code in AVAILABLE_LOCALES]


def language_names(locale: str) -> tuple[str, str]:
    """The language in its own script and in English ("العربية", "Arabic"): what to say to an
    interpreter service that answers in English."""
    language = Locale.parse(locale)
    return language.get_display_name(locale) or locale, language.get_display_name("en") or locale


def gettext(message: str) -> str:
    return translations_for(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(current_locale()).ngettext(singular, plural, n)


_ = gettext


def negotiate(accept_language: str | None) -> str:
    """Pick a locale from an Accept-Language header, honouring q-values (Babel does not parse them)."""
    if not accept_language:
        return DEFAULT_LOCALE
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _sep, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((quality, tag.strip().split("-")[0].lower()))
    for _quality, lang in sorted(weighted, key=lambda item: -item[0]):
        if lang in AVAILABLE_LOCALES:
            return lang
    return DEFAULT_LOCALE


def text_direction(locale: str) -> str:
    return Locale.parse(locale).text_direction
