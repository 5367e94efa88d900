"""Time the scorecard (page and selector) of a big plan and count its queries.

    .venv/bin/python bench/scorecard.py [--actions 60] [--measures 200] [--years 10] [--repeat 5]

Builds, in a throwaway SQLite database, one coalition with N strategic actions (each with two
milestones and a progress note), M measures spread over them with Y years of values each, and
a headline goal; then reads the scorecard selector and renders the scorecard page (test client,
signed in) `repeat` times. The last line: median selector and page times and the query counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = tempfile.mkdtemp(prefix="bench-scorecard-")
os.environ["MOBILITY_VAR_DIR"] = VAR
os.environ["DATABASE_URL"] = f"sqlite:///{VAR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402


def build(actions: int, measures: int, years: int):
    from coalitions.models import Role
    from plans.implementation.models import ProgressNote
    from plans.map.models import (
        ElementKind,
        LogicElement,
        Measure,
        Milestone,
        PriorityArea,
        StrategicAction,
    )
    from plans.tracking.models import TrackedValue
    from tests.factories import CoalitionFactory, MembershipFactory

    coalition = CoalitionFactory()
    viewer = MembershipFactory(coalition=coalition, role=Role.VIEWER)
    areas = [PriorityArea.objects.create(coalition=coalition, name=f"Area {i}") for i in range(3)]
    made = StrategicAction.objects.bulk_create(
        StrategicAction(coalition=coalition, priority_area=areas[i % 3], title=f"Action {i}")
        for i in range(actions)
    )
    Milestone.objects.bulk_create(
        Milestone(action=a, title=f"Step {k}", due_date=dt.date(2026 + k, 1, 1))
        for a in made
        for k in range(2)
    )
    ProgressNote.objects.bulk_create(ProgressNote(action=a, text="Going well") for a in made)
    elements = LogicElement.objects.bulk_create(
        LogicElement(action=made[i % actions], kind=ElementKind.OUTPUT, text=f"Output {i}")
        for i in range(measures)
    )
    rows = Measure.objects.bulk_create(
        Measure(
            coalition=coalition,
            element=e,
            element_kind=e.kind,
            element_text=e.text,
            measure=f"Measure {i}",
            baseline_value=10.0,
            baseline_date=dt.date(2015, 1, 1),
            target_value=30.0,
            target_date=dt.date(2030, 1, 1),
        )
        for i, e in enumerate(elements)
    )
    TrackedValue.objects.bulk_create(
        TrackedValue(
            coalition=coalition,
            measure=m,
            period=str(2025 - y),
            date=dt.date(2025 - y, 12, 31),
            value=10.0 + y,
        )
        for m in rows
        for y in range(years)
    )
    return coalition, viewer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=60)
    parser.add_argument("--measures", type=int, default=200)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from plans.implementation.selectors import scorecard

    coalition, viewer = build(args.actions, args.measures, args.years)
    client = Client()
    client.force_login(viewer.user)
    url = reverse("implementation:scorecard", args=[coalition.pk])
    selector_times, page_times = [], []
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as selector_queries:
            start = time.perf_counter()
            scorecard(coalition)
            selector_times.append(time.perf_counter() - start)
        with CaptureQueriesContext(connection) as page_queries:
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            page_times.append(time.perf_counter() - start)
    print(
        f"{args.actions} actions, {args.measures} measures x {args.years} years: "
        f"selector {statistics.median(selector_times) * 1000:.0f} ms "
        f"({len(selector_queries.captured_queries)} queries), "
        f"page {statistics.median(page_times) * 1000:.0f} ms "
        f"({len(page_queries.captured_queries)} queries)"
    )


if __name__ == "__main__":
    main()
