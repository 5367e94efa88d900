"""Writes through the strategy and MAP API, by role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import JobStatus
from plans.map.models import Measure

pytestmark = pytest.mark.django_db


def _url(name, coalition, *args):
    return reverse(f"api:{name}", args=[coalition.pk, *args])


def test_member_builds_the_logic_model_and_the_plan_follows(api_client, coalition, team):
    api_client.force_login(team["viewer"].user)
    payload = {"title": "Living wage", "elements": {"input": ["Staff"], "output": ["Ordinance"]}}
    assert (
        api_client.post(_url("map-action-list", coalition), payload, format="json").status_code
        == 403
    )
    api_client.force_login(team["member"].user)
    created = api_client.post(_url("map-action-list", coalition), payload, format="json")
    assert created.status_code == 201, created.json()
    action_id = created.json()["id"]
    assert created.json()["elements"]["input"] == ["Staff"]
    measures = api_client.get(_url("map-measure-list", coalition)).json()
    assert sorted(m["element_text"] for m in measures) == ["Ordinance", "Staff"]
    changed = api_client.patch(
        _url("map-action-detail", coalition, action_id),
        {"elements": {"input": ["Two staff"], "output": []}},
        format="json",
    )
    assert changed.status_code == 200
    rows = {
        m["element_text"]: m for m in api_client.get(_url("map-measure-list", coalition)).json()
    }
    assert rows["Two staff"]["orphaned"] is False and rows["Ordinance"]["orphaned"] is True
    measure_id = rows["Two staff"]["id"]
    patched = api_client.patch(
        _url("map-measure-detail", coalition, measure_id),
        {
            "measure": "Staff hired",
            "frequency": "annual",
            "data_source": "HR",
            "responsible": "City HR",
        },
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["missing"] == []
    bad = api_client.patch(
        _url("map-measure-detail", coalition, measure_id), {"frequency": "hourly"}, format="json"
    )
    assert bad.status_code == 400
    gone = api_client.delete(_url("map-measure-detail", coalition, rows["Ordinance"]["id"]))
    assert gone.status_code == 204
    assert api_client.delete(_url("map-measure-detail", coalition, measure_id)).status_code == 400


def test_vision_priorities_and_theories(api_client, coalition, team):
    api_client.force_login(team["member"].user)
    r = api_client.put(_url("map-vision", coalition), {"statement": "We thrive"}, format="json")
    assert r.status_code == 200 and r.json()["statement"] == "We thrive"
    area = api_client.post(
        _url("map-priority-list", coalition),
        {"name": "Jobs", "pillar": "rewarding-work", "predictors": ["employment-opportunities"]},
        format="json",
    )
    assert area.status_code == 201
    bad = api_client.post(
        _url("map-priority-list", coalition), {"name": "X", "pillar": "nope"}, format="json"
    )
    assert bad.status_code == 400 and "pillar" in bad.json()
    theory = api_client.post(
        _url("map-theory-list", coalition),
        {"priority_area": area.json()["id"], "problem": "low pay", "solution": "raise wages"},
        format="json",
    )
    assert theory.status_code == 201
    assert theory.json()["final_statement"] == "To address low pay, we will raise wages."


def test_priority_area_of_another_coalition_cannot_be_used(api_client, coalition, team):
    from plans.map import services
    from tests.factories import MembershipFactory

    other = MembershipFactory(role="project_manager")
    foreign = services.priority_area_save(actor=other, name="X")
    api_client.force_login(team["member"].user)
    r = api_client.post(
        _url("map-theory-list", coalition),
        {"priority_area": foreign.pk, "problem": "p", "solution": "s"},
        format="json",
    )
    assert r.status_code == 400
    assert api_client.get(_url("map-priority-detail", coalition, foreign.pk)).status_code == 404


def test_sections_reviews_versions_and_exports(
    api_client, coalition, team, django_capture_on_commit_callbacks
):
    member, pm = team["member"], team["project_manager"]
    api_client.force_login(member.user)
    url = _url("map-section-detail", coalition, "M1")
    assert api_client.patch(url, {"narrative": "Why we did this"}, format="json").status_code == 200
    assert api_client.patch(url, {"status": "approved"}, format="json").status_code == 403
    assert api_client.post(_url("map-version-list", coalition)).status_code == 403
    review = {"reviewers": [{"membership": member.pk, "reviewer_type": "community"}]}
    assert (
        api_client.post(_url("map-review-list", coalition), review, format="json").status_code
        == 403
    )
    api_client.force_login(pm.user)
    started = api_client.post(_url("map-review-list", coalition), review, format="json")
    assert started.status_code == 201
    review_id = started.json()["reviews"][0]["id"]
    api_client.force_login(member.user)
    decided = api_client.post(
        _url("map-review-decision", coalition, review_id), {"decision": "approved"}, format="json"
    )
    assert decided.status_code == 200
    sections = api_client.get(_url("map-section-list", coalition)).json()
    assert [s["key"] for s in sections] == [f"M{i}" for i in range(12)]
    assert {s["status"] for s in sections} == {"approved"}
    api_client.force_login(pm.user)
    refused = api_client.post(_url("map-version-list", coalition))
    assert refused.status_code == 400 and refused.json()["findings"]  # empty sections
    version = api_client.post(
        _url("map-version-list", coalition), {"override_reason": "For the council"}, format="json"
    ).json()
    assert version["approved"] is True and version["number"] == 1
    assert version["check_override_reason"] == "For the council" and version["check_findings"]
    with django_capture_on_commit_callbacks(execute=True):
        export = api_client.post(
            _url("map-export-list", coalition), {"version": version["id"]}, format="json"
        )
    assert export.status_code == 202
    detail = api_client.get(_url("map-export-detail", coalition, export.json()["id"])).json()
    assert detail["status"] == JobStatus.SUCCEEDED and detail["download_url"].endswith("/download/")
    published = api_client.post(_url("map-version-publication", coalition, version["id"]))
    assert published.status_code == 200 and published.json()["published"] is True
    assert api_client.get(published.json()["public_url"]).status_code == 200
    assert Measure.objects.count() == 0


def test_the_schema_lists_the_map_api(api_client):
    schema = api_client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "strategic-actions",
        "measures",
        "map-sections",
        "map-versions",
        "map-exports",
        "map-reviews",
        "theories-of-change",
        "priority-areas",
        "vision",
    ):
        assert f"/{path}/" in schema
