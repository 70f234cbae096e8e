"""Flat HSDS records nested the way the HSDS API serves them (compiled/service.json and friends):
a service with its organization, phones, schedules, locations, languages and attributes inside."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from web.resources.hsds.export import Records

Json = dict[str, Any]


class Nester:
    def __init__(self, records: Records) -> None:
        self.by_id: dict[str, dict[str, Json]] = {
            table: {record["id"]: record for record in rows} for table, rows in records.items()
        }
        # (table, link field, linked id) → records of that table pointing there.
        self.pointing: dict[tuple[str, str, str], list[Json]] = defaultdict(list)
        for table, rows in records.items():
            for record in rows:
                for name, value in record.items():
                    if name.endswith("_id") and isinstance(value, str):
                        self.pointing[(table, name, value)].append(record)
        self.attached: dict[tuple[str, str], list[Json]] = defaultdict(list)
        for record in records.get("attribute", []):
            self.attached[(record.get("link_entity", ""), record.get("link_id", ""))].append(record)

    def _under(self, table: str, link: str, value: str) -> list[Json]:
        return self.pointing.get((table, link, value), [])

    def attributes(self, entity: str, record_id: str) -> list[Json]:
        nested = []
        for attribute in self.attached.get((entity, record_id), []):
            item = dict(attribute)
            term = self.by_id.get("taxonomy_term", {}).get(attribute["taxonomy_term_id"])
            if term is not None:
                item["taxonomy_term"] = self.taxonomy_term(term)
            nested.append(item)
        return nested

    def taxonomy_term(self, record: Json) -> Json:
        item = dict(record)
        taxonomy = self.by_id.get("taxonomy", {}).get(record.get("taxonomy_id", ""))
        if taxonomy is not None:
            item["taxonomy_detail"] = dict(taxonomy)
        return item

    def phone(self, record: Json) -> Json:
        item = dict(record)
        item["languages"] = [dict(language) for language in self._under("language", "phone_id", record["id"])]
        item["attributes"] = self.attributes("phone", record["id"])
        return item

    def schedule(self, record: Json) -> Json:
        return {**record, "attributes": self.attributes("schedule", record["id"])}

    def location(self, record: Json) -> Json:
        key = record["id"]
        item = dict(record)
        item["addresses"] = [dict(address) for address in self._under("address", "location_id", key)]
        item["phones"] = [self.phone(phone) for phone in self._under("phone", "location_id", key)]
        item["schedules"] = [self.schedule(s) for s in self._under("schedule", "location_id", key)]
        item["languages"] = [dict(language) for language in self._under("language", "location_id", key)]
        item["attributes"] = self.attributes("location", key)
        return item

    def service_at_location(self, record: Json, *, service: str = "") -> Json:
        """service: "" leaves it out, "brief" gives its own fields, "full" nests everything."""
        key = record["id"]
        item = dict(record)
        location = self.by_id.get("location", {}).get(record.get("location_id", ""))
        if location is not None:
            item["location"] = self.location(location)
        item["schedules"] = [self.schedule(s) for s in self._under("schedule", "service_at_location_id", key)]
        item["attributes"] = self.attributes("service_at_location", key)
        found = self.by_id.get("service", {}).get(record.get("service_id", ""))
        if service and found is not None:
            item["service"] = self.service(found) if service == "full" else self.service_brief(found)
        return item

    def service_brief(self, record: Json) -> Json:
        """The service's own fields and its organization's (HSDS compiled/service_list.json)."""
        item = dict(record)
        organization = self.by_id.get("organization", {}).get(record.get("organization_id", ""))
        if organization is not None:
            item["organization"] = dict(organization)
        return item

    def service(self, record: Json) -> Json:
        key = record["id"]
        item = self.service_brief(record)
        item["phones"] = [self.phone(phone) for phone in self._under("phone", "service_id", key)]
        item["schedules"] = [self.schedule(s) for s in self._under("schedule", "service_id", key)]
        item["service_at_locations"] = [
            self.service_at_location(sal) for sal in self._under("service_at_location", "service_id", key)
        ]
        item["languages"] = [dict(language) for language in self._under("language", "service_id", key)]
        item["attributes"] = self.attributes("service", key)
        return item

    def organization(self, record: Json, *, services: str = "brief") -> Json:
        key = record["id"]
        item = dict(record)
        item["phones"] = [self.phone(phone) for phone in self._under("phone", "organization_id", key)]
        item["locations"] = [self.location(loc) for loc in self._under("location", "organization_id", key)]
        item["attributes"] = self.attributes("organization", key)
        offered = self._under("service", "organization_id", key)
        item["services"] = [self.service(s) if services == "full" else dict(s) for s in offered]
        return item
