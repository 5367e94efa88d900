"""Pages that read metrics, measures and the plan cost a fixed, small number of queries.

Each page is loaded twice, over a small and a large coalition (more metric rows, measures,
priority areas, actions, peers), and must make the same number of queries, at most
``MAX_QUERIES``: no query per row, per measure or per section.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from metrics import models as m
from plans import definitions
from plans.map import services as map_services
from plans.models import WorksheetResponse
from tests.factories import CoalitionFactory, MembershipFactory

pytestmark = pytest.mark.django_db
MAX_QUERIES = 15
SMALL, LARGE = 3, 30


def _observe(geographies) -> list[str]:
    """An active release with three years of every catalog metric for these places."""
    release = m.Release.objects.filter(name="perf").first()
    if release is None:
        m.Release.objects.update(is_active=False)
        release = m.Release.objects.create(name="perf", is_active=True)
    seen = set(m.Observation.objects.filter(release=release).values_list("geography_id", flat=True))
    geographies = [g for g in geographies if g.pk not in seen]
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    black = m.Subgroup.objects.get_or_create(subgroup_type="race-ethnicity", name="Black")[0]
    metrics = list(m.Metric.objects.order_by("position"))
    rows = [
        m.Observation(
            release=release,
            geography=g,
            metric=metric,
            subgroup=group,
            year=year,
            value=(2.0 if metric.unit in ("ratio", "text_ratio", "index") else 0.4)
            + year % 3 * 0.01,
            value_a=0.1 if metric.unit == "text_ratio" else None,
            value_b=0.2 if metric.unit == "text_ratio" else None,
            quality=1 + year % 3,
        )
        for g in geographies
        for metric in metrics
        for group in (everyone, black)
        for year in (2019, 2021, 2023)
    ]
    m.Observation.objects.bulk_create(rows)
    return [metric.variable for metric in metrics]


def _coalition(n: int):
    """A coalition whose tables, measures and peers grow with ``n``."""
    coalition = CoalitionFactory()
    pm = MembershipFactory(coalition=coalition, role="project_manager")
    for _ in range(2):
        MembershipFactory(coalition=coalition)
    peers = list(m.Geography.objects.exclude(pk=coalition.geography_id).order_by("pk")[:n])
    variables = _observe([coalition.geography, *peers])
    for geography in peers[: min(n, 5)]:
        m.CoalitionPeer.objects.create(coalition=coalition, geography=geography)
    cycle = itertools.cycle(variables)
    table = [{"metric": next(cycle), "reading": "strength"} for _ in range(min(n, 40))]
    WorksheetResponse.objects.create(
        coalition=coalition, worksheet_key="w2_1", data={"metrics_table": table}
    )
    map_services.vision_save(actor=pm, statement="A place where everyone thrives.")
    for i in range(n):
        area = map_services.priority_area_save(actor=pm, name=f"Area {i}", pillar="rewarding-work")
        map_services.strategic_action_save(
            actor=pm,
            fields={"title": f"Action {i}", "priority_area": area},
            elements={"input": f"Staff {i}", "outcome_long": f"Higher incomes {i}"},
        )
    for k, measure in enumerate(coalition.measures.all()):
        measure.metric_variable = next(cycle)
        measure.measure = f"Measure {k}"
        measure.baseline = "40%"
        measure.target = "45%"
        measure.gap_subgroup = "Black" if k % 2 else ""
        measure.gap_reduction_percent = 20 if k % 2 else None
        measure.save()
    return coalition, pm


def _pages(coalition, pm) -> dict[str, str]:
    pk = coalition.pk
    area = coalition.priority_areas.first()
    action = coalition.strategic_actions.first()
    goal = map_services.headline_goal_save(
        actor=pm,
        priority_area=area,
        metric_variable="share_employed",
        target="75%",
        target_date=dt.date(2030, 12, 31),
    )
    version = map_services.map_version_freeze(actor=pm, override_reason="A look.")
    first = map_services.map_version_freeze(actor=pm, override_reason="Again.")
    version.published_at = timezone.now()
    version.public_token = f"token-{pk}"
    version.save()
    pages = {
        "worksheet W2.1": reverse("plans:worksheet", args=[pk, "w2_1"]),
        "worksheet W5.2": reverse("plans:worksheet", args=[pk, "w5_2"]),
        "strategy": reverse("map:strategy", args=[pk]),
        "vision": reverse("map:vision", args=[pk]),
        "new priority area": reverse("map:priority_create", args=[pk]),
        "new action": reverse("map:action_create", args=[pk]),
        "priority area": reverse("map:priority_edit", args=[pk, area.pk]),
        "action": reverse("map:action_edit", args=[pk, action.pk]),
        "new goal": reverse("map:goal_create", args=[pk, area.pk]),
        "goal": reverse("map:goal_edit", args=[pk, area.pk, goal.pk]),
        "preview as the public": reverse("map:preview_public", args=[pk]),
        "compare with the draft": reverse("map:version_compare", args=[pk, first.pk]),
        "compare two versions": reverse("map:version_compare", args=[pk, version.pk]),
        "published plan": reverse("map_public:plan", args=[version.public_token]),
        "measurement plan": reverse("map:measures", args=[pk]),
        "coverage": reverse("map:coverage", args=[pk]),
        "MAP draft": reverse("map:plan", args=[pk]),
        "frozen version": reverse("map:version", args=[pk, version.pk]),
        "profile": reverse("profiles:profile", args=[pk]),
        "peers": reverse("profiles:peers", args=[pk]),
        "metric detail": reverse("profiles:metric", args=[pk, "share_employed"]),
    }
    for spec in definitions.map_sections():
        pages[f"MAP section {spec.key}"] = reverse("map:section", args=[pk, spec.key])
    return pages


def _counts(client, coalition, pm) -> dict[str, int]:
    client.force_login(pm.user)
    out = {}
    for name, url in _pages(coalition, pm).items():
        client.get(url)  # a first view may fill a cache: the steady state is what counts
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        out[name] = len(queries)
        if os.environ.get("PERF_DUMP") == name:
            print("\n".join(q["sql"][:300] for q in queries.captured_queries))
    return out


def _build_queries(coalition) -> int:
    from plans.map.document import build_document

    with CaptureQueriesContext(connection) as queries:
        build_document(coalition)
    if os.environ.get("PERF_DUMP") == "build":
        print("\n".join(q["sql"][:200] for q in queries.captured_queries))
    return len(queries)


def test_building_the_plan_costs_the_same_queries_small_or_large():
    small = _build_queries(_coalition(SMALL)[0])
    large = _build_queries(_coalition(LARGE)[0])
    print(f"\nwhole draft document, built  {small:4} {large:4}")
    assert small == large


def test_pages_cost_the_same_few_queries_small_or_large(client):
    small = _counts(client, *_coalition(SMALL))
    large = _counts(client, *_coalition(LARGE))
    print()
    for name in small:
        print(f"{name:28} {small[name]:4} {large[name]:4}")
    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large
