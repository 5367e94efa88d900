"""Who may open each data walk page and API endpoint (merged by tests/test_routes.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coalitions.models import ROLE_RANK, Role
from tests.factories import UserFactory
from tests.routes import Route, coalition_routes

# name: (method, minimum role, which objects the URL names)
WEB = {
    "walks:list": ("get", Role.VIEWER, ""),
    "walks:create": ("get", Role.DATA_LEAD, ""),
    "walks:walk": ("get", Role.VIEWER, "walk"),
    "walks:edit": ("get", Role.DATA_LEAD, "walk"),
    "walks:status": ("post", Role.DATA_LEAD, "walk"),
    "walks:station_add": ("get", Role.DATA_LEAD, "walk"),
    "walks:station_edit": ("get", Role.DATA_LEAD, "station"),
    "walks:station_delete": ("post", Role.DATA_LEAD, "station"),
    "walks:station_move": ("post", Role.DATA_LEAD, "station"),
    "walks:facilitate": ("get", Role.MEMBER, "station"),
    "walks:export": ("post", Role.DATA_LEAD, "walk"),
    "walks:export_file": ("get", Role.VIEWER, "export"),
    "walks:export_status": ("get", Role.VIEWER, "export"),
    "walks:moderation": ("get", Role.DATA_LEAD, "walk"),
    "walks:answer_moderate": ("post", Role.DATA_LEAD, "answer"),
    "walks:results": ("get", Role.DATA_LEAD, "walk"),
    "walks:answer_tag": ("post", Role.DATA_LEAD, "answer"),
    "walks:send": ("post", Role.DATA_LEAD, "walk"),
    "walks:contacts": ("get", Role.PROJECT_MANAGER, "walk"),
}
API = {
    "api:walk-list": ("get", Role.VIEWER, ""),
    "api:walk-detail": ("get", Role.VIEWER, "walk"),
    "api:walk-status": ("post", Role.DATA_LEAD, "walk"),
    "api:walk-station-list": ("get", Role.VIEWER, "walk"),
    "api:walk-station-detail": ("get", Role.VIEWER, "station"),
    "api:walk-facilitated": ("post", Role.MEMBER, "station"),
    "api:walk-answer-list": ("get", Role.DATA_LEAD, "walk"),
    "api:walk-answer-moderate": ("post", Role.DATA_LEAD, "answer"),
    "api:walk-answer-tag": ("post", Role.DATA_LEAD, "answer"),
    "api:walk-send": ("post", Role.DATA_LEAD, "walk"),
}
PUBLIC = {
    # Residents' pages: no account; an unknown token is a 404 page for people.
    "walks_public:start": Route("published", kwargs={"token": "x"}),
    "walks_public:about": Route("published", kwargs={"token": "x"}),
    "walks_public:thanks": Route("published", kwargs={"token": "x"}),
    "walks_public:station": Route("published", kwargs={"token": "x", "position": 1}),
}
# Read by tests/test_routes.py.
ROUTES: dict[str, Route] = {**coalition_routes(*WEB, *API), **PUBLIC}
PRINCIPALS = ["anonymous", "outsider", *[r.value for r in Role]]


@pytest.fixture
def world(team, coalition, walk, db):
    from django.core.files.base import ContentFile

    from core.models import JobStatus
    from walks import services
    from walks.models import WalkExport

    station = walk.stations.first()
    answer = services.answer_submit(
        station=station, device_id="d", address="", language="en", texts={0: "Words"}
    )[0]
    export = WalkExport.objects.create(walk=walk, status=JobStatus.SUCCEEDED)
    export.file.save("p.pdf", ContentFile(b"%PDF-1.7"), save=True)
    people = {role: m.user for role, m in team.items()}
    return {
        "coalition": coalition,
        "people": people,
        "walk": walk,
        "station": station,
        "answer": answer,
        "export": export,
    }


def url_for(name: str, world: dict) -> str:
    """The URL of a matrix route for the world's coalition, walk and objects."""
    api = name.startswith("api:")
    needs = (API if api else WEB)[name][2]
    coalition = world["coalition"].pk
    args: list[int] = [coalition]
    if needs:
        args.append(world["walk"].pk)
    if needs not in ("", "walk"):
        args.append(world[needs].pk)
    return reverse(name, args=args)


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("name", sorted([*WEB, *API]))
def test_access_matrix(client, world, name, principal):
    api = name.startswith("api:")
    method, minimum, _needs = (API if api else WEB)[name]
    if principal == "outsider":
        client.force_login(UserFactory())
    elif principal != "anonymous":
        client.force_login(world["people"][principal])
    response = getattr(client, method)(url_for(name, world))
    code = response.status_code
    if principal == "anonymous":
        assert code == (401 if api else 302), code
    elif principal == "outsider":
        assert code == 404
    elif ROLE_RANK[Role(principal)] < ROLE_RANK[minimum]:
        assert code == 403, code
    else:
        assert code in (200, 201, 302, 400), (code, getattr(response, "content", b"")[:300])
