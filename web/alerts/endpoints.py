"""Which push endpoints we send to, and the connections that refuse to reach anything else.

A subscription's endpoint comes from a browser, which means from anyone: a made-up one could make the
server open connections inside the district's network. Two checks stop that:

- when a subscription is saved (and again before each send), the endpoint is parsed the way the sender
  (requests, then urllib3) will parse it, and must be a plain `https://` address of a browser's push
  service: no user name or password, no backslash or blank, no explicit port, the host exactly one of
  the known services. Another parser's idea of the host never decides.
- when sending, the push service's name is resolved and every address must be public (not private,
  loopback, link-local, ...); the connection goes to the address that was checked, so a name that
  resolves differently a moment later cannot slip past.

LANTERN_ALLOW_LOCAL_PUSH=1 (tests and benchmarks only) also accepts a push service on
http://127.0.0.1 and lets connections reach this machine.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import LocationParseError, NewConnectionError
from urllib3.util import connection, parse_url

from web.settings import load_settings

MAX_LENGTH = 1000
# The browsers' push services: Chrome and Edge on Android (FCM), Firefox, Safari, and Windows (WNS,
# whose host names one data centre, e.g. wns2-par02p.notify.windows.com).
PUSH_HOSTS = frozenset({"fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com"})
WNS_HOST = re.compile(r"[a-z0-9-]{1,63}\.notify\.windows\.com")
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\@]")


def allowed(endpoint: object) -> bool:
    """A browser push service's endpoint, as the sender will see it."""
    if not isinstance(endpoint, str) or not 0 < len(endpoint) <= MAX_LENGTH or _UNSAFE.search(endpoint):
        return False
    try:
        prepared = requests.Request("POST", endpoint).prepare().url or ""
        parts = parse_url(prepared)
    except (requests.RequestException, LocationParseError, ValueError):
        return False
    host = (parts.host or "").lower()
    if parts.auth is not None or host != (urlsplit(endpoint).hostname or ""):
        return False
    if parts.scheme == "http" and host == "127.0.0.1":
        return load_settings().allow_local_push  # a push service started by the tests
    return (
        parts.scheme == "https"
        and parts.port is None
        and (host in PUSH_HOSTS or WNS_HOST.fullmatch(host) is not None)
    )


class NotPublic(OSError):
    """The push service's name resolved to an address inside a network, not on the internet."""


def public_address(host: str, port: int) -> str:
    """The first address host resolves to, if every one of them is public."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]
    if not addresses:
        raise OSError(f"no address for {host}")
    if not load_settings().allow_local_push:
        for ip in addresses:
            mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
            if not (mapped or ip).is_global or ip.is_multicast:
                raise NotPublic("the push service resolved to an address that is not public")
    return str(addresses[0])


class _PublicOnly(HTTPConnection):
    """Connects only to a checked, public address of its host (TLS still verifies the host name)."""

    def _new_conn(self) -> socket.socket:
        try:
            if self._tunnel_host:
                # Through a proxy: the proxy connects, so the target's addresses are what is checked.
                public_address(self._tunnel_host, self._tunnel_port or 443)
                return super()._new_conn()
            return connection.create_connection(
                (public_address(self._dns_host, self.port), self.port),
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except NewConnectionError:
            raise
        except OSError as error:
            raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error


class _PublicHTTPConnection(_PublicOnly, HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicOnly, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """A requests adapter whose every connection goes through _PublicOnly."""

    _pools = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pools

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = self._pools
        return manager


def reachable(endpoint: str) -> bool:
    """Whether endpoint is allowed and its host resolves to public addresses only (checked again, and
    the address pinned, when the connection is made)."""
    if not allowed(endpoint):
        return False
    parts = parse_url(endpoint)
    try:
        public_address(parts.host or "", parts.port or 443)
    except NotPublic:
        return False
    except OSError:
        return True  # the name did not resolve now: an ordinary failure, retried later
    return True


def session() -> requests.Session:
    """A session for sending pushes: public push services only."""
    out = requests.Session()
    adapter = PublicOnlyAdapter()
    out.mount("https://", adapter)
    out.mount("http://", adapter)
    return out
