"""Which links a directory entry may carry: web pages, phone numbers and email addresses only.

An entry's link is shown to children as something to tap, so a `javascript:` or `data:` address must
never reach a page, whether it came in through an HSDS import, a staff edit, or a database written
before these checks. Browsers drop tabs and newlines anywhere in an address and control characters
at its ends before reading the scheme, so the check does the same.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SCHEMES = frozenset({"http", "https", "tel", "mailto"})
_IGNORED_BY_BROWSERS = re.compile(r"[\t\n\r]")
_ENDS = "".join(chr(code) for code in range(0x21))  # C0 controls and space


def is_safe_link(url: object) -> bool:
    if not isinstance(url, str):
        return False
    text = _IGNORED_BY_BROWSERS.sub("", url).strip(_ENDS)
    if not text or any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        return False
    if scheme in ("http", "https"):
        return bool(parts.hostname)
    return bool(parts.path)


def is_web_address(url: str) -> bool:
    """A safe link that is a web page (what a "Website" field means)."""
    return is_safe_link(url) and urlsplit(url.strip()).scheme.lower() in ("http", "https")
