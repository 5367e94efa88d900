"""Every coalition URL and API route against every kind of person.

Anonymous: sign-in page (API 401). Outsider: 404. A role below the route's minimum: 403.
The route's minimum role or higher: allowed. Routes are registered with the project-wide
route test, so a new coalition route that is not listed here fails that test.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from coalitions.models import ROLE_RANK, BulkInvitation, Invitation, Role, WorkingGroup
from metrics.models import CoalitionPeer, Metric, MetricNote
from plans.models import Assignment, WorksheetFile
from tests.factories import CoalitionFactory, GeographyFactory, MembershipFactory, UserFactory
from tests.map.helpers import map_world
from tests.routes import Route, coalition_routes

V, M, MT, DL, PM = (
    Role.VIEWER,
    Role.MEMBER,
    Role.MANAGEMENT_TEAM,
    Role.DATA_LEAD,
    Role.PROJECT_MANAGER,
)

# name: (method, minimum role, extra kwargs keys)
WEB = {
    "coalitions:detail": ("get", V, ()),
    "coalitions:settings": ("get", PM, ()),
    "coalitions:composition": ("get", V, ()),
    "coalitions:activity": ("get", PM, ()),
    "coalitions:members": ("get", V, ()),
    "coalitions:member_edit": ("get", PM, ("member_id",)),
    "coalitions:member_role": ("post", PM, ("member_id",)),
    "coalitions:member_remove": ("post", PM, ("member_id",)),
    "coalitions:leave": ("get", V, ()),
    "coalitions:hand_over": ("get", PM, ()),
    "coalitions:invitations": ("get", MT, ()),
    "coalitions:invitation_bulk": ("get", MT, ()),
    "coalitions:invitation_bulk_job": ("get", MT, ("bulk_id",)),
    "coalitions:invitation_bulk_progress": ("get", MT, ("bulk_id",)),
    "coalitions:invitation_bulk_retry": ("post", MT, ("bulk_id",)),
    "coalitions:invitation_resend": ("post", MT, ("invitation_id",)),
    "coalitions:invitation_revoke": ("post", MT, ("invitation_id",)),
    "coalitions:working_groups": ("get", V, ()),
    "coalitions:working_group_create": ("get", MT, ()),
    "coalitions:working_group_edit": ("get", MT, ("group_id",)),
    "coalitions:working_group_delete": ("post", MT, ("group_id",)),
    "profiles:profile": ("get", V, ()),
    "profiles:metric": ("get", V, ("variable",)),
    "profiles:peers": ("get", V, ()),
    "profiles:disparities": ("get", V, ()),
    "profiles:county_comparison": ("post", DL, ()),
    "profiles:peer_add": ("post", M, ()),
    "profiles:peer_remove": ("post", M, ("peer_id",)),
    "profiles:note_delete": ("post", PM, ("note_id",)),  # others' notes; authors: own test
    # The planning workspace (plans.urls). "key" is W5.7, which every contributing role fills;
    # "individual" is W5.1, which each member fills on their own and the data lead compiles.
    "plans:steps": ("get", V, ()),
    "plans:step": ("get", V, ("number",)),
    "plans:step_status": ("post", PM, ("number",)),
    "plans:step_checklist": ("post", PM, ("number",)),
    "plans:assignment_create": ("get", MT, ("number",)),
    "plans:assignment_delete": ("post", MT, ("assignment_id",)),
    "plans:my_work": ("get", V, ()),
    "plans:notifications": ("get", V, ()),
    "plans:readiness": ("get", V, ()),
    "plans:worksheet": ("get", V, ("key",)),
    "plans:worksheet_autosave": ("post", M, ("key",)),
    "plans:worksheet_mark": ("post", M, ("key",)),
    "plans:worksheet_conflict": ("get", M, ("key",)),
    "plans:worksheet_history": ("get", V, ("key",)),
    "plans:worksheet_restore": ("post", M, ("key",)),
    "plans:worksheet_comment": ("post", M, ("key",)),
    "plans:worksheet_export": ("get", V, ("key", "fmt")),
    "plans:compilation": ("get", DL, ("individual",)),
    "plans:worksheet_file": ("get", V, ("file_id",)),
    "plans:workspace_export": ("get", PM, ()),
    "plans:workspace_import": ("get", PM, ()),
    # Strategy and the MAP (plans.map.urls). review_decide: any member reads a review; only
    # its reviewer may decide (tests/map/test_review.py).
    "map:strategy": ("get", V, ()),
    "map:import_worksheets": ("post", M, ()),
    "map:vision": ("get", M, ()),
    "map:priority_create": ("get", M, ()),
    "map:priority_edit": ("get", M, ("priority_id",)),
    "map:priority_delete": ("post", M, ("priority_id",)),
    "map:goal_create": ("get", M, ("priority_id",)),
    "map:goal_edit": ("get", M, ("priority_id", "goal_id")),
    "map:goal_delete": ("post", M, ("priority_id", "goal_id")),
    "map:theory_create": ("get", M, ()),
    "map:theory_edit": ("get", M, ("theory_id",)),
    "map:theory_delete": ("post", M, ("theory_id",)),
    "map:action_create": ("get", M, ()),
    "map:action_edit": ("get", M, ("action_id",)),
    "map:action_delete": ("post", M, ("action_id",)),
    "map:theory_preview": ("post", M, ()),
    "map:measures": ("get", V, ()),
    "map:coverage": ("get", V, ()),
    "map:measure_edit": ("get", M, ("measure_id",)),
    "map:measure_dismiss": ("post", M, ("measure_id",)),
    "map:plan": ("get", V, ()),
    "map:section": ("get", V, ("section",)),
    "map:section_publication": ("get", V, ("section",)),
    "map:preview_public": ("get", V, ()),
    "map:review_request": ("get", PM, ()),
    "map:review_decide": ("get", V, ("review_id",)),
    "map:version_check": ("get", PM, ()),
    "map:version_freeze": ("post", PM, ()),
    "map:version": ("get", V, ("version_id",)),
    "map:version_compare": ("get", V, ("version_id",)),
    "map:version_publish": ("post", PM, ("version_id",)),
    "map:version_unpublish": ("post", PM, ("version_id",)),
    "map:export_start": ("post", M, ()),
    "map:export_status": ("get", V, ("export_id",)),
    "map:export_download": ("get", V, ("export_id",)),
    "map:export_retry": ("post", M, ("export_id",)),
    "map:cover": ("get", PM, ()),
    "map:cover_partners": ("post", PM, ()),
    "map:cover_logo": ("get", PM, ()),
}
API = {
    "api:coalition-detail": ("get", V, ()),
    "api:membership-list": ("get", V, ()),
    "api:membership-detail": ("delete", PM, ("pk:member",)),
    "api:invitation-list": ("get", MT, ()),
    "api:invitation-detail": ("get", MT, ("pk:invitation",)),
    "api:invitation-revoke": ("post", MT, ("pk:invitation",)),
    "api:invitation-resend": ("post", MT, ("pk:invitation",)),
    "api:working-group-list": ("get", V, ()),
    "api:working-group-detail": ("delete", MT, ("pk:group",)),
    "api:profile": ("get", V, ()),
    "api:profile-peers": ("get", V, ()),
    "api:profile-metric": ("get", V, ("variable",)),
    "api:profile-disparities": ("get", V, ()),
    "api:step-list": ("get", V, ()),
    "api:step-detail": ("get", V, ("number",)),  # PATCH (project manager): tests/plans
    "api:worksheet-list": ("get", V, ()),
    "api:worksheet-detail": ("get", V, ("key",)),
    "api:worksheet-responses": ("get", V, ("key",)),
    "api:worksheet-revisions": ("get", V, ("key",)),
    "api:worksheet-comments": ("get", V, ("key",)),
    # Writes of the strategy and MAP API are checked by role in tests/map/test_api.py.
    "api:map-vision": ("get", V, ()),
    "api:map-priority-list": ("get", V, ()),
    "api:map-priority-detail": ("get", V, ("pk:priority",)),
    "api:map-theory-list": ("get", V, ()),
    "api:map-theory-detail": ("get", V, ("pk:theory",)),
    "api:map-action-list": ("get", V, ()),
    "api:map-action-detail": ("get", V, ("pk:action",)),
    "api:map-goal-list": ("get", V, ()),
    "api:map-goal-detail": ("get", V, ("pk:goal",)),
    "api:map-measure-list": ("get", V, ()),
    "api:map-measure-detail": ("get", V, ("pk:measure",)),
    "api:map-section-list": ("get", V, ()),
    "api:map-section-detail": ("get", V, ("section",)),
    "api:map-section-publication": ("get", V, ("section",)),
    "api:map-preview": ("get", V, ()),
    "api:map-review-list": ("get", V, ()),
    "api:map-check": ("get", PM, ()),
    "api:map-version-list": ("get", V, ()),
    "api:map-version-detail": ("get", V, ("pk:version",)),
    "api:map-version-publication": ("delete", PM, ("pk:version",)),
    "api:map-export-list": ("get", V, ()),
    "api:map-export-detail": ("get", V, ("pk:export",)),
    "api:map-export-retry": ("post", M, ("pk:export",)),
    "api:map-plan-settings": ("get", V, ()),
    # Each person's own notifications in the coalition (tests/notifications/test_api.py).
    "api:notification-list": ("get", V, ()),
    "api:notification-mark-read": ("post", V, ()),
}
# Every route this module classifies, read by tests/test_routes.py; the ones that are not
# under one coalition are checked there.
ROUTES: dict[str, Route] = {
    "coalitions:list": Route("login"),
    "coalitions:create": Route("login"),
    "coalitions:geography_search": Route("login"),
    "coalitions:invitation_accept": Route("public", kwargs={"token": "x"}),
    "api:coalition-list": Route("api"),
    "api:geography-profile": Route("api", kwargs={"pk": 1}),
    "api:geography-peers": Route("api", kwargs={"pk": 1}),
    # Only the reviewer may decide: tests/map/test_review_and_versions.py checks everyone.
    "api:map-review-decision": Route("coalition"),
    # A published MAP: anyone, by token; an unknown token is 404
    # (tests/map/test_review_and_versions.py).
    "map_public:plan": Route("published", kwargs={"token": "x"}),
    "map_public:pdf": Route("published", kwargs={"token": "x"}),
    "map_public:summary_pdf": Route("published", kwargs={"token": "x"}),
    "map_public:docx": Route("published", kwargs={"token": "x"}),
    "map_public:summary_docx": Route("published", kwargs={"token": "x"}),
    # A member sets their own listing, the project manager anyone's: tests/map/test_front.py.
    "api:map-plan-partners": Route("coalition"),
    **coalition_routes(*WEB, *API),
}

PRINCIPALS = ["anonymous", "outsider", *[r.value for r in Role]]


@pytest.fixture
def world(db):
    coalition = CoalitionFactory()
    people = {role.value: MembershipFactory(coalition=coalition, role=role).user for role in Role}
    target = MembershipFactory(coalition=coalition, role=M)
    invitation = Invitation.objects.create(
        coalition=coalition,
        email="invitee@example.org",
        token_hash="h" * 64,
        expires_at="2999-01-01T00:00:00Z",
    )
    group = WorkingGroup.objects.create(coalition=coalition, name="Housing")
    bulk = BulkInvitation.objects.create(coalition=coalition, text="a@example.org")
    metric = Metric.objects.get(variable="share_employed")
    # The target member's note: members may delete their own, project managers any.
    note = MetricNote.objects.create(
        coalition=coalition, metric=metric, author=target.user, text="n"
    )
    peer = CoalitionPeer.objects.create(
        coalition=coalition,
        geography=GeographyFactory(fips="0103076", kind="city", name="Auburn city"),
    )
    assignment = Assignment.objects.create(coalition=coalition, step=5, owner=target)
    stored = WorksheetFile.objects.create(
        coalition=coalition, file=ContentFile(b"%PDF-1.4", name="x.pdf"), original_name="x.pdf"
    )
    return {
        **map_world(coalition, people["project_manager"], target),
        "file": stored,
        "assignment": assignment,
        "coalition": coalition,
        "people": people,
        "outsider": UserFactory(),
        "member": target,
        "invitation": invitation,
        "group": group,
        "bulk": bulk,
        "note": note,
        "peer": peer,
        "metric": metric,
    }


OBJECT_KEYS = {
    "member_id": "member",
    "invitation_id": "invitation",
    "bulk_id": "bulk",
    "group_id": "group",
    "note_id": "note",
    "peer_id": "peer",
    "assignment_id": "assignment",
    "file_id": "file",
    "priority_id": "priority",
    "theory_id": "theory",
    "goal_id": "goal",
    "action_id": "action",
    "measure_id": "measure",
    "review_id": "review",
    "version_id": "version",
    "export_id": "export",
}


def _url(name: str, keys: tuple, world: dict) -> str:
    web = (
        name.startswith(("coalitions:", "profiles:", "plans:", "map:"))
        or name == "api:coalition-detail"
    )
    kwargs = {"pk": world["coalition"].pk} if web else {"coalition_pk": world["coalition"].pk}
    fixed = {"number": 5, "key": "w5_7", "fmt": "csv"}
    for key in keys:
        if key in fixed:
            kwargs[key] = fixed[key]
        elif key == "section":
            kwargs["key"] = "M5"
        elif key == "individual":
            kwargs["key"] = "w5_1"
        elif key.startswith("pk:"):
            kwargs["pk"] = world[key[3:]].pk
        elif key == "variable":
            kwargs[key] = world["metric"].variable
        else:
            kwargs[key] = world[OBJECT_KEYS[key]].pk
    return reverse(name, kwargs=kwargs)


def _check(
    client,
    api: bool,
    name: str,
    method: str,
    minimum: Role,
    keys: tuple,
    principal: str,
    world: dict,
):
    if principal == "outsider":
        client.force_login(world["outsider"])
    elif principal != "anonymous":
        client.force_login(world["people"][principal])
    response = getattr(client, method)(_url(name, keys, world))
    code = response.status_code
    if principal == "anonymous":
        if api:
            assert code == 401, (name, principal, code)
        else:
            assert code == 302 and "/accounts/login/" in response["Location"], (name, code)
    elif principal == "outsider":
        assert code == 404, (name, principal, code)
    elif ROLE_RANK[Role(principal)] < ROLE_RANK[minimum]:
        assert code == 403, (name, principal, code)
    elif name.endswith(("-retry", "_retry")):
        # Past the access check; the world's export succeeded, so the service says 400.
        assert code in (202, 302, 400), (name, principal, code)
    else:
        assert code in (200, 201, 204, 302), (name, principal, code)


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("name", sorted(WEB))
def test_web_routes(client, world, name, principal):
    method, minimum, keys = WEB[name]
    _check(client, False, name, method, minimum, keys, principal, world)


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("name", sorted(API))
def test_api_routes(api_client, world, name, principal):
    method, minimum, keys = API[name]
    _check(api_client, True, name, method, minimum, keys, principal, world)


def test_coalition_list_shows_only_mine(api_client, world):
    api_client.force_login(world["outsider"])
    assert api_client.get(reverse("api:coalition-list")).json()["results"] == []
    api_client.force_login(world["people"]["viewer"])
    ids = [c["id"] for c in api_client.get(reverse("api:coalition-list")).json()["results"]]
    assert ids == [world["coalition"].pk]


def test_only_project_managers_update_the_coalition(api_client, world):
    url = reverse("api:coalition-detail", kwargs={"pk": world["coalition"].pk})
    api_client.force_login(world["people"]["data_lead"])
    assert api_client.patch(url, {"name": "X"}, format="json").status_code == 403
    api_client.force_login(world["people"]["project_manager"])
    assert api_client.patch(url, {"name": "Renamed"}, format="json").status_code == 200
    world["coalition"].refresh_from_db()
    assert world["coalition"].name == "Renamed"
