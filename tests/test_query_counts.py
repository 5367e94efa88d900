"""Every page of the route matrix reads the database a fixed number of times.

For each GET page and API read a member can open (the coalition access matrix lists them), the
test counts the queries with a small coalition, grows everything a coalition accumulates over
years (members, revisions, comments, notifications, measures, actions, goals, peers, other
coalitions), counts again, and asks for the same number, at most ``LIMIT``. A page that reads
per row, per revision or per measure fails here with the list of its queries.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coalitions.models import Role, WorkingGroup
from metrics.models import CoalitionPeer, Metric
from plans import definitions
from plans.map import services as map_services
from plans.models import Comment, Notification, Revision, WorksheetResponse
from tests.coalitions.test_access_matrix import API, WEB, _url
from tests.coalitions.test_access_matrix import world as world  # noqa: F401 - the fixture
from tests.factories import CoalitionFactory, GeographyFactory, MembershipFactory
from tests.implementation import test_access as implementation_access
from tests.implementation.values import implementation_and_tracking
from tests.metrics import test_local_data
from tests.test_routes import SITE_ROUTES
from tests.tracking import test_access as tracking_access
from tests.tracking.conftest import add_value
from tests.walks import test_access as walks_access
from tests.walks.conftest import observe

LIMIT = 15

# Pages whose reads depend on what they show, with the reason. Each entry is a debt.
EXEMPT: dict[str, str] = {}

# Signed-in pages outside a coalition.
SITE = {n: r for n, r in SITE_ROUTES.items() if r.kind in ("login", "api") and r.method == "get"}
GETS = sorted(
    [(name, keys, False) for name, (method, _role, keys) in WEB.items() if method == "get"]
    + [(name, keys, True) for name, (method, _role, keys) in API.items() if method == "get"]
)


def _apps(world: dict) -> dict:
    """The newer apps' objects in the same coalition: an action with milestones, an early win,
    a progress report and a plan cycle (implementation), a measure and a goal with values
    (tracking), a published scorecard, an open data walk with stations and an answer, a local
    dataset. Built once, kept in ``world["apps"]``."""
    if "apps" in world:
        return world["apps"]
    from django.core.files.base import ContentFile

    from core.models import JobStatus
    from metrics.models import LocalDataset, Predictor
    from walks import services as walk_services
    from walks.models import WalkExport

    coalition = world["coalition"]
    pm = coalition.memberships.get(user=world["people"][Role.PROJECT_MANAGER.value])
    lead = coalition.memberships.get(user=world["people"][Role.DATA_LEAD.value])
    built = implementation_and_tracking(coalition, pm)
    observe(coalition)
    walk = walk_services.data_walk_save(
        actor=lead,
        fields={
            "title_en": "Our neighbourhood",
            "title_es": "Nuestro barrio",
            "use_en": "We read every answer.",
            "use_es": "Leemos cada respuesta.",
            "demographics": ["age_band"],
        },
    )
    for variable in ("walk_employed", "walk_housing"):
        walk_services.station_save(
            actor=lead,
            walk=walk,
            variable=variable,
            caption_en="Here.",
            caption_es="Aquí.",
            questions_en=["What surprises you?"],
            questions_es=["¿Qué le sorprende?"],
        )
    walk_services.data_walk_status_set(actor=lead, walk=walk, status="open")
    station = walk.stations.first()
    answer = walk_services.answer_submit(
        station=station, device_id="d", address="", language="en", texts={0: "Words"}
    )[0]
    export = WalkExport.objects.create(walk=walk, status=JobStatus.SUCCEEDED)
    export.file.save("p.pdf", ContentFile(b"%PDF-1.7"), save=True)
    dataset = LocalDataset.objects.create(
        coalition=coalition,
        predictor=Predictor.objects.get(slug="housing-affordability"),
        name="Rent burden",
        original_name="x.csv",
        columns=["a"],
    )
    world["apps"] = {
        **built,
        "walks": {
            "coalition": coalition,
            "walk": walk,
            "station": station,
            "answer": answer,
            "export": export,
        },
        "local": {"coalition": coalition, "dataset": dataset},
    }
    return world["apps"]


def _grow_apps(world: dict, n: int) -> None:
    """More of what the newer apps' pages list: milestones, notes, early wins, reports, values
    per measure and goal, walk answers."""
    from plans.implementation import services as impl
    from plans.implementation.models import ProgressReport
    from plans.map.models import Milestone
    from walks import services as walk_services

    apps = _apps(world)
    coalition = world["coalition"]
    pm = coalition.memberships.get(user=world["people"][Role.PROJECT_MANAGER.value])
    action = apps["implementation"]["action"]
    tracking = apps["tracking"]
    start = action.milestones.count()
    for i in range(n):
        Milestone.objects.create(
            action=action, title=f"Milestone {start + i}", due_date=dt.date(2026, 1, 1 + i)
        )
        impl.progress_note_add(actor=pm, action=action, text=f"Note {start + i}")
        impl.early_win_save(actor=pm, date=dt.date(2025, 6, 1 + i), description=f"Win {i}")
        ProgressReport.objects.create(
            coalition=coalition,
            period_start=dt.date(2025, 7, 1),
            period_end=dt.date(2025, 12, 31),
            language="en",
            document={"subtitle": f"Report {start + i}"},
        )
        year = 2000 + start + i
        add_value(tracking["measure"], str(year), 0.4)
        add_value(tracking["measure"], str(year), 0.3, subgroup="Black")
        add_value(tracking["goal"], str(year), 0.8)
        walk_services.answer_submit(
            station=apps["walks"]["station"],
            device_id=f"d{n}-{i}",
            address="",
            language="en",
            texts={0: f"Words {i}"},
        )


def _grow(world: dict, n: int) -> None:
    """Add ``n`` of everything a coalition gathers over years of use."""
    coalition = world["coalition"]
    pm = coalition.memberships.get(user=world["people"][Role.PROJECT_MANAGER.value])
    _grow_apps(world, n)
    members = [MembershipFactory(coalition=coalition, role=Role.MEMBER) for _ in range(n)]
    # Revisions and comments on the shared worksheet the matrix opens (W5.7) and on W2.1.
    for key in ("w5_7", "w2_1", "w5_1"):
        response, _ = WorksheetResponse.objects.get_or_create(
            coalition=coalition,
            worksheet_key=key,
            owner=pm if key == "w5_1" else None,
            defaults={"data": {}},
        )
        start = response.version
        Revision.objects.bulk_create(
            Revision(
                coalition=coalition,
                response=response,
                version=start + i + 1,
                data=response.data,
                author=members[i % n].user,
                created_at=timezone.now() - dt.timedelta(hours=n - i),
            )
            for i in range(n * 3)
        )
        response.version = start + n * 3
        response.save(update_fields=["version"])
        Comment.objects.bulk_create(
            Comment(coalition=coalition, worksheet_key=key, author=m.user, body=f"Comment {i}")
            for i, m in enumerate(members)
        )
    # W2.1's metric table: a row per metric, each showing our value and its quality.
    metrics = list(Metric.objects.order_by("variable").values_list("variable", flat=True))
    table = WorksheetResponse.objects.get(coalition=coalition, worksheet_key="w2_1", owner=None)
    rows = table.data.get("metrics_table") or []
    rows += [{"metric": v} for v in metrics[len(rows) : len(rows) + 3 * n]]
    table.data = {**table.data, "metrics_table": rows}
    table.save(update_fields=["data"])
    Notification.objects.bulk_create(
        Notification(user=pm.user, coalition=coalition, text=f"Note {i}") for i in range(n)
    )
    for i in range(n):
        WorkingGroup.objects.create(coalition=coalition, name=f"Group {coalition.pk}-{n}-{i}")
        CoalitionPeer.objects.create(
            coalition=coalition,
            geography=GeographyFactory(fips=f"99{n:02d}{i:03d}", kind="city", name=f"Peer {i}"),
        )
        area = map_services.priority_area_save(actor=pm, name=f"Area {n}-{i}", pillar="")
        map_services.strategic_action_save(
            actor=pm,
            fields={"title": f"Action {n}-{i}", "priority_area": area},
            elements={"input": f"Staff {i}", "outcome_long": f"Outcome {i}"},
        )
        map_services.headline_goal_save(
            actor=pm,
            priority_area=area,
            metric_variable="share_employed",
            baseline="70%",
            baseline_date=dt.date(2023, 12, 31),
            target="80%",
            target_date=dt.date(2030, 12, 31),
        )
        other = CoalitionFactory()
        MembershipFactory(coalition=other, role=Role.PROJECT_MANAGER)


def _count(client, url: str) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries), [q["sql"] for q in ctx]


def _pages(world: dict) -> list[tuple[str, str, bool]]:
    """(label, url, api) for every GET page and API read of the matrix, every worksheet page,
    the signed-in pages outside a coalition and the published plan."""
    pages = [(name, _url(name, keys, world), api) for name, keys, api in GETS]
    pk = world["coalition"].pk
    for ws in definitions.worksheets():
        kwargs = {"pk": pk, "key": ws.key}
        pages.append(
            (f"plans:worksheet {ws.key}", reverse("plans:worksheet", kwargs=kwargs), False)
        )
    for name, route in SITE.items():
        pages.append((name, reverse(name, kwargs=route.kwargs), route.kind.startswith("api")))
    version = world["version"]
    if not version.published_at:
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
    pages.append(
        ("map_public:plan", reverse("map_public:plan", args=[version.public_token]), False)
    )
    apps = _apps(world)
    for module, objects in (
        (implementation_access, apps["implementation"]),
        (tracking_access, apps["tracking"]),
        (walks_access, apps["walks"]),
    ):
        for name, (method, _role, _needs) in {**module.WEB, **module.API}.items():
            if method == "get":
                pages.append((name, module.url_for(name, objects), name.startswith("api:")))
    for name, (method, _role, needs) in {**test_local_data.WEB, **test_local_data.API}.items():
        if method == "get":
            url = test_local_data._url(name, needs, apps["local"])
            pages.append((name, url, name.startswith("api:")))
    token = apps["publication"].public_token
    pages.append(
        ("scorecard_public:scorecard", reverse("scorecard_public:scorecard", args=[token]), False)
    )
    walk = apps["walks"]["walk"]
    for name in ("walks_public:start", "walks_public:about", "walks_public:thanks"):
        pages.append((name, reverse(name, kwargs={"token": walk.token}), False))
    url = reverse("walks_public:station", kwargs={"token": walk.token, "position": 1})
    pages.append(("walks_public:station", url, False))
    # A revision of the shared W5.7 (the history pages: tests/plans/test_history.py).
    url = reverse("plans:worksheet_revision", args=[pk, "w5_7", 1])
    pages.append(("plans:worksheet_revision", url, False))
    kwargs = {"coalition_pk": pk, "key": "w5_7", "version": 1}
    pages.append(
        (
            "api:worksheet-revision-detail",
            reverse("api:worksheet-revision-detail", kwargs=kwargs),
            True,
        )
    )
    return pages


@pytest.mark.django_db
def test_every_page_reads_the_database_a_fixed_number_of_times(client, api_client, world):  # noqa: F811
    pm = world["people"][Role.PROJECT_MANAGER.value]
    client.force_login(pm)
    api_client.force_login(pm)
    _grow(world, 2)  # a little of everything, so that prefetches run in both counts
    pages = _pages(world)
    small: dict[str, int] = {}
    for label, url, api in pages:
        reader = api_client if api else client
        reader.get(url)  # warm per-process caches (catalog, content, sessions)
        code, small[label], _ = _count(reader, url)
        assert code in (200, 302), (label, url, code)
    _grow(world, 8)
    problems = []
    for label, url, api in pages:
        if label in EXEMPT:
            continue
        reader = api_client if api else client
        reader.get(url)  # the draft plan is rebuilt once after a change, then read from cache
        code, large, queries = _count(reader, url)
        assert code in (200, 302), (label, url, code)
        if large != small[label] or large > LIMIT:
            listing = "\n".join(f"      {q[:160]}" for q in queries)
            problems.append(f"{label}: {small[label]} queries small, {large} grown:\n{listing}")
    assert not problems, "Pages whose reads grow or pass the limit:\n" + "\n".join(problems)
