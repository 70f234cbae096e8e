"""HTTP headers every response carries: a strict CSP and no leaks to other sites.

No page may load anything from another host (privacy: no third-party requests), nor run inline
script; htmx is configured for this in the page's htmx-config meta tag.
"""

from collections.abc import Callable

from litestar import Request, Response
from litestar.datastructures import ResponseHeader

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

# Only when the whole site is served over HTTPS (LANTERN_HSTS=1): browsers then refuse plain HTTP for a year.
HSTS = [ResponseHeader(name="Strict-Transport-Security", value="max-age=31536000; includeSubDomains")]

SECURITY_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=CONTENT_SECURITY_POLICY),
    ResponseHeader(name="Referrer-Policy", value="no-referrer"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(
        name="Permissions-Policy", value="camera=(), microphone=(), geolocation=(), interest-cohort=()"
    ),
    ResponseHeader(name="Cross-Origin-Opener-Policy", value="same-origin"),
    ResponseHeader(name="Cross-Origin-Resource-Policy", value="same-origin"),
]


def with_security_headers(response: Response) -> Response:
    """For routers the app-wide response headers do not reach (static files)."""
    for header in SECURITY_HEADERS:
        if header.value is not None:
            response.headers.setdefault(header.name, header.value)
    return response


def secured(handler: Callable[[Request, Exception], Response]) -> Callable[[Request, Exception], Response]:
    """An exception handler whose answers (kind error pages, redirects) carry the headers too."""

    def handle(request: Request, exc: Exception) -> Response:
        return with_security_headers(handler(request, exc))

    return handle
