"""The implementation API end to end: statuses, notes, milestones, early wins, publication,
cycles (reports: test_reports.py; the scorecard JSON: test_scorecard.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.implementation.models import EarlyWin

pytestmark = pytest.mark.django_db


def _url(name, coalition, *ids):
    return reverse(f"api:impl-{name}", args=[coalition.pk, *ids])


def test_status_notes_and_milestones(client, plan, coalition, member, team):
    client.force_login(member.user)
    action = plan["wage"]
    url = _url("action-status", coalition, action.pk)
    refused = client.post(url, {"status": "dropped"}, content_type="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()
    stranger = client.post(
        url, {"status": "done", "owner": 999999}, content_type="application/json"
    )
    assert stranger.status_code == 400 and "owner" in stranger.json()
    done = client.post(
        url,
        {"status": "in_progress", "owner": member.pk, "note": "Started"},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status_label"] == "In progress" and done.json()["owner"] == member.pk
    notes = _url("note-list", coalition, action.pk)
    assert client.post(notes, {"text": ""}, content_type="application/json").status_code == 400
    added = client.post(
        notes, {"text": "Hearing held", "public": True}, content_type="application/json"
    )
    assert added.status_code == 201
    listed = client.get(notes).json()
    assert [n["text"] for n in listed] == ["Hearing held", "Started"]
    assert listed[1]["status_label"] == "In progress" and listed[0]["author"]
    (first, _second) = client.get(_url("milestone-list", coalition, action.pk)).json()
    tick = _url("milestone-done", coalition, first["id"])
    assert (
        client.post(tick, {"done_on": "2999-01-01"}, content_type="application/json").status_code
        == 400
    )
    ticked = client.post(tick, {"done_on": "2025-07-01"}, content_type="application/json")
    assert ticked.json()["done_on"] == "2025-07-01"
    assert client.delete(tick).json()["done_on"] is None
    client.force_login(team["viewer"].user)
    assert client.post(notes, {"text": "x"}, content_type="application/json").status_code == 403


def test_early_wins_and_who_publishes_them(client, plan, coalition, member, pm):
    client.force_login(member.user)
    url = _url("early-win-list", coalition)
    body = {
        "date": "2025-05-01",
        "description": "Fifty hired",
        "action": plan["wage"].pk,
        "shared_with": ["community"],
    }
    made = client.post(url, body, content_type="application/json")
    assert made.status_code == 201, made.content
    win = made.json()
    assert win["action"] == plan["wage"].pk and not win["public"]
    detail = _url("early-win-detail", coalition, win["id"])
    assert (
        client.patch(detail, {"public": True}, content_type="application/json").status_code == 403
    )
    bad = client.post(url, {**body, "action": 999999}, content_type="application/json")
    assert bad.status_code == 400 and "action" in bad.json()
    client.force_login(pm.user)
    published = client.patch(detail, {"public": True}, content_type="application/json")
    assert published.json()["public"] is True
    assert client.delete(detail).status_code == 204
    assert not EarlyWin.objects.exists()


def test_publication_and_cycles(client, plan, coalition, pm, member):
    client.force_login(member.user)
    publication = _url("scorecard-publication", coalition)
    assert client.get(publication).json()["published"] is False
    assert client.post(publication, {}, content_type="application/json").status_code == 403
    client.force_login(pm.user)
    made = client.post(publication, {"show_reasons": True}, content_type="application/json").json()
    assert made["published"] and made["show_reasons"] and made["public_url"]
    assert client.get(made["public_url"]).status_code == 200
    assert client.delete(publication).json()["published"] is False
    cycles = _url("cycle-list", coalition)
    started = client.post(
        cycles,
        {"base_version": plan["version"].pk, "note": "Review"},
        content_type="application/json",
    )
    assert started.status_code == 201 and started.json()["number"] == 2
    again = client.post(
        cycles, {"base_version": plan["version"].pk}, content_type="application/json"
    )
    assert again.status_code == 400
    assert client.get(cycles).json()["cycles"][0]["base_version"] == plan["version"].pk
    # The council's comparison of the two plans: the base version against the draft, then
    # against the next frozen version.
    from plans.map import services as map_services

    map_services.strategic_action_save(
        actor=pm,
        fields={"title": "Child care vouchers", "priority_area": plan["area"]},
        elements={"output": "Vouchers given"},
    )
    comparison = _url("cycle-comparison", coalition, started.json()["id"])
    data = client.get(comparison).json()
    assert (data["base_version"], data["later_version"]) == (1, None)
    assert {"what": "Strategic actions", "diff": ["2 before, 3 now"]} in data["changes"]
    map_services.map_version_freeze(actor=pm, override_reason="Second cycle.")
    assert client.get(comparison).json()["later_version"] == 2
    assert (
        client.post(cycles, {"base_version": 999999}, content_type="application/json").status_code
        == 404
    )


def test_the_schema_names_the_endpoints(client, user):
    client.force_login(user)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/coalitions/{coalition_pk}/scorecard/",
        "/api/coalitions/{coalition_pk}/progress-reports/",
        "/api/coalitions/{coalition_pk}/strategic-actions/{id}/status/",
        "/api/coalitions/{coalition_pk}/plan-cycles/",
        "/api/coalitions/{coalition_pk}/plan-cycles/{id}/comparison/",
        "/api/coalitions/{coalition_pk}/progress-notes/{id}/",
    ):
        assert path in paths, path
