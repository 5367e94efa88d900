"""The MAP services check the acting member's role and write the coalition's audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from coalitions.models import CoalitionEvent, EventKind
from core.models import JobStatus
from plans.map import selectors, services
from plans.map.models import PlanExport
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _events(coalition, kind):
    rows = CoalitionEvent.objects.filter(coalition=coalition, kind=kind).order_by("pk")
    return [(e.actor.email, e.details.get("label")) for e in rows.select_related("actor")]


def _world(pm):
    area = services.priority_area_save(actor=pm, name="Housing", pillar="rewarding-work")
    theory = services.theory_save(actor=pm, problem="p", solution="s", priority_area=area)
    action = services.strategic_action_save(
        actor=pm, fields={"title": "Rent help"}, elements={"output": "Grants"}
    )
    return area, theory, action


STRATEGY_WRITES = {
    "vision": lambda who, w: services.vision_save(actor=who, statement="v"),
    "priority": lambda who, w: services.priority_area_save(actor=who, name="Jobs"),
    "priority_edit": lambda who, w: services.priority_area_save(actor=who, area=w[0], name="Other"),
    "priority_delete": lambda who, w: services.priority_area_delete(area=w[0], actor=who),
    "theory": lambda who, w: services.theory_save(actor=who, problem="p", solution="s"),
    "theory_delete": lambda who, w: services.theory_delete(theory=w[1], actor=who),
    "action": lambda who, w: services.strategic_action_save(
        actor=who, fields={"title": "T"}, elements={}
    ),
    "action_delete": lambda who, w: services.strategic_action_delete(action=w[2], actor=who),
    "measure": lambda who, w: services.measure_save(
        measure=w[2].coalition.measures.get(), actor=who, fields={"measure": "m"}
    ),
    "import": lambda who, w: services.strategy_import_from_worksheets(actor=who),
    "narrative": lambda who, w: services.map_section_save(actor=who, key="M1", narrative="x"),
    "export": lambda who, w: services.plan_export_start(actor=who),
}


@pytest.mark.parametrize("write", sorted(STRATEGY_WRITES))
def test_a_viewer_cannot_write_the_strategy(team, pm, write):
    world = _world(pm)
    with pytest.raises(PermissionDenied):
        STRATEGY_WRITES[write](team["viewer"], world)


@pytest.mark.parametrize(
    "write",
    ["priority_edit", "priority_delete", "theory_delete", "action_delete", "measure"],
)
def test_a_member_of_another_coalition_cannot_touch_these_records(team, pm, write):
    world = _world(pm)
    outsider = MembershipFactory(role="project_manager")
    with pytest.raises(PermissionDenied):
        STRATEGY_WRITES[write](outsider, world)


def test_only_the_project_manager_runs_the_plan(team, pm):
    data_lead = team["data_lead"]
    with pytest.raises(PermissionDenied, match="project manager"):
        services.map_section_save(actor=data_lead, key="M1", status="approved")
    with pytest.raises(PermissionDenied):
        services.map_section_save(actor=data_lead, key="M1", owner=None)
    with pytest.raises(PermissionDenied):
        services.review_round_start(actor=data_lead, reviewers=[(team["member"], "coalition")])
    with pytest.raises(PermissionDenied):
        services.map_version_freeze(actor=data_lead, override_reason="Test")
    version = services.map_version_freeze(actor=pm, override_reason="Test")
    with pytest.raises(PermissionDenied):
        services.map_version_publish(version=version, actor=data_lead)
    with pytest.raises(PermissionDenied):
        services.map_version_unpublish(version=version, actor=data_lead)
    # the narrative is a member's to write
    services.map_section_save(actor=data_lead, key="M1", narrative="Ours")


def test_freeze_publish_and_unpublish_are_in_the_audit_log(team, pm):
    version = services.map_version_freeze(actor=pm, override_reason="Test")
    version.approved = True
    version.save()
    PlanExport.objects.create(coalition=pm.coalition, version=version, status=JobStatus.SUCCEEDED)
    services.map_version_publish(version=version, actor=pm)
    services.map_version_unpublish(version=version, actor=pm)
    email = pm.user.email
    n = len(version.check_findings)
    frozen = f"1, despite {n} findings of the check (“Test”)"
    assert _events(pm.coalition, EventKind.VERSION_FROZEN) == [(email, frozen)]
    assert _events(pm.coalition, EventKind.VERSION_PUBLISHED) == [(email, "1")]
    assert _events(pm.coalition, EventKind.VERSION_UNPUBLISHED) == [(email, "1")]


def test_deleting_strategy_records_is_in_the_audit_log(team, pm):
    area, theory, action = _world(pm)
    services.theory_delete(theory=theory, actor=pm)
    services.priority_area_delete(area=area, actor=pm)
    services.strategic_action_delete(action=action, actor=pm)
    labels = {label for _who, label in _events(pm.coalition, EventKind.RECORD_DELETED)}
    assert labels == {
        "the theory of change of “Housing”",
        "the priority area “Housing”",
        "the strategic action “Rent help”",
    }


def test_exports_are_in_the_audit_log(team, pm, django_capture_on_commit_callbacks):
    version = services.map_version_freeze(actor=pm, override_reason="Test")
    with django_capture_on_commit_callbacks(execute=False):
        services.plan_export_start(actor=team["member"])
        services.plan_export_start(actor=team["member"], version=version)
    assert _events(pm.coalition, EventKind.EXPORT_STARTED) == [
        (team["member"].user.email, "the draft"),
        (team["member"].user.email, "version 1"),
    ]


def test_reviews_are_in_the_audit_log(team, pm):
    review = services.review_round_start(
        actor=pm, reviewers=[(team["viewer"], "leadership")]
    ).reviews.get()
    services.review_decide(
        review=review, actor=team["viewer"], decision="approved_with_changes", comment="Typo"
    )
    assert _events(pm.coalition, EventKind.REVIEW_REQUESTED) == [(pm.user.email, None)]
    assert _events(pm.coalition, EventKind.REVIEW_DECIDED) == [
        (team["viewer"].user.email, "Approved with changes")
    ]


def test_the_project_manager_sees_the_plan_events_on_the_activity_page(client, team, pm):
    area, _theory, _action = _world(pm)
    services.priority_area_delete(area=area, actor=pm)
    services.map_version_freeze(actor=pm, override_reason="Test")
    client.force_login(pm.user)
    page = client.get(reverse("coalitions:activity", args=[pm.coalition.pk])).content.decode()
    assert "froze the plan as version 1" in page
    assert "deleted the priority area “Housing”" in page
    client.force_login(team["member"].user)
    assert client.get(reverse("coalitions:activity", args=[pm.coalition.pk])).status_code == 403


def test_selectors_never_return_another_coalitions_rows(team, pm):
    other = MembershipFactory(role="project_manager")
    area, theory, action = _world(other)
    version = services.map_version_freeze(actor=other, override_reason="Test")
    coalition = pm.coalition
    for get, row in (
        (selectors.priority_area_get, area),
        (selectors.theory_get, theory),
        (selectors.strategic_action_get, action),
        (selectors.measure_get, other.coalition.measures.get()),
        (selectors.version_get, version),
        (selectors.member_get, other),
    ):
        with pytest.raises(Http404):
            get(coalition, row.pk)
        assert get(other.coalition, row.pk) == row
    assert selectors.measures_missing(coalition) == []
    assert selectors.theories(coalition).count() == 0
    assert selectors.strategic_actions(coalition).count() == 0
    assert selectors.vision(coalition) is None
