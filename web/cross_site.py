"""Refuses public form posts that another site makes through a visitor's browser.

The public forms carry no token (the public side sets no cookie on a shared device), so without this
a page elsewhere could post a life-safety report from every visitor's browser. Browsers say where a
request comes from in Fetch Metadata (`Sec-Fetch-Site`); older ones only send `Origin`. The staff
side has its own CSRF tokens and is left to them.

A post with neither header (an old browser with our no-referrer policy sends `Origin: null` for its
own posts, and command-line clients send nothing) is let through: a browser old enough to send no
Fetch Metadata cannot be told apart from one posting to us honestly.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_403_FORBIDDEN
from litestar.types import ASGIApp, Receive, Scope, Send

from web.settings import load_settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The browser says the person opened it themselves (a bookmark, the address bar), or from our pages.
OWN_SITE = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


class CrossSitePost(HTTPException):
    status_code = HTTP_403_FORBIDDEN
    detail = "A form on another site tried to post here"


def origin_of(url: str) -> str | None:
    """scheme://host[:port], lower-cased, default port left out; None for anything not http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    shown_port = "" if port in (None, _DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{parts.hostname}{shown_port}"


def trusted_origins() -> frozenset[str]:
    settings = load_settings()
    listed = (origin_of(url) for url in (settings.public_url, *settings.trusted_origins))
    return frozenset(origin for origin in listed if origin)


def is_allowed(headers: dict[str, str], scheme: str) -> bool:
    site = headers.get("sec-fetch-site", "").strip().lower()
    origin = headers.get("origin", "").strip()
    if site in OWN_SITE:
        return True
    if site:  # same-site, cross-site, or a value we do not know
        return origin_of(origin) in trusted_origins()
    if not origin or origin == "null":
        return True
    seen = origin_of(origin)
    return seen is not None and (
        seen in trusted_origins() or seen == origin_of(f"{scheme}://{headers.get('host', '')}")
    )


def _is_staff(path: str) -> bool:
    return path == "/staff" or path.startswith("/staff/")


def cross_site_guard(app: ASGIApp) -> ASGIApp:
    """Before any handler reads the body: a refused post has sent nothing anywhere."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in UNSAFE_METHODS and not _is_staff(scope["path"]):
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            if not is_allowed(headers, scope.get("scheme", "http")):
                # The body is left unread and the connection closed after: saying so lets the browser
                # open a new one for its next request instead of meeting a reset.
                raise CrossSitePost(headers={"Connection": "close"})
        await app(scope, receive, send)

    return middleware
