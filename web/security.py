"""HTTP headers every response carries: a strict CSP and no leaks to other sites.

No page may load anything from another host (privacy: no third-party requests), nor run inline
script; htmx is configured for this in the page's htmx-config meta tag.
"""

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
