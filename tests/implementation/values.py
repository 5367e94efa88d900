"""Ten years of values for every measure of a coalition (plans.tracking's TrackedValue)."""

from __future__ import annotations

import datetime as dt

from plans.map.models import Measure
from plans.tracking.models import TrackedValue


def ten_years_of_values(coalition) -> int:
    rows = [
        TrackedValue(
            coalition=coalition,
            measure=m,
            period=str(year),
            date=dt.date(year, 12, 31),
            value=float(year - 2014 + i % 7),
        )
        for i, m in enumerate(Measure.objects.filter(coalition=coalition))
        for year in range(2015, 2025)
        if not m.values.exists()
    ]
    TrackedValue.objects.bulk_create(rows)
    return len(rows)
