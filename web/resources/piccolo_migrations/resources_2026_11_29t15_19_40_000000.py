"""Full-text search over search_document: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL.

Raw SQL, run only on the engine it is written for. The rows themselves are written by
web/resources/search_index.py (refresh/rebuild); this only makes them searchable.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-29T15:19:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "Full-text search for the resource directory"

_FTS_COLUMNS = "name, organization, needs, description"

SQLITE_FORWARDS = [
    # External content: the words live once, in search_document; FTS5 keeps only the index.
    # The `ascii` tokenizer splits on ASCII punctuation and spaces only, so it sees exactly the tokens
    # search_index.normalize() wrote (diacritics already folded, other scripts kept whole).
    f"CREATE VIRTUAL TABLE search_document_fts USING fts5({_FTS_COLUMNS}, "
    "content='search_document', content_rowid='id', tokenize='ascii', prefix='2 3')",
    f"CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
    f"INSERT INTO search_document_fts(rowid, {_FTS_COLUMNS}) "
    "VALUES (new.id, new.name, new.organization, new.needs, new.description); END",
    f"CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
    f"INSERT INTO search_document_fts(search_document_fts, rowid, {_FTS_COLUMNS}) "
    "VALUES ('delete', old.id, old.name, old.organization, old.needs, old.description); END",
    f"CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
    f"INSERT INTO search_document_fts(search_document_fts, rowid, {_FTS_COLUMNS}) "
    "VALUES ('delete', old.id, old.name, old.organization, old.needs, old.description); "
    f"INSERT INTO search_document_fts(rowid, {_FTS_COLUMNS}) "
    "VALUES (new.id, new.name, new.organization, new.needs, new.description); END",
    "INSERT INTO search_document_fts(search_document_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_document_fts",
]
# 'simple' (no stemming, no stop words, no extension needed): the text is already folded by
# search_index.normalize(), and typo tolerance and synonyms are done before the query is built.
POSTGRES_FORWARDS = [
    "ALTER TABLE search_document ADD COLUMN document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(needs, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(organization, '')), 'C') || "
    "setweight(to_tsvector('simple', coalesce(description, '')), 'D')) STORED",
    "CREATE INDEX search_document_document ON search_document USING gin (document)",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS search_document_document",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS document",
]


async def _run(sqlite: list[str], postgres: list[str]) -> None:
    engine = engine_finder()
    if isinstance(engine, SQLiteEngine):
        statements = sqlite
    elif isinstance(engine, PostgresEngine):
        statements = postgres
    else:
        return
    for statement in statements:
        await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="resources", description=DESCRIPTION)

    async def run_forwards() -> None:
        await _run(SQLITE_FORWARDS, POSTGRES_FORWARDS)

    async def run_backwards() -> None:
        await _run(SQLITE_BACKWARDS, POSTGRES_BACKWARDS)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
