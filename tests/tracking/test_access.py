"""Who may open each values page and API endpoint (merged by tests/test_routes.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coalitions.models import ROLE_RANK, Role
from plans.tracking.models import ReleaseChange
from tests.factories import CoalitionFactory, UserFactory
from tests.routes import Route, coalition_routes
from tests.tracking.conftest import add_value, make_goal, make_measure

# name: (method, minimum role, which object the URL names)
WEB = {
    "tracking:measure": ("get", Role.VIEWER, "measure"),
    "tracking:goal": ("get", Role.VIEWER, "goal"),
    "tracking:value_delete": ("post", Role.MEMBER, "value"),
    "tracking:change_dismiss": ("post", Role.VIEWER, "change"),
}
API = {
    "api:tracking-measure-values": ("get", Role.VIEWER, "measure"),
    "api:tracking-goal-values": ("get", Role.VIEWER, "goal"),
    "api:tracking-value-detail": ("delete", Role.MEMBER, "value"),
    "api:tracking-measure-subgroup-targets": ("get", Role.VIEWER, "measure"),
    "api:tracking-goal-subgroup-targets": ("get", Role.VIEWER, "goal"),
}
# Read by tests/test_routes.py.
ROUTES: dict[str, Route] = coalition_routes(*WEB, *API)
PRINCIPALS = ["anonymous", "outsider", *[r.value for r in Role]]


@pytest.fixture
def world(team, coalition):
    from metrics.models import Release

    measure = make_measure(coalition)
    release = Release.objects.create(name="2099")
    return {
        "coalition": coalition,
        "people": {role: m.user for role, m in team.items()},
        "measure": measure,
        "goal": make_goal(coalition),
        "value": add_value(measure, "2024", 0.5),
        "change": ReleaseChange.objects.create(coalition=coalition, release=release),
    }


def url_for(name: str, world: dict) -> str:
    needs = {**WEB, **API}[name][2]
    return reverse(name, args=[world["coalition"].pk, world[needs].pk])


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("name", sorted([*WEB, *API]))
def test_access_matrix(client, world, name, principal):
    api = name.startswith("api:")
    method, minimum, _needs = {**WEB, **API}[name]
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
        assert code in (200, 201, 204, 302, 400), (code, getattr(response, "content", b"")[:300])


def test_another_coalitions_measure_is_not_found(client, world):
    client.force_login(world["people"]["project_manager"])
    foreign = make_measure(CoalitionFactory())
    response = client.get(reverse("tracking:measure", args=[world["coalition"].pk, foreign.pk]))
    assert response.status_code == 404
