"""Who may open each implementation page and API endpoint (merged by tests/test_routes.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from coalitions.models import ROLE_RANK, Role
from plans.implementation import services
from plans.implementation.models import ProgressReport
from tests.factories import UserFactory
from tests.routes import Route, coalition_routes

# name: (method, minimum role, which object the URL names)
WEB = {
    "implementation:scorecard": ("get", Role.VIEWER, ""),
    "implementation:action": ("get", Role.VIEWER, "action"),
    "implementation:action_status": ("post", Role.MEMBER, "action"),
    "implementation:note_add": ("post", Role.MEMBER, "action"),
    "implementation:milestone_done": ("post", Role.MEMBER, "milestone"),
    "implementation:early_wins": ("get", Role.VIEWER, ""),
    "implementation:early_wins_import": ("post", Role.MEMBER, ""),
    "implementation:early_win_edit": ("get", Role.MEMBER, "win"),
    "implementation:early_win_delete": ("post", Role.MEMBER, "win"),
    "implementation:reports": ("get", Role.VIEWER, ""),
    "implementation:publication": ("post", Role.PROJECT_MANAGER, ""),
    "implementation:next_cycle": ("get", Role.VIEWER, ""),
    "implementation:candidate_adopt": ("post", Role.PROJECT_MANAGER, ""),
    "implementation:cycle_compare": ("get", Role.VIEWER, "cycle"),
}
API = {
    "api:impl-action-status": ("get", Role.VIEWER, "action"),
    "api:impl-note-list": ("get", Role.VIEWER, "action"),
    "api:impl-note-detail": ("get", Role.VIEWER, "note"),
    "api:impl-milestone-list": ("get", Role.VIEWER, "action"),
    "api:impl-milestone-done": ("delete", Role.MEMBER, "milestone"),
    "api:impl-early-win-list": ("get", Role.VIEWER, ""),
    "api:impl-early-win-detail": ("get", Role.VIEWER, "win"),
    "api:impl-scorecard": ("get", Role.VIEWER, ""),
    "api:impl-scorecard-publication": ("delete", Role.PROJECT_MANAGER, ""),
    "api:impl-report-list": ("get", Role.VIEWER, ""),
    "api:impl-report-detail": ("get", Role.VIEWER, "report"),
    "api:impl-cycle-list": ("get", Role.VIEWER, ""),
    "api:impl-cycle-comparison": ("get", Role.VIEWER, "cycle"),
}
PUBLIC = {"scorecard_public:scorecard": Route("published", kwargs={"token": "x"})}
# Only a note's author or a project manager may correct or delete it: every kind of person
# is checked in tests/implementation/test_notes.py.
OWN = {
    "implementation:note_edit": Route("coalition"),
    "implementation:note_delete": Route("coalition"),
}
# Read by tests/test_routes.py.
ROUTES: dict[str, Route] = {**coalition_routes(*WEB, *API), **PUBLIC, **OWN}
PRINCIPALS = ["anonymous", "outsider", *[r.value for r in Role]]


@pytest.fixture
def world(team, coalition, plan, pm):
    win = services.early_win_save(actor=pm, date=dt.date(2025, 5, 1), description="Hires")
    report = ProgressReport.objects.create(
        coalition=coalition,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 6, 30),
        language="en",
        document={"subtitle": "Progress report"},
    )
    cycle = services.plan_cycle_start(actor=pm, version=plan["version"])
    note = services.progress_note_add(actor=pm, action=plan["wage"], text="Budget approved")
    return {
        "coalition": coalition,
        "people": {role: m.user for role, m in team.items()},
        "action": plan["wage"],
        "milestone": plan["wage"].milestones.first(),
        "win": win,
        "report": report,
        "cycle": cycle,
        "note": note,
    }


def url_for(name: str, world: dict) -> str:
    needs = (API if name.startswith("api:") else WEB)[name][2]
    args = [world["coalition"].pk] + ([world[needs].pk] if needs else [])
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
    code = getattr(client, method)(url_for(name, world)).status_code
    if principal == "anonymous":
        assert code == (401 if api else 302), code
    elif principal == "outsider":
        assert code == 404
    elif ROLE_RANK[Role(principal)] < ROLE_RANK[minimum]:
        assert code == 403, code
    else:
        assert code in (200, 201, 204, 302, 400), code


def test_records_of_another_coalition_are_not_found(client, world, pm):
    from tests.factories import MembershipFactory

    other = MembershipFactory(role="project_manager")
    client.force_login(other.user)
    url = reverse("implementation:action", args=[other.coalition.pk, world["action"].pk])
    assert client.get(url).status_code == 404
    url = reverse("api:impl-early-win-detail", args=[other.coalition.pk, world["win"].pk])
    assert client.get(url).status_code == 404
