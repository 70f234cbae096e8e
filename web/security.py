"""HTTP headers every response carries: a strict CSP and no leaks to other sites.

No page may load anything from another host (privacy: no third-party requests), nor run inline
script; htmx is configured for this in the page's htmx-config meta tag.
"""

from litestar.types import ASGIApp, Message, Receive, Scope, Send

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
HSTS = [("Strict-Transport-Security", "max-age=31536000; includeSubDomains")]

SECURITY_HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
]

# Every page, public ones included: a shared device's disk cache must not keep what was searched or
# read. Added out here, after the server's own page cache (web/page_cache.py) has stored the answer,
# and only to HTML, so versioned static files stay cacheable. The service worker's Cache Storage
# ignores this header, so the offline copy still works.
PAGE_CACHE_CONTROL = (b"cache-control", b"no-store")


class SecurityHeadersMiddleware:
    """Outermost, so every answer carries the headers: pages, static files, and the ones Litestar makes
    itself before or without a handler (405, 413, a malformed form, a refused host, an error page).
    A header a response set itself is kept."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = [
            (name.lower().encode(), value.encode())
            for name, value in [*SECURITY_HEADERS, *(HSTS if hsts else [])]
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in self.headers if header[0] not in present)
                if b"cache-control" not in present and _is_html(headers):
                    headers.append(PAGE_CACHE_CONTROL)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_secured)


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in headers)
