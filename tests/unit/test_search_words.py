"""The parts of search that need no database: folding words, mending typos, synonyms, distances."""

from __future__ import annotations

from collections import Counter

from web.resources import places, search_index
from web.resources.search_index import Term, corrections, expand, need_token, tokens

VOCABULARY = [
    "clinic",
    "clothes",
    "clothing",
    "counseling",
    "counselor",
    "food",
    "fed",
    "health",
    "pantry",
    "shelter",
]
COUNTS = Counter({word: 1 for word in VOCABULARY} | {"food": 9, "health": 5})


def test_words_are_folded_like_the_index() -> None:
    assert tokens("Línea de Prevención, ¡AYUDA!") == ["linea", "de", "prevencion", "ayuda"]
    assert tokens("Kids' Dental-Van 24/7") == ["kids", "dental", "van", "24", "7"]
    assert tokens("مساعدة غذائية") == ["مساعدة", "غذائية"]  # other scripts stay whole
    assert tokens(None) == []


def test_typos_mend_to_the_nearest_known_words() -> None:
    assert corrections("fod", VOCABULARY, COUNTS)[0] == "food"
    assert corrections("helth", VOCABULARY, COUNTS) == ["health"]
    assert corrections("councelor", VOCABULARY, COUNTS) == ["counselor"]
    assert "clothes" in corrections("cloths", VOCABULARY, COUNTS)
    assert corrections("zzzzzz", VOCABULARY, COUNTS) == []
    assert corrections("ab", VOCABULARY, COUNTS) == []  # too short to guess


def test_synonyms_and_need_labels_widen_a_word() -> None:
    words = sorted([*VOCABULARY, "hungry", "comida"])
    [group] = expand("hungry", "en", words, COUNTS)
    assert Term(need_token("food"), False) in group and Term("pantry", False) in group
    [group] = expand("comida", "es", words, COUNTS)
    assert Term(need_token("food"), False) in group
    # Stop words are dropped when something else was typed.
    assert len(expand("i need food", "en", words, COUNTS)) == 1
    # A word nothing is near makes no group at all.
    assert expand("qqqqqq", "en", words, COUNTS) == []


def test_known_prefixes_are_searched_as_prefixes() -> None:
    [group] = expand("counsel", "en", VOCABULARY, COUNTS)
    assert Term("counsel", True) in group
    [group] = expand("pantries", "en", sorted([*VOCABULARY, "pantries"]), COUNTS)
    assert Term("pantry", True) in group


def test_zip_codes_and_distances() -> None:
    assert places.zip_point("66102") == places.zip_centroids()["66102"]
    assert places.zip_point(" 66102-1234 ") == places.zip_centroids()["66102"]
    assert places.zip_point("99999") is None and places.zip_point("lincoln-hs") is None
    # Kansas City, KS to Topeka is about 56 miles as the crow flies.
    assert 50 < places.miles((39.1141, -94.6275), (39.0473, -95.6752)) < 60
    assert places.miles((39.1, -94.6), (39.1, -94.6)) == 0
    assert search_index.normalize("Crisis  Text-Line") == "crisis text line"
