"""Implementation services: statuses with reasons, notes, milestones, early wins, cycles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from coalitions.models import CoalitionEvent, EventKind
from plans.implementation import selectors, services
from plans.implementation.models import EarlyWin, ProgressNote
from plans.map.models import MapSectionDraft, SectionStatus
from plans.models import WorksheetResponse
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_stalled_action_needs_a_reason_and_nothing_is_saved_without_it(plan, member):
    action = plan["wage"]
    with pytest.raises(ValidationError) as err:
        services.strategic_action_status_set(actor=member, action=action, status="stalled")
    assert "reason" in err.value.message_dict
    action.refresh_from_db()
    assert action.status == "not_started"
    assert not ProgressNote.objects.exists()


def test_a_status_change_writes_history_and_the_audit_log(plan, member):
    action = services.strategic_action_status_set(
        actor=member,
        action=plan["wage"],
        status="stalled",
        reason="The council postponed the vote.",
        owner=member,
        note="Waiting for the budget.",
    )
    assert action.status == "stalled" and action.status_changed_at is not None
    note = action.progress_notes.get()
    assert note.status == "stalled" and note.text == "Waiting for the budget."
    assert note.author == member.user
    assert CoalitionEvent.objects.filter(kind=EventKind.ACTION_STATUS_CHANGED).exists()
    # In progress again: the reason goes, the history stays.
    services.strategic_action_status_set(actor=member, action=action, status="in_progress")
    action.refresh_from_db()
    assert action.status_reason == "" and action.progress_notes.count() == 2


def test_a_viewer_cannot_change_a_status_and_an_owner_must_be_a_member(plan, team):
    with pytest.raises(PermissionDenied):
        services.strategic_action_status_set(
            actor=team["viewer"], action=plan["wage"], status="done"
        )
    stranger = MembershipFactory()
    with pytest.raises(ValidationError) as err:
        services.strategic_action_status_set(
            actor=team["member"], action=plan["wage"], status="done", owner=stranger
        )
    assert "owner" in err.value.message_dict


def test_a_milestone_is_ticked_with_a_date_never_in_the_future(plan, member):
    milestone = plan["wage"].milestones.first()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        services.milestone_done_set(actor=member, milestone=milestone, done_on=tomorrow)
    assert "future" in str(err.value)
    services.milestone_done_set(actor=member, milestone=milestone, done_on=dt.date(2025, 7, 2))
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2025, 7, 2) and milestone.done_by == member.user
    services.milestone_done_set(actor=member, milestone=milestone, done_on=None)
    milestone.refresh_from_db()
    assert milestone.done_on is None and milestone.done_by is None


def test_only_a_project_manager_publishes_an_early_win(plan, member, pm):
    with pytest.raises(PermissionDenied):
        services.early_win_save(
            actor=member, date=dt.date(2025, 5, 1), description="First hires", public=True
        )
    win = services.early_win_save(
        actor=member,
        date=dt.date(2025, 5, 1),
        description="First hires",
        action=plan["wage"],
        shared_with=["community", "media"],
    )
    assert win.shared_with_labels == ["The community", "Media"]
    win = services.early_win_save(
        actor=pm, win=win, date=win.date, description=win.description, public=True
    )
    assert win.public
    with pytest.raises(PermissionDenied):
        services.early_win_delete(actor=member, win=win)


def test_an_early_win_says_what_is_wrong(plan, member):
    with pytest.raises(ValidationError) as err:
        services.early_win_save(actor=member, date=dt.date(2025, 5, 1), description="  ")
    assert "description" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.early_win_save(
            actor=member, date=dt.date(2025, 5, 1), description="x", shared_with=["tv"]
        )
    assert "shared_with" in err.value.message_dict


def test_worksheet_rows_become_records_once_and_the_answers_stay(plan, coalition, member):
    data = {
        "wins": [
            {
                "date": "2025-04-02",
                "strategic_action": "living wage ordinance",
                "description": "The council held a hearing.",
                "communicated_to": ["coalition", "nonsense"],
                "published": "yes",
            },
            {"date": "", "description": "No date: skipped"},
        ]
    }
    WorksheetResponse.objects.create(coalition=coalition, worksheet_key="w10_1", data=data)
    assert services.early_wins_import_from_worksheet(actor=member) == 1
    assert services.early_wins_import_from_worksheet(actor=member) == 0
    win = EarlyWin.objects.get()
    assert win.action == plan["wage"] and win.shared_with == ["coalition"]
    assert not win.public  # publishing again is a project manager's choice
    assert WorksheetResponse.objects.get(worksheet_key="w10_1").data == data


def test_a_new_cycle_reopens_the_sections_and_brings_back_later_priorities(plan, coalition, pm):
    MapSectionDraft.objects.create(coalition=coalition, key="M1", status=SectionStatus.APPROVED)
    WorksheetResponse.objects.create(
        coalition=coalition,
        worksheet_key="w7_1",
        data={
            "priorities": [
                {
                    "pillar": "rewarding-work",
                    "predictor": "access-to-jobs-paying-a-living-wage",
                    "selected": "later",
                    "rationale": "Not yet",
                },
                {
                    "pillar": "rewarding-work",
                    "predictor": "employment-opportunities",
                    "selected": "yes",
                },
            ]
        },
    )
    WorksheetResponse.objects.create(
        coalition=coalition,
        worksheet_key="w10_5",
        data={"next_priorities": [{"priority": "Child care", "reason": "No partner yet"}]},
    )
    names = [c["name"] for c in selectors.cycle_candidates(coalition)]
    assert "Child care" in names and len(names) == 2
    cycle = services.plan_cycle_start(actor=pm, version=plan["version"], note="Annual review")
    assert cycle.number == 2
    assert MapSectionDraft.objects.get(key="M1").status == SectionStatus.DRAFT
    with pytest.raises(ValidationError):
        services.plan_cycle_start(actor=pm, version=plan["version"])
    area = services.cycle_candidate_adopt(actor=pm, candidate={"name": "Child care"})
    assert area.name == "Child care"
    assert "Child care" not in [c["name"] for c in selectors.cycle_candidates(coalition)]


def test_only_a_project_manager_starts_a_cycle_or_publishes(plan, member):
    with pytest.raises(PermissionDenied):
        services.plan_cycle_start(actor=member, version=plan["version"])
    with pytest.raises(PermissionDenied):
        services.scorecard_publish(actor=member)


def test_the_early_wins_worksheet_page_shows_the_records(client, plan, coalition, pm):
    from django.urls import reverse

    services.early_win_save(
        actor=pm, date=dt.date(2025, 5, 1), description="Fifty hired", action=plan["wage"]
    )
    client.force_login(pm.user)
    page = client.get(reverse("plans:worksheet", args=[coalition.pk, "w10_1"])).content.decode()
    assert "Early wins, as records" in page
    assert "May 1, 2025: Fifty hired" in page and "Living wage ordinance" in page
    other = client.get(reverse("plans:worksheet", args=[coalition.pk, "w10_2"])).content.decode()
    assert "Early wins, as records" not in other


def test_the_annual_review_and_next_cycle_worksheets_lead_to_their_records(
    client, plan, coalition, member
):
    from django.urls import reverse

    client.force_login(member.user)
    review = client.get(reverse("plans:worksheet", args=[coalition.pk, "w8_5"])).content.decode()
    assert "The annual review, as records" in review
    for name in ("scorecard", "reports", "next_cycle"):
        assert reverse(f"implementation:{name}", args=[coalition.pk]) in review, name
    nxt = client.get(reverse("plans:worksheet", args=[coalition.pk, "w10_5"])).content.decode()
    assert "candidates of the next cycle" in nxt
    assert reverse("implementation:next_cycle", args=[coalition.pk]) in nxt
    other = client.get(reverse("plans:worksheet", args=[coalition.pk, "w10_2"])).content.decode()
    assert "as records" not in other
