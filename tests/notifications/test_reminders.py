"""Reminders from the beat: each kind, once per due period, and the digests that carry them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from coalitions.models import Role, WorkingGroup
from notifications import reminders, services, tasks
from plans.map.models import Measure, Milestone, Review, ReviewRound, StrategicAction
from plans.models import Assignment, Notification, ResponseStatus, WorksheetResponse
from tests.factories import CoalitionFactory, MembershipFactory

TODAY = dt.date(2026, 5, 4)  # a Monday


@pytest.fixture
def plan(team):
    coalition = team["coalition"]
    group = WorkingGroup.objects.create(coalition=coalition, name="Housing", lead=team["m1"])
    action = StrategicAction.objects.create(
        coalition=coalition, title="Open a housing help desk", working_group=group
    )
    return {"group": group, "action": action}


def _kinds(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_a_milestone_is_announced_before_its_date_and_again_when_overdue(team, plan):
    milestone = Milestone.objects.create(
        action=plan["action"], title="Hire two advisers", due_date=TODAY + dt.timedelta(days=5)
    )
    reminders.reminders_send(today=TODAY)
    note = Notification.objects.get(user=team["m1"].user)  # the working group's lead
    assert note.kind == "milestone_due"
    assert "“Hire two advisers” of “Open a housing help desk” is due on May 9, 2026" in note.text
    assert not Notification.objects.filter(user=team["pm"].user).exists()
    reminders.reminders_send(today=TODAY + dt.timedelta(days=1))  # same period: nothing new
    assert Notification.objects.count() == 1
    reminders.reminders_send(today=milestone.due_date + dt.timedelta(days=1))
    texts = list(Notification.objects.values_list("text", flat=True))
    assert len(texts) == 2 and any("was due on May 9, 2026" in t for t in texts)


def test_a_milestone_without_a_working_group_goes_to_the_project_managers(team, plan):
    action = StrategicAction.objects.create(coalition=team["coalition"], title="Bus passes")
    Milestone.objects.create(action=action, title="Pilot", due_date=TODAY)
    reminders.reminders_send(today=TODAY)
    assert _kinds(team["pm"].user) == ["milestone_due"]


def test_milestones_ticked_done_or_of_finished_actions_are_not_news(team, plan):
    Milestone.objects.create(
        action=plan["action"], title="Ticked", due_date=TODAY, done_on=TODAY - dt.timedelta(1)
    )
    dropped = StrategicAction.objects.create(
        coalition=team["coalition"], title="Dropped", status="dropped", status_reason="No funds"
    )
    Milestone.objects.create(action=dropped, title="Never", due_date=TODAY)
    reminders.reminders_send(today=TODAY)
    assert not Notification.objects.exists()


def test_a_milestone_goes_to_its_action_owner_first(team, plan):
    action = plan["action"]
    action.owner = team["pm"]
    action.save()
    Milestone.objects.create(action=action, title="Pilot", due_date=TODAY)
    reminders.reminders_send(today=TODAY)
    note = Notification.objects.get()
    assert note.user == team["pm"].user
    assert note.url.endswith(f"/implementation/actions/{action.pk}/")


def test_far_and_long_past_milestones_are_not_news(team, plan):
    Milestone.objects.create(action=plan["action"], title="Far", due_date=TODAY + dt.timedelta(30))
    Milestone.objects.create(action=plan["action"], title="Old", due_date=TODAY - dt.timedelta(90))
    reminders.reminders_send(today=TODAY)
    assert not Notification.objects.exists()


def test_a_measure_is_due_a_period_after_its_latest_value(team):
    measure = Measure.objects.create(
        coalition=team["coalition"],
        element_kind="output",
        measure="Households helped",
        frequency="quarterly",
        baseline_date=dt.date(2026, 2, 8),
    )
    Measure.objects.create(  # no frequency, no reminder
        coalition=team["coalition"], element_kind="output", measure="Calls", baseline_date=TODAY
    )
    assert reminders.measure_next_due(measure, measure.baseline_date) == dt.date(2026, 5, 8)
    reminders.reminders_send(today=TODAY)
    note = Notification.objects.get()
    assert note.user == team["dl"].user and note.kind == "measure_due"
    assert "“Households helped” is due on May 8, 2026" in note.text
    assert note.url.endswith(f"/plan/measures/{measure.pk}/")


def test_month_arithmetic_keeps_to_the_calendar():
    assert reminders.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert reminders.add_months(dt.date(2025, 11, 15), 3) == dt.date(2026, 2, 15)


def test_an_overdue_assignment_reminds_its_owner_until_the_work_is_complete(team):
    coalition = team["coalition"]
    Assignment.objects.create(
        coalition=coalition, step=5, worksheet_key="w5_7", owner=team["m1"], due_date=TODAY
    )
    done = Assignment.objects.create(
        coalition=coalition, step=3, worksheet_key="w3_1", owner=team["m1"], due_date=TODAY
    )
    WorksheetResponse.objects.create(
        coalition=coalition, worksheet_key=done.worksheet_key, status=ResponseStatus.COMPLETE
    )
    reminders.reminders_send(today=TODAY)  # due today: not overdue yet
    assert not Notification.objects.exists()
    reminders.reminders_send(today=TODAY + dt.timedelta(days=1))
    note = Notification.objects.get()
    assert note.kind == "assignment_overdue" and note.user == team["m1"].user
    assert "“5.7" in note.text and "was due on May 4, 2026" in note.text


def test_a_review_waiting_reminds_its_reviewer_once_a_week(team):
    review_round = ReviewRound.objects.create(coalition=team["coalition"])
    ReviewRound.objects.filter(pk=review_round.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 4, 27, 9))
    )
    Review.objects.create(round=review_round, reviewer=team["m1"])
    reminders.reminders_send(today=TODAY)
    reminders.reminders_send(today=TODAY + dt.timedelta(days=2))
    assert _kinds(team["m1"].user) == ["review_waiting"]
    reminders.reminders_send(today=TODAY + dt.timedelta(days=7))
    assert _kinds(team["m1"].user) == ["review_waiting", "review_waiting"]
    ReviewRound.objects.filter(pk=review_round.pk).update(closed_at=timezone.now())
    reminders.reminders_send(today=TODAY + dt.timedelta(days=14))
    assert len(_kinds(team["m1"].user)) == 2


def test_a_review_request_notifies_each_reviewer_at_once(team, django_capture_on_commit_callbacks):
    from plans.map import services as map_services

    with django_capture_on_commit_callbacks(execute=True):
        map_services.review_round_start(
            actor=team["pm"], reviewers=[(team["m1"], "coalition")], note="By Friday, please"
        )
    note = Notification.objects.get()
    assert note.kind == "review_request" and "Pat asks you to review" in note.text
    assert len(mail.outbox) == 1 and "By Friday, please" in mail.outbox[0].body


def test_reminders_wait_for_the_digest_grouped_by_coalition(team, plan):
    user = team["m1"].user
    other = MembershipFactory(
        coalition=CoalitionFactory(name="Alamo Partners"), user=user, role=Role.PROJECT_MANAGER
    )
    Milestone.objects.create(action=plan["action"], title="Hire", due_date=TODAY)
    elsewhere = StrategicAction.objects.create(coalition=other.coalition, title="Buses")
    Milestone.objects.create(action=elsewhere, title="Pilot route", due_date=TODAY)
    reminders.reminders_send(today=TODAY)
    assert mail.outbox == []  # milestones go in the weekly digest by default
    assert services.digests_send(period="daily") == 0
    assert services.digests_send(period="weekly") == 1
    message = mail.outbox[0]
    assert message.to == [user.email] and "weekly summary: 2 notifications" in message.subject
    body = message.body
    assert body.index("Alamo Partners") < body.index("Pilot route") < body.index("Doña Ana")
    assert body.index("Doña Ana Mobility") < body.index("“Hire”")
    assert "Milestones due or overdue: http" in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert services.digests_send(period="weekly") == 0  # each notification is emailed once
    assert len(mail.outbox) == 1


def test_a_daily_digest_carries_the_kinds_chosen_daily(team, plan):
    user = team["m1"].user
    services.notification_preferences_save(user=user, choices={"milestone_due": "daily"})
    Milestone.objects.create(action=plan["action"], title="Hire", due_date=TODAY)
    reminders.reminders_send(today=TODAY)
    assert services.digests_send(period="weekly") == 0
    assert services.digests_send(period="daily") == 1
    assert "daily summary: 1 notification" in mail.outbox[0].subject


def test_a_spanish_speaker_gets_the_reminder_date_in_spanish(team, plan):
    user = team["m1"].user
    user.language = "es"
    user.save()
    Milestone.objects.create(action=plan["action"], title="Hire", due_date=TODAY)
    reminders.reminders_send(today=TODAY)
    assert "4 de mayo de 2026" in Notification.objects.get().text


def test_the_beat_tasks_send_the_weekly_digest_with_the_due_reminders(team, plan, monkeypatch):
    """End to end without a browser: the beat's reminder task, then its weekly digest task."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    Milestone.objects.create(action=plan["action"], title="Hire two advisers", due_date=TODAY)
    Measure.objects.create(
        coalition=team["coalition"],
        element_kind="output",
        measure="Households helped",
        frequency="monthly",
        baseline_date=dt.date(2026, 4, 4),
    )
    counts = tasks.reminders_send_task.delay().get()
    assert counts["milestone_due"] == 1 and counts["measure_due"] == 1
    assert tasks.reminders_send_task.delay().get() == dict.fromkeys(counts, 0)
    assert tasks.digests_send_task.delay("weekly").get() == 2  # the lead and the data lead
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "Hire two advisers" in bodies[team["m1"].user.email]
    assert "Households helped" in bodies[team["dl"].user.email]
    assert "http://127.0.0.1:8000/coalitions/" in bodies[team["dl"].user.email]


def test_the_beat_schedule_runs_the_reminders_and_both_digests():
    from django.conf import settings

    tasks_scheduled = {e["task"]: e.get("args") for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "notifications.tasks.reminders_send_task" in tasks_scheduled
    digests = [
        e["args"]
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "notifications.tasks.digests_send_task"
    ]
    assert sorted(digests) == [("daily",), ("weekly",)]


def test_a_measure_is_due_a_period_after_its_latest_entered_value(team):
    from plans.tracking.models import TrackedValue

    measure = Measure.objects.create(
        coalition=team["coalition"],
        element_kind="output",
        measure="Households helped",
        frequency="quarterly",
        baseline_date=dt.date(2025, 12, 31),
    )
    for period, day in (("2026-Q1", dt.date(2026, 3, 31)), ("2025-Q4", dt.date(2025, 12, 31))):
        TrackedValue.objects.create(
            coalition=team["coalition"], measure=measure, period=period, date=day, value=10
        )
    TrackedValue.objects.create(  # a subgroup's newer value does not reset the clock
        coalition=team["coalition"],
        measure=measure,
        period="2026-Q2",
        date=dt.date(2026, 6, 30),
        subgroup="Black",
        value=4,
    )
    assert reminders.measure_latest_value_dates([measure]) == {measure.pk: dt.date(2026, 3, 31)}
    reminders.reminders_send(today=dt.date(2026, 6, 25))
    assert "is due on June 30, 2026" in Notification.objects.get().text
