"""The workspace API: steps, worksheets, answers with versions (409), revisions, comments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coalitions.models import Role
from tests.factories import CoalitionFactory, MembershipFactory


@pytest.fixture
def team(db):
    coalition = CoalitionFactory()
    return {
        "coalition": coalition,
        "pm": MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER),
        "dl": MembershipFactory(coalition=coalition, role=Role.DATA_LEAD),
        "m1": MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Ann Lee"),
        "m2": MembershipFactory(coalition=coalition, role=Role.MEMBER),
        "viewer": MembershipFactory(coalition=coalition, role=Role.VIEWER),
    }


def api(team, name, **kw):
    return reverse(f"api:{name}", kwargs={"coalition_pk": team["coalition"].pk, **kw})


def test_write_read_and_conflict(api_client, team):
    url = api(team, "worksheet-responses", key="w5_7")
    api_client.force_authenticate(team["m1"].user)
    first = api_client.put(url, {"version": 0, "data": {"narrative": "A"}}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 1
    api_client.force_authenticate(team["m2"].user)
    stale = api_client.put(url, {"version": 0, "data": {"narrative": "B"}}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1 and stale.json()["current"] == {"narrative": "A"}
    assert api_client.get(url).json()["data"] == {"narrative": "A"}
    revisions = api_client.get(api(team, "worksheet-revisions", key="w5_7")).json()
    assert revisions["count"] == 1 and revisions["results"][0]["version"] == 1
    [change] = revisions["results"][0]["changes"]
    assert (change["before"], change["after"]) == ("", "A") and change["label"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"narrative": "x" * 10_001}, "narrative"),
        ({"consensus": "maybe"}, "consensus"),
        ({"gaps": [{}] * 0 + [{"gap": f"g{i}"} for i in range(500)]}, "gaps"),
    ],
)
def test_bad_answers_get_400_by_field_and_nothing_is_saved(api_client, team, data, field):
    url = api(team, "worksheet-responses", key="w5_7")
    api_client.force_authenticate(team["m1"].user)
    api_client.put(url, {"version": 0, "data": {"narrative": "kept"}}, format="json")
    bad = api_client.put(url, {"version": 1, "data": data}, format="json")
    assert bad.status_code == 400 and field in bad.json()["data"]
    assert api_client.get(url).json() | {} == api_client.get(url).json()
    assert api_client.get(url).json()["data"] == {"narrative": "kept"}


def test_roles_that_may_not_edit_get_403(api_client, team):
    api_client.force_authenticate(team["viewer"].user)
    url = api(team, "worksheet-responses", key="w5_7")
    assert api_client.put(url, {"version": 0, "data": {}}, format="json").status_code == 403
    api_client.force_authenticate(team["m1"].user)  # W7.5: project manager only
    url = api(team, "worksheet-responses", key="w7_5")
    assert api_client.put(url, {"version": 0, "data": {}}, format="json").status_code == 403


def test_individual_answers_are_each_members_own(api_client, team):
    api_client.force_authenticate(team["dl"].user)
    api_client.put(
        api(team, "worksheet-responses", key="w5_2"),
        {"version": 0, "data": {"sharing_mode": "anonymized"}},
        format="json",
    )
    url = api(team, "worksheet-responses", key="w5_1")
    api_client.force_authenticate(team["m1"].user)
    api_client.put(url, {"version": 0, "data": {"q5b_group_discussion": "Mine"}}, format="json")
    api_client.force_authenticate(team["m2"].user)
    assert api_client.get(url).json()["data"] == {}


def test_steps_and_worksheets_list_with_status(api_client, team):
    api_client.force_authenticate(team["viewer"].user)
    steps = api_client.get(api(team, "step-list")).json()
    assert [s["number"] for s in steps] == list(range(1, 11))
    assert steps[2]["checklist"][0]["ticked"] is False
    sheets = api_client.get(api(team, "worksheet-list")).json()
    assert len(sheets) == 47 and sheets[0]["can_edit"] is False
    detail = api_client.get(api(team, "worksheet-detail", key="w3_1")).json()
    assert detail["definition"]["fields"][0]["key"] == "conditions"
    assert api_client.get(api(team, "worksheet-detail", key="w99_1")).status_code == 404


def test_only_the_project_manager_changes_a_step_status(api_client, team):
    url = api(team, "step-detail", number=3)
    api_client.force_authenticate(team["dl"].user)
    assert api_client.patch(url, {"status": "complete"}, format="json").status_code == 403
    api_client.force_authenticate(team["pm"].user)
    done = api_client.patch(url, {"status": "complete"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "complete"
    assert api_client.patch(url, {"status": "nope"}, format="json").status_code == 400


def test_comments(api_client, team):
    url = api(team, "worksheet-comments", key="w5_7")
    api_client.force_authenticate(team["m2"].user)
    made = api_client.post(url, {"body": "Hi @AnnLee", "field_key": "narrative"}, format="json")
    assert made.status_code == 201
    assert api_client.get(url).json()[0]["body"] == "Hi @AnnLee"
    assert (
        api_client.post(url, {"body": "x", "field_key": "nope"}, format="json").status_code == 400
    )
    api_client.force_authenticate(team["viewer"].user)
    assert api_client.post(url, {"body": "x"}, format="json").status_code == 403


def test_the_schema_lists_the_workspace(api_client, team):
    schema = api_client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/coalitions/{coalition_pk}/worksheets/{key}/responses/" in paths
    put = paths["/api/coalitions/{coalition_pk}/worksheets/{key}/responses/"]["put"]
    assert "409" in put["responses"]
    assert "/api/coalitions/{coalition_pk}/steps/" in paths
