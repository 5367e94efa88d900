"""Which county a city lies in, for a city coalition that shows its county beside itself.

A city's FIPS code (state + place) does not name its county, and geographies.csv has no
link, so the project ships ``metrics/data/place_counties.csv``: for each city it covers, every
county the city lies in, the principal one (most of the city's residents) marked. It covers
only some of the 486 cities so far; for the others the coalition's data lead or project
manager chooses the county among the state's counties.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from metrics.models import Geography

PLACE_COUNTIES_CSV = Path(__file__).resolve().parent.parent / "data" / "place_counties.csv"


@cache
def _crosswalk() -> dict[str, tuple[str, ...]]:
    """{city FIPS: (principal county FIPS, other counties...)}."""
    links: dict[str, list[tuple[bool, str]]] = {}
    with PLACE_COUNTIES_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            links.setdefault(row["place_fips"], []).append(
                (row["principal"] != "1", row["county_fips"])
            )
    return {place: tuple(fips for _, fips in sorted(rows)) for place, rows in links.items()}


@dataclass(frozen=True)
class CountyLink:
    principal: Geography
    counties: int  # how many counties the city lies in


def principal_county(
    city: Geography, candidates: list[Geography] | None = None
) -> CountyLink | None:
    """The county most of the city's residents live in, when the crosswalk knows the city
    (looked up among ``candidates`` when given, to save a query)."""
    if city.kind != "city":
        return None
    counties = _crosswalk().get(city.fips)
    if not counties:
        return None
    if candidates is not None:
        principal = next((g for g in candidates if g.fips == counties[0]), None)
    else:
        principal = Geography.objects.filter(kind="county", fips=counties[0]).first()
    return CountyLink(principal, len(counties)) if principal else None


def state_counties(city: Geography) -> list[Geography]:
    """The counties a city's coalition may choose from: those of its state."""
    return list(Geography.objects.filter(kind="county", state_fips=city.state_fips))
