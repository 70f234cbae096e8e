"""Print how complete each language's catalog is, for the public side and the staff console.

Public strings are those used anywhere students, families or community members can see them; staff
strings are used only in code that only staff reach (STAFF_PATHS). Exit status 1 when a public string is missing anywhere.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_REQUIRED = True


# Code only staff reach: its strings need English and Spanish, not every family language.
STAFF_PATHS = ("web/staff/", "web/cases/casework.py", "web/insights/")


def is_staff_only(message) -> bool:  # type: ignore[no-untyped-def]
    return bool(message.locations) and all(path.startswith(STAFF_PATHS) for path, _line in message.locations)


def translated(message) -> bool:  # type: ignore[no-untyped-def]
    if isinstance(message.string, (list, tuple)):
        return all(message.string)
    return bool(message.string)


def completeness(po: Path) -> tuple[int, int, int, int, list[str]]:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    public_total = public_done = staff_total = staff_done = 0
    missing: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        if is_staff_only(message):
            staff_total += 1
            staff_done += translated(message)
        else:
            public_total += 1
            if translated(message):
                public_done += 1
            else:
                missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return public_done, public_total, staff_done, staff_total, missing


def main() -> int:
    failing = False
    print(f"{'language':10} {'public':>14} {'staff':>14}")
    for po in sorted(ROOT.glob("locales/*/LC_MESSAGES/messages.po")):
        code = po.parts[-3]
        public_done, public_total, staff_done, staff_total, missing = completeness(po)
        if code == "en":
            # English is the source language: its empty entries fall back to the msgid.
            print(f"{code:10} {'source':>14} {'source':>14}")
            continue
        print(f"{code:10} {public_done:>6}/{public_total:<6} {staff_done:>6}/{staff_total:<6}")
        if missing:
            failing = True
            for text in missing[:3]:
                print(f"    missing: {text[:70]!r}")
    return 1 if failing and PUBLIC_REQUIRED else 0


if __name__ == "__main__":
    sys.exit(main())
