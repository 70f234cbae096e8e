"""All configuration in one place: frozen dataclasses built from the environment.

Defaults make `make run` work with nothing set: an embedded SQLite database under ./var.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Process-wide settings. Read once; tests build their own with `load_settings.cache_clear()`."""

    # Where the embedded database and installation secrets live.
    data_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    # Empty means the embedded SQLite default; postgresql://... switches engines.
    database_url: str = ""
    # PostgreSQL connections each process keeps open (0: a new connection for every query).
    db_pool_size: int = 20
    # Minimum seconds a /check lookup takes, so a wrong code and a malformed one look alike.
    check_min_seconds: float = 1.0
    # /check attempts per client address per minute (web/limits.py: keyed hashes, never stored).
    check_rate_per_minute: int = 10
    # Largest photo a reporter may attach, and how many at once.
    max_photo_bytes: int = 10 * 1024 * 1024
    max_photos: int = 6
    # Photo megabytes one address may send in 10 minutes, counted before decoding (in memory only):
    # a school sharing one address sends far less; one machine cannot keep the server decoding.
    photo_mb_per_address: int = 200
    # A neutral page the quick-exit button sends people to.
    quick_exit_url: str = "https://www.weather.gov/"
    # Staff sessions end after this long without activity, and after this long in any case.
    staff_idle_minutes: int = 30
    staff_absolute_hours: int = 12
    # Where people reach this installation (used in alert emails, which need whole addresses).
    public_url: str = "http://127.0.0.1:8000"
    # Who push services may contact about our alerts (VAPID "sub": mailto: or https:).
    vapid_subject: str = "mailto:lantern-alerts@localhost"
    # Email as a second alert channel: off unless a host is set.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "lantern@localhost"
    smtp_starttls: bool = True
    # The background worker (alerts, escalation) runs in the app process unless turned off (tests
    # drive it by hand with a clock of their own).
    run_worker: bool = True
    # Accept push subscriptions on http://127.0.0.1 (a local push service, for tests and benchmarks only).
    allow_local_push: bool = False
    # Redis for live updates across processes (instead of PostgreSQL LISTEN/NOTIFY), e.g. on CockroachDB,
    # and for the limits' counters, which every process then shares (web/limits.py).
    redis_url: str = ""
    # Community reports without a solved proof-of-work (no JavaScript, or a script) per address per
    # 10 minutes (web/limits.py).
    community_unsolved_limit: int = 3
    # Reports from one address per minute, on any form (web/limits.py): generous, as a whole
    # school may share one address; it stops one machine from flooding the server.
    report_rate_per_minute: int = 60
    # Host names this installation answers to (e.g. "help.example.org"); empty answers any (development).
    allowed_hosts: tuple[str, ...] = ()
    # Send Strict-Transport-Security (set it when people reach Lantern over HTTPS only).
    hsts: bool = False
    # Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (e.g.
    # "127.0.0.1"). Behind a proxy every request otherwise comes from the proxy: the per-address limits
    # (web/limits.py) would count the whole district as one visitor.
    trusted_proxies: tuple[str, ...] = ()
    # Other sites of the district whose pages may post to the public forms (e.g. "https://www.district.org").
    # Any other site's post is refused (web/cross_site.py); LANTERN_PUBLIC_URL is always trusted.
    trusted_origins: tuple[str, ...] = ()
    # A request's headers must be in within this many seconds; a body gets body_seconds plus one second
    # for every body_min_rate bytes it sent (web/slow_requests.py).
    header_seconds: float = 10.0
    body_seconds: float = 30.0
    body_min_rate: float = 8192.0
    # A label for this deploy (e.g. a git tag); it is part of the service worker's version.
    release: str = ""
    # How much `lantern serve` logs: debug, info, warning or error (web/logs.py: never an address,
    # a query string, a token or anything sent, at any level).
    log_level: str = "info"
    # Staff single sign-on through the district's OpenID provider (web/staff/oidc.py); off unless the
    # issuer is set. The redirect URI to register is public_url + /staff/sign-in/oidc/callback.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    # What the button says: "Sign in with <name>".
    oidc_name: str = ""
    # "google" (Workspace: the hd claim must be oidc_hosted_domain) or "entra" (Entra ID: the tid claim
    # must be oidc_tenant_id); empty for any other provider.
    oidc_preset: str = ""
    oidc_hosted_domain: str = ""
    oidc_tenant_id: str = ""
    # Everyone but district administrators (the break glass) must sign in through the provider.
    oidc_required: bool = False
    # Email domains whose staff get an account at their first sign-in (default role, no schools).
    oidc_create_domains: tuple[str, ...] = ()
    oidc_default_role: str = "responder"
    # How long to wait for the provider before saying it cannot be reached.
    oidc_timeout_seconds: float = 5.0
    debug: bool = False

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "lantern.sqlite"

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


@cache
def load_settings() -> Settings:
    """Build settings from LANTERN_* variables and DATABASE_URL."""
    data_dir = Path(os.environ.get("LANTERN_DATA_DIR") or PROJECT_ROOT / "var").resolve()
    return Settings(
        data_dir=data_dir,
        database_url=os.environ.get("DATABASE_URL", ""),
        db_pool_size=int(_env_float("LANTERN_DB_POOL_SIZE", 20)),
        check_min_seconds=_env_float("LANTERN_CHECK_MIN_SECONDS", 1.0),
        check_rate_per_minute=int(_env_float("LANTERN_CHECK_RATE_PER_MINUTE", 10)),
        quick_exit_url=os.environ.get("LANTERN_QUICK_EXIT_URL", "https://www.weather.gov/"),
        staff_idle_minutes=int(_env_float("LANTERN_STAFF_IDLE_MINUTES", 30)),
        staff_absolute_hours=int(_env_float("LANTERN_STAFF_ABSOLUTE_HOURS", 12)),
        release=os.environ.get("LANTERN_RELEASE", ""),
        allowed_hosts=tuple(
            h.strip() for h in os.environ.get("LANTERN_ALLOWED_HOSTS", "").split(",") if h.strip()
        ),
        hsts=os.environ.get("LANTERN_HSTS", "") == "1",
        trusted_proxies=tuple(
            h.strip() for h in os.environ.get("LANTERN_TRUSTED_PROXIES", "").split(",") if h.strip()
        ),
        trusted_origins=tuple(
            o.strip() for o in os.environ.get("LANTERN_TRUSTED_ORIGINS", "").split(",") if o.strip()
        ),
        header_seconds=_env_float("LANTERN_HEADER_SECONDS", 10.0),
        body_seconds=_env_float("LANTERN_BODY_SECONDS", 30.0),
        body_min_rate=max(1.0, _env_float("LANTERN_BODY_MIN_RATE", 8192.0)),
        community_unsolved_limit=int(_env_float("LANTERN_COMMUNITY_UNSOLVED_LIMIT", 3)),
        photo_mb_per_address=int(_env_float("LANTERN_PHOTO_MB_PER_ADDRESS", 200)),
        report_rate_per_minute=int(_env_float("LANTERN_REPORT_RATE_PER_MINUTE", 60)),
        redis_url=os.environ.get("REDIS_URL", ""),
        run_worker=os.environ.get("LANTERN_RUN_WORKER", "1") != "0",
        allow_local_push=os.environ.get("LANTERN_ALLOW_LOCAL_PUSH", "") == "1",
        public_url=os.environ.get("LANTERN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        vapid_subject=os.environ.get("LANTERN_VAPID_SUBJECT", "mailto:lantern-alerts@localhost"),
        smtp_host=os.environ.get("LANTERN_SMTP_HOST", ""),
        smtp_port=int(_env_float("LANTERN_SMTP_PORT", 587)),
        smtp_user=os.environ.get("LANTERN_SMTP_USER", ""),
        smtp_password=os.environ.get("LANTERN_SMTP_PASSWORD", ""),
        smtp_from=os.environ.get("LANTERN_SMTP_FROM", "lantern@localhost"),
        smtp_starttls=os.environ.get("LANTERN_SMTP_STARTTLS", "1") != "0",
        log_level=os.environ.get("LANTERN_LOG_LEVEL", "info").strip().lower() or "info",
        oidc_issuer=os.environ.get("LANTERN_OIDC_ISSUER", "").rstrip("/"),
        oidc_client_id=os.environ.get("LANTERN_OIDC_CLIENT_ID", ""),
        oidc_client_secret=os.environ.get("LANTERN_OIDC_CLIENT_SECRET", ""),
        oidc_name=os.environ.get("LANTERN_OIDC_NAME", ""),
        oidc_preset=os.environ.get("LANTERN_OIDC_PRESET", "").strip().lower(),
        oidc_hosted_domain=os.environ.get("LANTERN_OIDC_HOSTED_DOMAIN", "").strip().lower(),
        oidc_tenant_id=os.environ.get("LANTERN_OIDC_TENANT_ID", "").strip().lower(),
        oidc_required=os.environ.get("LANTERN_OIDC_REQUIRED", "") == "1",
        oidc_create_domains=tuple(
            d.strip().lower()
            for d in os.environ.get("LANTERN_OIDC_CREATE_DOMAINS", "").split(",")
            if d.strip()
        ),
        oidc_default_role=os.environ.get("LANTERN_OIDC_DEFAULT_ROLE", "responder"),
        oidc_timeout_seconds=_env_float("LANTERN_OIDC_TIMEOUT_SECONDS", 5.0),
        debug=os.environ.get("LANTERN_DEBUG", "") == "1",
    )
