"""Staff accounts, their signed-in sessions, and the audit log."""

from piccolo.columns import (
    JSON,
    M2M,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    LazyTableReference,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from web.district.tables import School

ROLES = ("responder", "school_admin", "district_admin", "analyst")


class StaffAccount(Table):
    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=100)
    # Argon2id (argon2-cffi PasswordHasher), never the password.
    password_hash = Varchar(length=200)
    role = Varchar(length=20)
    active = Boolean(default=True)
    created_at = Timestamptz()
    # Two-factor sign-in (TOTP). The secret is set at enrolment and used once confirmed; sealed at rest
    # (web/cases/sealing.py), so a copy of the database cannot make codes.
    totp_secret = Text(null=True, default=None)
    totp_enabled = Boolean(default=False)
    # The last time step accepted, so a code cannot be used twice.
    totp_last_step = Integer(null=True, default=None)
    # Wrong one-time codes since code_failures_since; counted in the database, so concurrent tries
    # cannot run past the limit (web/staff/two_factor.py).
    code_failures = Integer(default=0)
    code_failures_since = Timestamptz(null=True, default=None)
    # Set when an administrator hands out a temporary password: every staff page leads to choosing a
    # new one until it is done.
    must_change_password = Boolean(default=False)
    schools = M2M(LazyTableReference("StaffSchool", module_path=__name__))


class StaffSchool(Table):
    id = Serial(primary_key=True)
    staff = ForeignKey(references=StaffAccount)
    school = ForeignKey(references=School)


class StaffSession(Table):
    """A signed-in browser. Only a hash of the cookie's token is kept, so a copy of the database
    cannot be used to sign in."""

    id = Serial(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    staff = ForeignKey(references=StaffAccount, index=True)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    # False until the second factor is given, for accounts that use one.
    verified = Boolean(default=True)


class AuditEvent(Table):
    """Append-only: who did what, when. Never an IP address or a user agent.

    `case_uuid` is the case's public id, not a foreign key: the record outlives a purged case, and a
    number reused after a purge can never attribute it to another case.
    """

    id = Serial(primary_key=True)
    staff = ForeignKey(references=StaffAccount, null=True, default=None, index=True)
    # What the staff member typed at sign-in, for failed attempts with no account behind them.
    email = Varchar(length=254, null=True, default=None)
    action = Varchar(length=40, index=True)
    case_uuid = UUID(null=True, default=None, index=True)
    detail = JSON(default={})
    created_at = Timestamptz(index=True)
