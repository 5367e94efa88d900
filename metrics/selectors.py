"""Reads of metric data and geographies."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from metrics.models import Geography


def fold(text: str) -> str:
    """Lower case without accents, so “dona ana” finds “Doña Ana”."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1)
def _search_index() -> tuple[tuple[int, str], ...]:
    # About 3,600 rows that change only with a migration: kept in memory per process.
    rows = Geography.objects.values_list("pk", "name", "state_name", "fips", "kind")
    return tuple(
        (pk, fold(f"{name} {state} {fips} {kind}")) for pk, name, state, fips, kind in rows
    )


def geography_search_matches(query: str, *, limit: int = 20) -> list[Geography]:
    """Counties and cities whose name, state or FIPS code contain every word of the query."""
    words = fold(query.replace(",", " ")).split()
    if not words or len("".join(words)) < 2:
        return []
    ids = [pk for pk, text in _search_index() if all(w in text for w in words)]
    if not ids:
        _search_index.cache_clear()  # the table may have been loaded since the index was built
        ids = [pk for pk, text in _search_index() if all(w in text for w in words)]
    return list(Geography.objects.filter(pk__in=ids[:500]).order_by("name", "state_name")[:limit])
