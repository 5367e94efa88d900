"""The implementation of strategic actions: cost, funding, the decision asked and milestones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans.map import goal_display, services
from plans.map.models import Milestone, StrategicAction

pytestmark = pytest.mark.django_db

D = dt.date
DATES = {"start_date": D(2027, 3, 1), "end_date": D(2029, 6, 30)}


def _action(pm, milestones=None, **fields):
    return services.strategic_action_save(
        actor=pm,
        fields={"title": "Land trust", **DATES, **fields},
        elements={},
        milestones=milestones,
    )


def test_an_action_carries_its_cost_funding_decision_and_milestones(pm):
    action = _action(
        pm,
        milestones=[
            {"title": "First homes open", "due_date": D(2028, 5, 1)},
            {"title": "Trust incorporated", "due_date": D(2027, 6, 30)},
        ],
        estimated_cost=Decimal("1250000.00"),
        funding_source="County housing fund",
        funding_status="requested",
        decision_asked="Transfer ten vacant lots to the trust",
    )
    assert goal_display.cost_text(action.estimated_cost) == "$1,250,000"
    assert goal_display.funding_status_text(action) == "Requested"
    assert goal_display.timeline_text(action) == "From March 1, 2027 to June 30, 2029"
    assert goal_display.milestones_text(action) == (
        "Trust incorporated (June 30, 2027); First homes open (May 1, 2028)"
    )


def test_milestones_with_an_id_keep_their_record_and_the_rest_go(pm):
    action = _action(
        pm,
        milestones=[
            {"title": "A", "due_date": D(2027, 6, 30)},
            {"title": "B", "due_date": D(2028, 6, 30)},
        ],
    )
    first = action.milestones.get(title="A")
    services.strategic_action_save(
        actor=pm,
        action=action,
        fields={},
        elements={},
        milestones=[{"id": first.pk, "title": "A, renamed", "due_date": D(2027, 7, 1)}],
    )
    assert list(action.milestones.values_list("pk", "title")) == [(first.pk, "A, renamed")]
    # Not given: the milestones stay as they are.
    services.strategic_action_save(actor=pm, action=action, fields={"title": "X"}, elements={})
    assert action.milestones.count() == 1


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"title": "Too early", "due_date": D(2026, 1, 1)}, "before the action starts (March 1"),
        ({"title": "Too late", "due_date": D(2030, 1, 1)}, "after the action ends (June 30, 2029)"),
        ({"title": "", "due_date": D(2028, 1, 1)}, "Say what the milestone is"),
        ({"title": "No date", "due_date": None}, "Give the date of “No date”"),
    ],
)
def test_a_bad_milestone_is_refused_and_nothing_is_saved(pm, row, words):
    action = _action(pm, milestones=[{"title": "Kept", "due_date": D(2028, 1, 1)}])
    with pytest.raises(ValidationError) as caught:
        services.strategic_action_save(
            actor=pm,
            action=action,
            fields={"funding_source": "Changed"},
            elements={},
            milestones=[{"title": "Fine", "due_date": D(2028, 2, 1)}, row],
        )
    error = caught.value.error_dict["milestones"][0]
    assert words in error.message and error.code == f"{services.MILESTONE_CODE}1"
    action.refresh_from_db()
    assert action.funding_source == "" and [m.title for m in action.milestones.all()] == ["Kept"]


def test_a_milestone_of_another_action_cannot_be_taken(pm):
    one = _action(pm, milestones=[{"title": "Mine", "due_date": D(2028, 1, 1)}])
    other = _action(pm)
    stolen = {"id": one.milestones.get().pk, "title": "Mine", "due_date": D(2028, 1, 1)}
    with pytest.raises(ValidationError):
        services.strategic_action_save(
            actor=pm, action=other, fields={}, elements={}, milestones=[stolen]
        )
    assert one.milestones.count() == 1


def test_unknown_funding_status_and_negative_cost_are_refused(pm):
    with pytest.raises(ValidationError) as caught:
        _action(pm, funding_status="promised")
    assert "funding_status" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _action(pm, estimated_cost=Decimal("-1"))
    assert "estimated_cost" in caught.value.message_dict
    assert not StrategicAction.objects.exists()


def _form(**extra):
    data = {
        "title": "Land trust",
        "start_date": "2027-03-01",
        "end_date": "2029-06-30",
        "estimated_cost": "250000",
        "funding_source": "ARPA",
        "funding_status": "secured",
        "decision_asked": "Adopt the ordinance",
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
        "milestones-0-title": "Ordinance adopted",
        "milestones-0-due_date": "2027-09-30",
        "milestones-1-title": "",
        "milestones-1-due_date": "",
    }
    return {**data, **extra}


def test_the_action_page_saves_milestones_and_puts_a_wrong_date_on_its_row(client, team):
    member = team["member"]
    client.force_login(member.user)
    url = reverse("map:action_create", args=[member.coalition.pk])
    page = client.post(
        url, _form(**{"milestones-1-title": "Late", "milestones-1-due_date": "2031-01-01"})
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "“Late” is due on January 1, 2031, after the action ends (June 30, 2029)." in html
    assert not StrategicAction.objects.exists()
    form = page.context["milestones"].forms[1]
    assert form.errors["due_date"]
    assert client.post(url, _form()).status_code == 302
    action = StrategicAction.objects.get()
    assert action.estimated_cost == Decimal("250000") and action.funding_status == "secured"
    assert [m.title for m in action.milestones.all()] == ["Ordinance adopted"]
    edit = client.get(reverse("map:action_edit", args=[member.coalition.pk, action.pk]))
    assert 'value="Ordinance adopted"' in edit.content.decode()


def test_the_api_reads_and_writes_the_implementation(api_client, team):
    member = team["member"]
    api_client.force_login(member.user)
    url = reverse("api:map-action-list", args=[member.coalition.pk])
    body = {
        "title": "Land trust",
        "start_date": "2027-03-01",
        "end_date": "2029-06-30",
        "estimated_cost": "1250000.00",
        "funding_status": "needed",
        "decision_asked": "Transfer lots",
        "milestones": [{"title": "Trust incorporated", "due_date": "2027-06-30"}],
    }
    created = api_client.post(url, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["funding_status_label"] == "Needed"
    assert data["milestones"][0]["title"] == "Trust incorporated"
    detail = reverse("api:map-action-detail", args=[member.coalition.pk, data["id"]])
    late = [{"title": "Late", "due_date": "2030-01-01"}]
    bad = api_client.patch(detail, {"milestones": late}, format="json")
    assert bad.status_code == 400 and "after the action ends" in str(bad.json()["milestones"])
    assert Milestone.objects.get().title == "Trust incorporated"
