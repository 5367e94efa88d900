"""The shipped list of counties and cities (names from FIPS, never from an imported file)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

GEOGRAPHIES_CSV = Path(__file__).resolve().parent / "data" / "geographies.csv"


def geographies_store(geography_model: Any) -> int:
    """Add the geographies that are missing (idempotent); return how many were added.

    Takes the model class so tests that flushed the table can restore it as the
    migrations made it.
    """
    existing = set(geography_model.objects.values_list("fips", flat=True))
    with GEOGRAPHIES_CSV.open(encoding="utf-8", newline="") as f:
        rows = [
            geography_model(
                kind=r["kind"],
                fips=r["fips"],
                state_fips=r["state_fips"],
                state_name=r["state_name"],
                name=r["name"],
                first_year=int(r["first_year"]) if r["first_year"] else None,
                last_year=int(r["last_year"]) if r["last_year"] else None,
                population=json.loads(r.get("population") or "{}"),
            )
            for r in csv.DictReader(f)
            if r["fips"] not in existing
        ]
    geography_model.objects.bulk_create(rows, batch_size=500)
    return len(rows)
