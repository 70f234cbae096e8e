"""Where things are: ZIP code centres shipped with Lantern (no geocoding at run time) and distances."""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

ZIP_FILE = Path(__file__).with_name("zip_centroids.json")
EARTH_RADIUS_MILES = 3958.8


@cache
def zip_centroids() -> dict[str, tuple[float, float]]:
    data = json.loads(ZIP_FILE.read_text(encoding="utf-8"))
    return {
        code: (float(point[0]), float(point[1])) for code, point in data.items() if not code.startswith("_")
    }


def zip_point(text: str) -> tuple[float, float] | None:
    """The centre of a five-digit ZIP code we know ("66102", or "66102-1234")."""
    match = re.fullmatch(r"\s*(\d{5})(?:-\d{4})?\s*", text)
    return zip_centroids().get(match.group(1)) if match else None


def miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance in miles."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))
