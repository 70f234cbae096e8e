"""What an import reads before it checks anything: records per table, each knowing where it came from,
and the problems found, each saying where it is and what is wrong in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    where: str  # "services.csv row 3", "directory.json: service record 2", "service.json → phones[0]"
    message: str
    record_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        place = self.where + (f" (id {self.record_id})" if self.record_id else "")
        return f"{place}: {self.field + ': ' if self.field else ''}{self.message}"


@dataclass
class Record:
    table: str
    data: dict[str, Any]
    where: str
    # True for rows of a tabular package (CSV, or the JSON form with a list per table); False for
    # records taken out of nested JSON, whose links to their parents were filled in from the nesting.
    tabular: bool = True

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) and value else None


@dataclass
class Package:
    source: str
    records: dict[str, list[Record]] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def add(self, record: Record) -> None:
        self.records.setdefault(record.table, []).append(record)


def detect_format(path: Path) -> str:
    """ "json" for a .json file; "csv" for a folder (or its datapackage.json)."""
    if path.name == "datapackage.json" or path.is_dir():
        return "csv"
    if path.suffix.lower() == ".json":
        return "json"
    return "csv"
