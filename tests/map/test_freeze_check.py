"""The check before freezing: what it finds, the override with a reason, and where it shows."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import JobStatus
from plans.map import checks, services
from plans.map.document import PUBLIC, build_document
from plans.map.models import MapVersion, PlanExport, SectionStatus
from plans.services import worksheet_response_save
from tests.map.test_metric_data import _observed_metric

pytestmark = pytest.mark.django_db

PHRASES = {
    "problem": "the shortage of homes low-income renters can afford",
    "solution": "build 500 homes",
    "impact_medium": "fewer evictions",
    "impact_long": "stable housing",
}


def _kinds(coalition) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in checks.freeze_check(coalition):
        out.setdefault(f["kind"], []).append(f["text"])
    return out


def _action(pm, **elements):
    return services.strategic_action_save(
        actor=pm, fields={"title": "Build homes"}, elements=elements or {"output": "Homes built"}
    )


def test_an_empty_plan_lists_every_empty_and_unapproved_section(coalition):
    found = _kinds(coalition)
    assert len(found["empty_section"]) == 12
    assert (
        "“Executive Summary” has nothing in it yet, so the plan leaves it out."
        in (found["empty_section"])
    )
    assert found["section_not_approved"][0].startswith("Draft: Cover and front matter; ")
    # Each finding links to where it can be fixed.
    finding = checks.freeze_check(coalition)[0]
    assert finding["link"] == reverse("map:section", args=[coalition.pk, "M0"])


def test_a_section_with_content_is_not_empty(coalition, pm):
    services.map_section_save(actor=pm, key="M1", narrative="Why we did this.")
    texts = " ".join(_kinds(coalition)["empty_section"])
    assert "Executive Summary" not in texts and "Cover and front matter" in texts


def test_measures_without_baseline_target_or_owner(coalition, pm):
    _action(pm)
    measure = coalition.measures.get()
    assert _kinds(coalition)["measure_incomplete"] == [
        "“Homes built” (Output of “Build homes”) is missing a measure, a baseline, a target "
        "and an owner."
    ]
    services.measure_save(
        measure=measure,
        actor=pm,
        fields={"measure": "Homes finished", "baseline": "0", "target": "500"},
    )
    assert _kinds(coalition)["measure_incomplete"] == [
        "“Homes built” (Output of “Build homes”) is missing an owner."
    ]
    services.measure_save(measure=measure, actor=pm, fields={"responsible": "Housing office"})
    assert "measure_incomplete" not in _kinds(coalition)


def test_a_weak_baseline_from_the_data_is_listed(coalition, pm):
    _observed_metric(coalition)  # its latest year has Weak quality
    _action(pm)
    services.measure_save(
        measure=coalition.measures.get(),
        actor=pm,
        fields={"metric_variable": "share_employed_test", "target": "80%", "responsible": "X"},
    )
    found = _kinds(coalition)
    assert found["weak_baseline"] == [
        "The baseline of “Homes built” (Employed, 2023) has Weak data quality."
    ]
    assert "measure_incomplete" in found  # no measure text yet, but the baseline is there
    assert "a baseline" not in found["measure_incomplete"][0]


def test_actions_still_in_draft_in_the_logic_model_worksheet(coalition, pm):
    records = [
        {"strategic_action": "Build homes", "status": "draft"},
        {"strategic_action": "Fund rent help", "status": "ready_for_review"},
        {"strategic_action": "Land trust", "status": "approved"},
    ]
    worksheet_response_save(
        worksheet_key="w7_4", data={"records": records}, base_version=0, actor=pm
    )
    assert _kinds(coalition)["action_draft"] == [
        "“Build homes” is marked “Draft” in Worksheet 7.4.",
        "“Fund rent help” is marked “Ready for review” in Worksheet 7.4.",
    ]


def test_theories_of_change_unedited_badly_phrased_or_incomplete(coalition, pm):
    sentence_like = {**PHRASES, "problem": "Renters cannot find homes they can afford."}
    theory = services.theory_save(actor=pm, **sentence_like, from_worksheet=True)
    found = _kinds(coalition)["theory"]
    assert any(
        t.startswith("Nobody has looked at the theory of change of the whole plan") for t in found
    )
    assert any("these parts read as whole sentences" in t and "the problem" in t for t in found)
    theory = services.theory_save(actor=pm, theory=theory, **{**PHRASES, "impact_long": ""})
    assert _kinds(coalition)["theory"] == [
        "The theory of change of the whole plan has no medium-term or no long-term result."
    ]
    services.theory_save(actor=pm, theory=theory, **PHRASES)
    assert "theory" not in _kinds(coalition)


def test_priority_areas_without_a_headline_goal(coalition, pm):
    import datetime as dt

    housing = services.priority_area_save(actor=pm, name="Housing")
    jobs = services.priority_area_save(actor=pm, name="Jobs")
    jobs.goals.create(
        coalition=coalition,
        indicator="Adults in work",
        baseline_value=70,
        baseline_date=dt.date(2023, 12, 31),
        target_value=75,
        target_date=dt.date(2030, 12, 31),
    )
    assert housing.name == "Housing"
    assert _kinds(coalition)["goals_missing"] == ["“Housing” has no headline goal."]


def test_freezing_with_findings_needs_a_reason_that_the_version_keeps(coalition, pm):
    with pytest.raises(ValidationError) as refused:
        services.map_version_freeze(actor=pm)
    errors = refused.value.message_dict
    assert "override_reason" in errors and len(errors["findings"]) >= 12
    assert not MapVersion.objects.exists()
    version = services.map_version_freeze(actor=pm, override_reason="  The council meets today. ")
    assert version.check_override_reason == "The council meets today."
    assert {f["kind"] for f in version.check_findings} >= {"empty_section"}
    # Internal: neither the findings nor the reason are part of the plan itself.
    stored = json.dumps(version.document)
    assert "The council meets today." not in stored and "nothing in it yet" not in stored


def test_freezing_without_findings_needs_no_reason(coalition, pm, monkeypatch):
    monkeypatch.setattr(checks, "freeze_check", lambda coalition, document=None: [])
    version = services.map_version_freeze(actor=pm)
    assert version.check_findings == [] and version.check_override_reason == ""


def test_a_frozen_plan_never_says_draft(coalition, pm):
    # The logic model worksheet's own status is process data, not part of the plan.
    worksheet_response_save(
        worksheet_key="w7_4",
        data={"records": [{"strategic_action": "Build homes", "status": "draft"}]},
        base_version=0,
        actor=pm,
    )
    version = services.map_version_freeze(actor=pm, override_reason="Test")
    m7 = next(s for s in version.document["sections"] if s["key"] == "M7")
    text = json.dumps(m7["blocks"])
    assert "Build homes" in text and "Status" not in text and "Draft" not in text
    assert all("status" not in s for s in version.document["sections"])
    internal = build_document(coalition)
    assert {s["status"] for s in internal["sections"]} == {SectionStatus.DRAFT}
    assert all("status" not in s for s in build_document(coalition, audience=PUBLIC)["sections"])


def test_the_freeze_button_leads_to_the_check_page(client, coalition, team):
    pm = team["project_manager"]
    client.force_login(pm.user)
    plan = client.get(reverse("map:plan", args=[coalition.pk])).content.decode()
    check_url = reverse("map:version_check", args=[coalition.pk])
    assert f'href="{check_url}"' in plan
    page = client.get(check_url).content.decode()
    assert "Check before freezing" in page and "Empty sections" in page
    assert reverse("map:section", args=[coalition.pk, "M3"]) in page
    assert "Why freeze this version anyway?" in page
    freeze = reverse("map:version_freeze", args=[coalition.pk])
    refused = client.post(freeze, {"override_reason": ""})
    assert refused.status_code == 200 and not MapVersion.objects.exists()
    assert "Say why this version should be frozen despite the check." in (refused.content.decode())
    done = client.post(freeze, {"override_reason": "For the council packet"})
    version = MapVersion.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "map:version", args=[coalition.pk, version.pk]
    )
    shown = client.get(done["Location"]).content.decode()
    assert "For the council packet" in shown and "Empty sections" in shown
    # Never on the public page.
    version.approved = True
    version.save()
    PlanExport.objects.create(coalition=coalition, version=version, status=JobStatus.SUCCEEDED)
    services.map_version_publish(version=version, actor=pm)
    client.logout()
    public = client.get(version.public_path).content.decode()
    assert "For the council packet" not in public and "Empty sections" not in public


def test_a_member_cannot_open_the_check(client, coalition, team):
    client.force_login(team["member"].user)
    assert client.get(reverse("map:version_check", args=[coalition.pk])).status_code == 403


def _api(name, coalition):
    return reverse(f"api:{name}", args=[coalition.pk])


def test_api_check_and_freeze_with_a_reason(api_client, coalition, team):
    api_client.force_login(team["member"].user)
    assert api_client.get(_api("map-check", coalition)).status_code == 403
    api_client.force_login(team["project_manager"].user)
    check = api_client.get(_api("map-check", coalition)).json()
    assert check["count"] == len(check["findings"]) >= 12
    assert {"kind", "text", "link"} == set(check["findings"][0])
    refused = api_client.post(_api("map-version-list", coalition), {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["findings"] == [f["text"] for f in check["findings"]]
    assert refused.json()["override_reason"]
    made = api_client.post(
        _api("map-version-list", coalition), {"override_reason": "Deadline"}, format="json"
    )
    assert made.status_code == 201
    body = made.json()
    assert body["check_override_reason"] == "Deadline"
    assert len(body["check_findings"]) == check["count"]


def test_the_schema_describes_the_check(api_client, team):
    api_client.force_login(team["project_manager"].user)
    schema = api_client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").content.decode()
    assert "/api/coalitions/{coalition_pk}/map-check/" in schema
    assert "override_reason" in schema and "Finding" in schema
