"""Full-text search over the directory, in the reader's language and English, forgiving of spelling.

The index: one `SearchDocument` row per service and language (English from the service itself, one
more per `ServiceTranslation`), holding folded words (lower case, no accents) of the name, the
organization, the needs (a `need<code>` token plus the need's label in that language) and the
description. SQLite mirrors the rows into an FTS5 table by triggers and ranks with bm25; PostgreSQL
keeps a generated, weighted tsvector with a GIN index and ranks with ts_rank (see the migration
resources_2026_11_29t15_19_40_000000.py). No extension is needed on either.

Typing mistakes are mended before the query reaches the database, the same way on both engines: a
word the index does not know is replaced by the nearest known words (edit distance, rapidfuzz), and
common words for needs ("hungry", "doctor", "bullied", "comida") bring their synonyms and need
(search_words.json).

Whoever changes the directory calls `refresh(service_ids)` (or `rebuild()`) in the same transaction.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine
from rapidfuzz import process
from rapidfuzz.distance import OSA

from web.db import write_transaction
from web.i18n import translations_for
from web.resources.tables import Attribute, SearchDocument, Service, ServiceTranslation
from web.resources.taxonomy import NEED_BY_CODE, NEEDS

WORDS_FILE = Path(__file__).with_name("search_words.json")
_BATCH = 400
# bm25 column weights (SQLite) follow the FTS5 column order: name, organization, needs, description.
_BM25 = "bm25(search_document_fts, 10.0, 3.0, 5.0, 1.0)"
# ts_rank weights (PostgreSQL) are {D, C, B, A}: description, organization, needs, name.
_TS_WEIGHTS = "ARRAY[0.1, 0.3, 0.5, 1.0]::float4[]"
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


# ---- words ---------------------------------------------------------------------------------------


def _fold_char(char: str) -> str:
    """Latin letters lose their accents ("é" → "e"); other scripts are kept as they are."""
    if char.isascii():
        return char
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if base.isascii() and base else char


def tokens(text: str | None) -> list[str]:
    """Words as the index keeps them: lower case, accents folded, punctuation dropped."""
    if not text:
        return []
    folded = "".join(_fold_char(c) for c in text.lower())
    # Marks of scripts like Burmese or Nepali belong to their word.
    folded = "".join(c if c.isalnum() or unicodedata.category(c) in ("Mn", "Mc") else " " for c in folded)
    return folded.split()


def normalize(text: str | None) -> str:
    return " ".join(tokens(text))


def need_token(code: str) -> str:
    return "need" + code.replace("_", "")


NEED_TOKENS = frozenset(need_token(need.code) for need in NEEDS)


@dataclass(frozen=True)
class _Words:
    stop: dict[str, frozenset[str]]
    synonyms: dict[str, dict[str, tuple[str, ...]]]


@cache
def _words() -> _Words:
    data = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    stop = {lang: frozenset(normalize(" ".join(words)).split()) for lang, words in data["stop"].items()}
    synonyms = {
        lang: {normalize(key): tuple(values) for key, values in entries.items()}
        for lang, entries in data["synonyms"].items()
    }
    return _Words(stop, synonyms)


@cache
def need_label_words(locale: str) -> dict[str, frozenset[str]]:
    """Words of each need's label in a language ("comida" → food), for searching by need."""
    translate = translations_for(locale).gettext if locale != "en" else (lambda text: text)
    stop = _words().stop.get(locale, frozenset()) | _words().stop["en"]
    found: dict[str, set[str]] = {}
    for need in NEEDS:
        for word in tokens(translate(need.label)) + tokens(need.label):
            if word not in stop and len(word) > 2:
                found.setdefault(word, set()).add(need.code)
    return {word: frozenset(codes) for word, codes in found.items()}


# ---- writing the index ---------------------------------------------------------------------------


async def refresh(service_ids: Iterable[uuid.UUID | str]) -> None:
    """Bring these services' index rows up to date (an inactive or deleted service drops out).

    Call it in the transaction that changed them: the HSDS importer, the demo seed, staff editing."""
    ids = list(dict.fromkeys(uuid.UUID(str(i)) for i in service_ids))
    if not ids:
        return
    async with _transaction():
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            await SearchDocument.delete().where(SearchDocument.service.is_in(chunk))
            await _insert(await _documents(chunk))
    _forget_vocabulary()


async def rebuild() -> None:
    """Index the whole directory again from scratch."""
    async with _transaction():
        await SearchDocument.delete(force=True)
        rows = await Service.select(Service.id).where(Service.status == "active")
        ids = [row["id"] for row in rows]
        for start in range(0, len(ids), _BATCH):
            await _insert(await _documents(ids[start : start + _BATCH]))
    _forget_vocabulary()


def _forget_vocabulary() -> None:
    """Other processes notice a change by the index's row count and highest id; this one is told,
    since an emptied SQLite table starts its ids again and could look unchanged."""
    global _vocabulary
    _vocabulary = None
    from web.resources.services import forget_directory  # the page cache of the same directory

    forget_directory()


class _transaction:
    """The caller's transaction when there is one; else a write transaction of our own."""

    def __init__(self) -> None:
        self._own: Any = None

    async def __aenter__(self) -> None:
        engine = SearchDocument._meta.db
        if engine.current_transaction.get() is None:
            self._own = write_transaction(engine)
            await self._own.__aenter__()

    async def __aexit__(self, *exc: Any) -> None:
        if self._own is not None:
            await self._own.__aexit__(*exc)


async def _insert(documents: list[SearchDocument]) -> None:
    for start in range(0, len(documents), _BATCH):
        await SearchDocument.insert(*documents[start : start + _BATCH])


async def _documents(ids: list[uuid.UUID]) -> list[SearchDocument]:
    services = await Service.select(
        Service.id,
        Service.name,
        Service.alternate_name,
        Service.description,
        Service.organization.name.as_alias("org_name"),
        Service.organization.alternate_name.as_alias("org_alternate"),
    ).where(Service.id.is_in(ids) & (Service.status == "active"))
    if not services:
        return []
    str_ids = [str(row["id"]) for row in services]
    needs: dict[str, list[str]] = {}
    for row in await Attribute.select(
        Attribute.link_id,
        Attribute.taxonomy_term.code.as_alias("code"),
        Attribute.taxonomy_term.name.as_alias("term"),
    ).where((Attribute.link_entity == "service") & Attribute.link_id.is_in(str_ids)):
        needs.setdefault(row["link_id"], []).append(row["code"])
        if row["code"] not in NEED_BY_CODE and row["term"]:
            needs[row["link_id"]].append("=" + row["term"])  # a term of another taxonomy: its own name
    translations: dict[Any, list[dict[str, Any]]] = {}
    for row in await ServiceTranslation.select().where(ServiceTranslation.service.is_in(ids)):
        translations.setdefault(row["service"], []).append(row)
    documents = []
    for row in services:
        organization = normalize(f"{row['org_name'] or ''} {row['org_alternate'] or ''}")
        codes = needs.get(str(row["id"]), [])
        documents.append(
            SearchDocument(
                service=row["id"],
                locale="en",
                name=normalize(f"{row['name']} {row['alternate_name'] or ''}"),
                organization=organization,
                needs=_needs_text(codes, "en"),
                description=normalize(row["description"]),
            )
        )
        for translation in translations.get(row["id"], []):
            documents.append(
                SearchDocument(
                    service=row["id"],
                    locale=translation["locale"],
                    name=normalize(translation["name"]),
                    organization=organization,
                    needs=_needs_text(codes, translation["locale"]),
                    description=normalize(translation["description"]),
                )
            )
    return documents


def _needs_text(codes: list[str], locale: str) -> str:
    translate = translations_for(locale).gettext if locale != "en" else (lambda text: text)
    words = []
    for code in codes:
        if code.startswith("="):
            words.append(normalize(code[1:]))
        elif code in NEED_BY_CODE:
            words += [need_token(code), normalize(translate(NEED_BY_CODE[code].label))]
        else:
            words.append(normalize(code))
    return " ".join(words)


# ---- reading it ----------------------------------------------------------------------------------


@dataclass
class _Vocabulary:
    fingerprint: tuple[Any, ...]
    counts: dict[str, Counter[str]]  # locale → word → how many index rows have it
    merged: dict[str, tuple[list[str], Counter[str]]]  # per reader locale: sorted words, counts


_vocabulary: _Vocabulary | None = None


async def _fingerprint() -> tuple[Any, ...]:
    rows = await SearchDocument.raw("SELECT count(*) AS n, max(id) AS top FROM search_document")
    return (rows[0]["n"], rows[0]["top"])


async def _current_vocabulary() -> _Vocabulary:
    """The words of the index, read again only when the index has changed (in any process)."""
    global _vocabulary
    fingerprint = await _fingerprint()
    if fingerprint[0] == 0 and await Service.count().where(Service.status == "active") > 0:
        raise IndexMissing()
    if _vocabulary is not None and _vocabulary.fingerprint == fingerprint:
        return _vocabulary
    counts: dict[str, Counter[str]] = {}
    rows = await SearchDocument.select(
        SearchDocument.locale,
        SearchDocument.name,
        SearchDocument.organization,
        SearchDocument.needs,
        SearchDocument.description,
    )
    for row in rows:
        words = set(f"{row['name']} {row['organization']} {row['needs']} {row['description']}".split())
        counts.setdefault(row["locale"], Counter()).update(words - NEED_TOKENS)
    _vocabulary = _Vocabulary(fingerprint, counts, {})
    return _vocabulary


def _merged(vocabulary: _Vocabulary, locale: str) -> tuple[list[str], Counter[str]]:
    """Words a reader in this language may mean: the index's English and their language, the
    synonym keys, and the need labels; without stop words."""
    if locale not in vocabulary.merged:
        counts: Counter[str] = Counter()
        for lang in dict.fromkeys(("en", locale)):
            counts.update(vocabulary.counts.get(lang, Counter()))
            for key in _words().synonyms.get(lang, {}):
                counts[key] += 1
            for word in need_label_words(lang):
                counts[word] += 1
        for word in _stop_words(locale):
            counts.pop(word, None)
        vocabulary.merged[locale] = (sorted(counts), counts)
    return vocabulary.merged[locale]


def _stop_words(locale: str) -> frozenset[str]:
    return _words().stop["en"] | _words().stop.get(locale, frozenset())


def _variants(word: str) -> list[str]:
    """The word and its English singular ("pantries" → "pantry", "clothes" → "cloth")."""
    found = [word]
    if len(word) > 4 and word.endswith("ies"):
        found.append(word[:-3] + "y")
    elif len(word) > 4 and word.endswith("es"):
        found.append(word[:-2])
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        found.append(word[:-1])
    return found


def _known(word: str, words: list[str]) -> bool:
    at = bisect_left(words, word)
    if at < len(words) and words[at] == word:
        return True
    return len(word) >= 3 and at < len(words) and words[at].startswith(word)


def _max_typos(word: str) -> int:
    return 1 if len(word) <= 4 else 2 if len(word) <= 8 else 3


def corrections(word: str, words: list[str], counts: Counter[str]) -> list[str]:
    """The known words nearest to a word the index does not have (at most three, most used first)."""
    if len(word) < 3 or not words:
        return []
    found = process.extract(word, words, scorer=OSA.distance, score_cutoff=_max_typos(word), limit=None)
    if not found:
        return []
    best = min(distance for _, distance, _ in found)
    nearest = [choice for choice, distance, _ in found if distance == best]
    return sorted(nearest, key=lambda choice: (-counts[choice], choice))[:3]


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool


def expand(words: str, locale: str, vocabulary: list[str], counts: Counter[str]) -> list[set[Term]]:
    """One group of alternatives per word typed (any of them may match; every group must)."""
    typed = tokens(words)[:12]
    stop = _stop_words(locale)
    meaningful = [word for word in typed if word not in stop] or typed
    synonyms = [_words().synonyms.get(lang, {}) for lang in dict.fromkeys((locale, "en"))]
    need_words = [need_label_words(lang) for lang in dict.fromkeys((locale, "en"))]
    groups = []
    for word in dict.fromkeys(meaningful):
        group: set[Term] = set()
        meant = [variant for variant in _variants(word) if _known(variant, vocabulary)]
        if meant:
            group |= {Term(variant, len(variant) >= 3) for variant in meant}
        else:
            meant = corrections(word, vocabulary, counts)
            group |= {Term(choice, False) for choice in meant}
        for choice in meant:
            listed = [other for table in synonyms for other in table.get(choice, ())]
            for other in listed:
                if other.startswith("@"):
                    group.add(Term(need_token(other[1:]), False))
                else:
                    group |= {Term(w, False) for w in tokens(other)}
            if not listed:  # the word list decides when it knows the word ("health" is medical care)
                for table in need_words:
                    group |= {Term(need_token(code), False) for code in table.get(choice, ())}
        if group:
            groups.append(group)
    return groups


def _fts5(groups: list[set[Term]], joiner: str) -> str:
    def term(t: Term) -> str:
        return f'"{t.word}"' + ("*" if t.prefix else "")

    return f" {joiner} ".join("(" + " OR ".join(sorted(term(t) for t in group)) + ")" for group in groups)


def _tsquery(groups: list[set[Term]], joiner: str) -> str:
    def term(t: Term) -> str:
        return f"'{t.word}'" + (":*" if t.prefix else "")

    return f" {joiner} ".join("(" + " | ".join(sorted(term(t) for t in group)) + ")" for group in groups)


@dataclass
class Hit:
    """An active service the words found: its best score (higher is better), whether its name (in
    English or the reader's language) is exactly what was typed, and its pinned rank."""

    service: uuid.UUID
    score: float
    exact: bool
    pinned_rank: int | None


class IndexMissing(Exception):
    """The index is empty but the directory is not (made before the index existed, or written around
    it): `rebuild()`, then search again."""


async def search(
    words: str, locale: str, *, need: str = "", school: str = "", limit: int | None = None
) -> tuple[list[Hit], int]:
    """Active services matching the words (in English or the reader's language), best first: pinned
    lines, then an exact name, then the score; at most `limit` of them, and how many matched in all.
    Every word must match when that finds anything; otherwise any word may. `need` and `school`
    narrow it as the directory's filters do (a school's own entries and everyone's). Raises
    IndexMissing when the directory has never been indexed."""
    vocabulary = await _current_vocabulary()
    known, counts = _merged(vocabulary, locale)
    groups = expand(words, locale, known, counts)
    if not groups:
        return [], 0
    narrow = [{Term(need_token(need), False)}] if need else []
    typed = normalize(words)
    found = await _run(groups + narrow, locale, typed, school, limit)
    if not found[0] and len(groups) > 1:
        # Any word may match (more of them ranks higher), but the need still must.
        found = await _run([set().union(*groups), *narrow], locale, typed, school, limit)
    return found


async def _run(
    groups: list[set[Term]], locale: str, typed: str, school: str, limit: int | None
) -> tuple[list[Hit], int]:
    """Every group must match (any word of a group). Several rows of one service (English and the
    reader's language) count once, with the best score."""
    # Only constants and placeholders are formatted into the SQL below; every value is a parameter.
    locales = list(dict.fromkeys(("en", locale)))
    placeholders = ", ".join("{}" for _ in locales)
    where_school = (
        " AND (s.school IS NULL OR s.school IN (SELECT id FROM school WHERE slug = {}))" if school else ""
    )
    if isinstance(SearchDocument._meta.db, SQLiteEngine):
        inner = (
            f"SELECT d.service AS service, -{_BM25} AS score, "  # noqa: S608
            "CASE WHEN d.name = {} THEN 1 ELSE 0 END AS exact, s.pinned_rank AS pinned_rank "
            "FROM search_document_fts JOIN search_document d ON d.id = search_document_fts.rowid "
            "JOIN service s ON s.id = d.service "
            f"WHERE search_document_fts MATCH {{}} AND d.locale IN ({placeholders}) AND s.status = 'active'"
            + where_school
        )
        match = _fts5(groups, "AND")
    else:
        inner = (
            f"SELECT d.service AS service, ts_rank({_TS_WEIGHTS}, d.document, q) AS score, "  # noqa: S608
            "CASE WHEN d.name = {} THEN 1 ELSE 0 END AS exact, s.pinned_rank AS pinned_rank "
            "FROM search_document d JOIN service s ON s.id = d.service, to_tsquery('simple', {}) q "
            f"WHERE d.document @@ q AND d.locale IN ({placeholders}) AND s.status = 'active'" + where_school
        )
        match = _tsquery(groups, "&")
    # MATERIALIZED keeps SQLite from folding bm25() into the aggregate, where it cannot run.
    materialized = "MATERIALIZED " if isinstance(SearchDocument._meta.db, SQLiteEngine) else ""
    sql = (
        f"WITH m AS {materialized}({inner}) "  # noqa: S608
        "SELECT service, max(score) AS score, max(exact) AS exact, pinned_rank, count(*) OVER () AS total "
        "FROM m GROUP BY service, pinned_rank "
        "ORDER BY (pinned_rank IS NULL), pinned_rank, max(exact) DESC, max(score) DESC, service"
        + (f" LIMIT {int(limit)}" if limit is not None else "")
    )
    args: list[Any] = [typed, match, *locales] + ([school] if school else [])
    rows = await SearchDocument.raw(sql, *args)
    hits = [
        Hit(
            row["service"] if isinstance(row["service"], uuid.UUID) else uuid.UUID(str(row["service"])),
            float(row["score"]),
            bool(row["exact"]),
            row["pinned_rank"],
        )
        for row in rows
    ]
    return hits, (int(rows[0]["total"]) if rows else 0)
