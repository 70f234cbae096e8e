"""Receipt codes: 16 digits shown to the reporter once, stored only as an Argon2id hash.

The hash uses one salt per installation (not per code) so a code can be looked up by its hash;
nobody, staff included, can turn a hash back into a code.

A code is 15 random digits and a Damm check digit, so a typo can be told apart from a code that
opens nothing, by the form of the code alone: every single wrong digit and every swap of two
neighbours is caught (Luhn misses 09/90). Codes made before the check digit are 16 random digits
and fail the check nine times in ten, so a failing check never refuses a lookup; it only changes the
words shown when the lookup finds nothing. Whether a code exists is never part of that choice.
"""

from __future__ import annotations

import os
import secrets
from enum import Enum

import anyio
from argon2.low_level import Type, hash_secret_raw
from stdnum import damm

from web.per_loop import PerLoop
from web.secrets_store import installation_secret

CODE_DIGITS = 16
# OWASP's Argon2id minimum (19 MiB, 2 passes): a stolen database costs an attacker dearly per guess,
# while a lookup stays well under a second on a small server.
_TIME_COST = 2
_MEMORY_KIB = 19 * 1024
_PARALLELISM = 1
_HASH_BYTES = 32
# Hashes running at once: one per core. More only share the cores (each takes 19 MiB), and the
# limiter serves waiters in order, so under a rush every submission waits its fair turn.
_HASHING = PerLoop(lambda: anyio.CapacityLimiter(os.cpu_count() or 1))
# People misread and mistype: letters that look like digits are read as those digits. Phones set to
# Arabic, Persian or Urdu type Eastern Arabic digits (٠١٢ / ۰۱۲): the same numbers.
_LOOKALIKES = str.maketrans(
    {"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "L": "1"}
    | {chr(0x0660 + n): str(n) for n in range(10)}
    | {chr(0x06F0 + n): str(n) for n in range(10)}
)


def new_code() -> str:
    """A fresh code: 15 digits from the operating system's CSPRNG and their check digit."""
    body = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS - 1))
    return body + damm.calc_check_digit(body)


class Misread(Enum):
    """What is wrong with a typed code, seen from its form alone (never from the database)."""

    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    LENGTH = "length"
    CHECK_DIGIT = "check_digit"


def misread(raw: str) -> tuple[Misread, int] | None:
    """Why this cannot be a code as typed, with how many digits it has; None when it is well formed.

    CHECK_DIGIT may still be a code made before check digits: look it up all the same."""
    cleaned = _cleaned(raw)
    if not cleaned:
        return Misread.EMPTY, 0
    if not cleaned.isascii() or not cleaned.isdigit():
        return Misread.NOT_DIGITS, 0
    if len(cleaned) != CODE_DIGITS:
        return Misread.LENGTH, len(cleaned)
    if not damm.is_valid(cleaned):
        return Misread.CHECK_DIGIT, len(cleaned)
    return None


def group(code: str) -> str:
    """`1234567890123456` → `1234 5678 9012 3456`, as it is shown and printed."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize(raw: str) -> str | None:
    """What the person typed, without spaces, dashes or dots; None unless 16 digits remain."""
    cleaned = _cleaned(raw)
    if len(cleaned) != CODE_DIGITS or not cleaned.isascii() or not cleaned.isdigit():
        return None
    return cleaned


def _cleaned(raw: str) -> str:
    return "".join(ch for ch in raw.translate(_LOOKALIKES) if ch not in " -._\t\n\u00a0")


def installation_salt() -> bytes:
    """The salt from LANTERN_RECEIPT_SALT, or a file made on first use with owner-only permissions."""
    return installation_secret("receipt_salt", "LANTERN_RECEIPT_SALT")


def hash_code(code: str) -> str:
    """The Argon2id digest that is stored and looked up (hex)."""
    digest = hash_secret_raw(
        secret=code.encode(),
        salt=installation_salt(),
        time_cost=_TIME_COST,
        memory_cost=_MEMORY_KIB,
        parallelism=_PARALLELISM,
        hash_len=_HASH_BYTES,
        type=Type.ID,
    )
    return digest.hex()


async def digest(code: str) -> str:
    """hash_code off the event loop, in turn with the other hashes of this process."""
    return await anyio.to_thread.run_sync(hash_code, code, limiter=_HASHING.get())
