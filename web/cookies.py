"""Every cookie Lantern sets, named and flagged in one place.

There are four, none on an ordinary visit to the public pages: the staff session, the staff forms'
CSRF token, a kiosk's device token, and the staff sign-in device mark (which lets a device that signed
in before keep its own count of sign-in tries, apart from its network's). All are HttpOnly, SameSite=Strict and for the whole host.

When people reach Lantern over HTTPS (LANTERN_PUBLIC_URL starts with https://), each is also Secure and
named with the `__Host-` prefix: a browser then accepts it only from a secure origin, only for the whole
host (Path=/) and never with a Domain, so neither a sibling site under the same domain nor anyone on the
network can plant or overwrite it. Over plain HTTP (a demo on a laptop) the same cookies go without
the prefix, which browsers would refuse there.
"""

from __future__ import annotations

from collections.abc import Mapping

from litestar.datastructures import Cookie

from web.settings import load_settings

STAFF_SESSION = "lantern_staff"
CSRF = "lantern_csrf"
KIOSK = "lantern_kiosk"
STAFF_DEVICE = "lantern_staff_device"


def secure() -> bool:
    return load_settings().public_url.startswith("https://")


def name(base: str) -> str:
    """The name the browser knows the cookie by."""
    return f"__Host-{base}" if secure() else base


def read(jar: Mapping[str, str], base: str, *, older_name_too: bool = False) -> str | None:
    """The cookie's value as the browser sent it. older_name_too: also under its unprefixed name, which
    a browser set before the site was on HTTPS may still hold (a kiosk is enrolled for years)."""
    return jar.get(name(base)) or (jar.get(base) if older_name_too else None)


def make(base: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=name(base),
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure(),
    )


def removal(base: str) -> Cookie:
    """Tells the browser to drop the cookie (with the same flags, or a __Host- cookie would be kept)."""
    return make(base, "", 0)
