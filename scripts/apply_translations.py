"""Write the translations kept in locales/machine_assisted/*.json into every language's catalog.

Each JSON file maps an English msgid to its translations: {"Send": {"es": "Enviar", "ar": "إرسال", ...}}.
A plural message maps its singular msgid to {"es": ["singular", "plural", ...], ...}. These files are the
record of machine-assisted translations awaiting review by a district interpreter; a catalog entry that a
person has already translated differently is left as it is unless --force is given.

Run after `make update-catalogs` (the msgids must already be in the .po files):
    uv run python scripts/apply_translations.py [--force]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "locales" / "machine_assisted"


def load_sources() -> dict[str, dict[str, str | list[str]]]:
    merged: dict[str, dict[str, str | list[str]]] = {}
    for path in sorted(SOURCES.glob("*.json")):
        for msgid, by_language in json.loads(path.read_text(encoding="utf-8")).items():
            merged.setdefault(msgid, {}).update(by_language)
    return merged


def apply(force: bool = False) -> int:
    sources = load_sources()
    missing_ids: set[str] = set()
    written = 0
    for po_path in sorted(ROOT.glob("locales/*/LC_MESSAGES/messages.po")):
        language = po_path.parts[-3]
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        changed = False
        for msgid, by_language in sources.items():
            text = by_language.get(language)
            if text is None:
                continue
            message = catalog.get(msgid)
            if message is None:
                # A plural entry is keyed by its (singular, plural) pair.
                message = next((m for m in catalog if isinstance(m.id, tuple) and m.id[0] == msgid), None)
            if message is None:
                missing_ids.add(msgid)
                continue
            value = tuple(text) if isinstance(text, list) else text
            has_text = all(message.string) if isinstance(message.string, tuple) else bool(message.string)
            if has_text and not force:
                continue
            if message.string != value:
                message.string = value
                message.flags.discard("fuzzy")
                changed = True
                written += 1
        if changed:
            with po_path.open("wb") as handle:
                write_po(handle, catalog, width=76)
    for msgid in sorted(missing_ids):
        print(f"not in the catalogs (run make update-catalogs?): {msgid!r}", file=sys.stderr)
    print(f"{written} translations written from {SOURCES.relative_to(ROOT)}")
    return 1 if missing_ids else 0


if __name__ == "__main__":
    sys.exit(apply(force="--force" in sys.argv[1:]))
