"""The implementation pages as a member and a project manager use them (forms without JS)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.implementation.models import EarlyWin, PlanCycle
from plans.map.models import StrategicAction
from plans.models import WorksheetResponse

pytestmark = pytest.mark.django_db


def test_status_form_keeps_what_was_typed_and_says_what_is_missing(client, plan, member):
    client.force_login(member.user)
    action = plan["transit"]
    url = reverse("implementation:action_status", args=[action.coalition_id, action.pk])
    page = client.post(url, {"status": "dropped", "note": "Typed note"})
    text = page.content.decode()
    assert page.status_code == 200 and "Say why the action is dropped." in text
    assert "Typed note" in text
    StrategicAction.objects.get(pk=action.pk, status="not_started")
    done = client.post(url, {"status": "dropped", "reason": "No funding", "owner": member.pk})
    assert done.status_code == 302
    page = client.get(reverse("implementation:action", args=[action.coalition_id, action.pk]))
    assert "set the status to Dropped" in page.content.decode()


def test_milestone_tick_and_untick_from_the_page(client, plan, member):
    client.force_login(member.user)
    milestone = plan["wage"].milestones.first()
    url = reverse("implementation:milestone_done", args=[plan["wage"].coalition_id, milestone.pk])
    client.post(url, {"done_on": "not a date"})
    milestone.refresh_from_db()
    assert milestone.done_on is None
    client.post(url, {"done_on": "2025-07-01"})
    milestone.refresh_from_db()
    assert str(milestone.done_on) == "2025-07-01"
    page = client.get(
        reverse("implementation:action", args=[plan["wage"].coalition_id, plan["wage"].pk])
    )
    assert "Done on July 1, 2025" in page.content.decode()
    client.post(url, {"undo": "True"})
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_early_wins_page_logs_imports_and_guards_publishing(client, plan, coalition, member):
    client.force_login(member.user)
    url = reverse("implementation:early_wins", args=[coalition.pk])
    bad = client.post(url, {"date": "", "description": "Kept text"})
    assert "Kept text" in bad.content.decode() and not EarlyWin.objects.exists()
    refused = client.post(url, {"date": "2025-05-01", "description": "Typed win", "public": "on"})
    text = refused.content.decode()
    assert "Only a project manager may publish an early win." in text and "Typed win" in text
    client.post(
        url, {"date": "2025-05-01", "description": "Fifty hired", "action": plan["wage"].pk}
    )
    assert "May 1, 2025" in client.get(url).content.decode()
    WorksheetResponse.objects.create(
        coalition=coalition,
        worksheet_key="w10_1",
        data={"wins": [{"date": "2025-02-02", "description": "Old row"}]},
    )
    assert "Make records of the worksheet" in client.get(url).content.decode()
    client.post(reverse("implementation:early_wins_import", args=[coalition.pk]))
    assert EarlyWin.objects.filter(description="Old row").exists()


def test_next_cycle_page_starts_a_cycle_adopts_a_candidate_and_compares(
    client, plan, coalition, pm
):
    WorksheetResponse.objects.create(
        coalition=coalition,
        worksheet_key="w10_5",
        data={"next_priorities": [{"priority": "Child care", "reason": "No partner yet"}]},
    )
    client.force_login(pm.user)
    url = reverse("implementation:next_cycle", args=[coalition.pk])
    page = client.get(url).content.decode()
    assert "Child care" in page and "Listed in Worksheet 10.5" in page
    assert (
        client.post(url, {"version": plan["version"].pk, "note": "Annual review"}).status_code
        == 302
    )
    cycle = PlanCycle.objects.get()
    adopt = reverse("implementation:candidate_adopt", args=[coalition.pk])
    client.post(adopt, {"name": "Child care"})
    assert coalition.priority_areas.filter(name="Child care").exists()
    compare = client.get(reverse("implementation:cycle_compare", args=[coalition.pk, cycle.pk]))
    assert compare.status_code == 200
    assert "From version 1 to the current draft" in compare.content.decode()
