"""Reminders the beat sends: measures due for a value, milestones due or overdue, overdue
assignments and reviews waiting for a decision.

Each reminder names its thing and due period in a ``dedupe_key``; ``notification_send``
makes one notification per person, kind and key, so running this every hour (or twice by
mistake) sends each reminder once.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from coalitions.models import Coalition, Membership, Role, WorkingGroup
from notifications.models import DEFAULT_DELIVERY, NotificationPreference
from notifications.services import Deferred, notification_send
from plans import definitions
from plans.map.blocks import date_words
from plans.map.models import Decision, ImplementationStatus, Measure, Milestone, Review
from plans.models import (
    Assignment,
    Notification,
    NotificationKind,
    ResponseStatus,
    StepState,
    StepStatus,
    WorksheetResponse,
)
from plans.tracking.models import TrackedValue

# How far ahead a milestone or a measure's next value is announced, and how long after its
# date overdue work is still worth a reminder (older dates are history, not news).
DUE_SOON_DAYS = 7
OVERDUE_WINDOW_DAYS = 30
# A review waits this many days before its reviewer hears again, then once a week.
REVIEW_WAIT_DAYS = 3

# The measurement plan's frequencies (plans/data/options.yaml) as months between values.
FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


@dataclass
class Reminder:
    coalition: Coalition
    kind: str
    text: Promise
    params: dict[str, Any]
    url: str
    dedupe_key: str
    users: list[User] = field(default_factory=list)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- who hears -----------------------------------------------------------------------------


def _group_users(group: WorkingGroup | None) -> list[User]:
    if group is None:
        return []
    people = [m.user for m in group.members.all()]
    if group.lead is not None and group.lead.user not in people:
        people.append(group.lead.user)
    return people


def _role_users(coalition: Coalition, *roles: str) -> list[User]:
    return [m.user for m in coalition.memberships.all() if m.role in roles]


# --- what is due ---------------------------------------------------------------------------


def measure_latest_value_dates(measures: Iterable[Measure]) -> dict[int, date | None]:
    """The date of each measure's latest value (for everyone, not a subgroup), else its
    baseline's date: the start of the clock for the next value. One query."""
    measures = list(measures)
    latest = dict(
        TrackedValue.objects.filter(measure__in=measures, subgroup="")
        .values_list("measure_id")
        .annotate(latest=Max("date"))
        .values_list("measure_id", "latest")
    )
    return {m.pk: latest.get(m.pk) or m.baseline_date for m in measures}


def measure_next_due(measure: Measure, latest: date | None) -> date | None:
    months = FREQUENCY_MONTHS.get(measure.frequency)
    if months is None or latest is None:
        return None
    return add_months(latest, months)


def _measure_reminders(today: date) -> Iterator[Reminder]:
    measures = list(
        Measure.objects.filter(orphaned_at=None, frequency__in=list(FREQUENCY_MONTHS))
        .exclude(measure="")
        .select_related("coalition")
        .prefetch_related("coalition__memberships__user")
    )
    latest = measure_latest_value_dates(measures)
    for measure in measures:
        due = measure_next_due(measure, latest.get(measure.pk))
        if due is None or not today - timedelta(OVERDUE_WINDOW_DAYS) <= due:
            continue
        if due > today + timedelta(DUE_SOON_DAYS):
            continue
        coalition = measure.coalition
        yield Reminder(
            coalition=coalition,
            kind=NotificationKind.MEASURE_DUE,
            text=_("A new value of “%(measure)s” is due on %(date)s."),
            params={"measure": measure.measure, "date": _date_words(due)},
            url=reverse("map:measure_edit", args=[coalition.pk, measure.pk]),
            dedupe_key=f"measure:{measure.pk}:{due.isoformat()}",
            users=_role_users(coalition, Role.DATA_LEAD)
            or _role_users(coalition, Role.PROJECT_MANAGER),
        )


def _milestone_reminders(today: date) -> Iterator[Reminder]:
    # A milestone ticked done, or of an action done or dropped, needs no reminder.
    milestones = (
        Milestone.objects.filter(
            due_date__gte=today - timedelta(OVERDUE_WINDOW_DAYS),
            due_date__lte=today + timedelta(DUE_SOON_DAYS),
            done_on__isnull=True,
        )
        .exclude(action__status__in=[ImplementationStatus.DONE, ImplementationStatus.DROPPED])
        .select_related(
            "action__coalition", "action__owner__user", "action__working_group__lead__user"
        )
        .prefetch_related(
            "action__working_group__members__user", "action__coalition__memberships__user"
        )
    )
    for milestone in milestones:
        action, overdue = milestone.action, milestone.due_date < today
        coalition = action.coalition
        yield Reminder(
            coalition=coalition,
            kind=NotificationKind.MILESTONE_DUE,
            text=(
                _("The milestone “%(milestone)s” of “%(action)s” was due on %(date)s.")
                if overdue
                else _("The milestone “%(milestone)s” of “%(action)s” is due on %(date)s.")
            ),
            params={
                "milestone": milestone.title,
                "action": action.title,
                "date": _date_words(milestone.due_date),
            },
            url=reverse("implementation:action", args=[coalition.pk, action.pk]),
            dedupe_key=(
                f"milestone:{milestone.pk}:{milestone.due_date.isoformat()}:"
                + ("overdue" if overdue else "soon")
            ),
            # The action's owner first, then its working group, then the project manager.
            users=([action.owner.user] if action.owner else [])
            or _group_users(action.working_group)
            or _role_users(coalition, Role.PROJECT_MANAGER),
        )


def _assignment_done(assignment: Assignment, done: set[tuple[int, str]]) -> bool:
    key = assignment.worksheet_key or f"step{assignment.step}"
    return (assignment.coalition_id, key) in done


def _finished_work(assignments: list[Assignment]) -> set[tuple[int, str]]:
    coalitions = {a.coalition_id for a in assignments}
    done = {
        (c, k)
        for c, k in WorksheetResponse.objects.filter(
            coalition_id__in=coalitions, owner=None, status=ResponseStatus.COMPLETE
        ).values_list("coalition_id", "worksheet_key")
    }
    done |= {
        (c, f"step{s}")
        for c, s in StepState.objects.filter(
            coalition_id__in=coalitions, status=StepStatus.COMPLETE
        ).values_list("coalition_id", "step")
    }
    return done


def _assignment_reminders(today: date) -> Iterator[Reminder]:
    assignments = list(
        Assignment.objects.filter(
            due_date__lt=today, due_date__gte=today - timedelta(OVERDUE_WINDOW_DAYS)
        )
        .select_related("coalition", "owner__user", "working_group__lead__user")
        .prefetch_related("working_group__members__user")
    )
    done = _finished_work(assignments)
    for assignment in assignments:
        if _assignment_done(assignment, done):
            continue
        coalition, due = assignment.coalition, assignment.due_date
        assert due is not None
        what = _work_words(assignment.worksheet_key, assignment.step)
        if assignment.worksheet_key:
            url = reverse("plans:worksheet", args=[coalition.pk, assignment.worksheet_key])
        else:
            url = reverse("plans:step", args=[coalition.pk, assignment.step])
        owner: Membership | None = assignment.owner
        yield Reminder(
            coalition=coalition,
            kind=NotificationKind.ASSIGNMENT_OVERDUE,
            text=_("Your assignment “%(work)s” was due on %(date)s."),
            params={"work": what, "date": _date_words(due)},
            url=url,
            dedupe_key=f"assignment:{assignment.pk}:{due.isoformat()}",
            users=[owner.user] if owner else _group_users(assignment.working_group),
        )


def _review_reminders(today: date) -> Iterator[Reminder]:
    reviews = Review.objects.filter(
        decision=Decision.PENDING,
        round__closed_at=None,
        round__created_at__date__lte=today - timedelta(REVIEW_WAIT_DAYS),
    ).select_related("round__coalition", "reviewer__user")
    for review in reviews:
        review_round = review.round
        coalition = review_round.coalition
        week = (today - timezone.localdate(review_round.created_at)).days // 7
        yield Reminder(
            coalition=coalition,
            kind=NotificationKind.REVIEW_WAITING,
            text=_("The plan has waited for your review since %(date)s."),
            params={"date": _date_words(timezone.localdate(review_round.created_at))},
            url=reverse("map:review_decide", args=[coalition.pk, review.pk]),
            dedupe_key=f"review:{review.pk}:week{week}",
            users=[review.reviewer.user],
        )


def _work_words(worksheet_key: str, step: int) -> Deferred:
    def render() -> str:
        if worksheet_key:  # worksheet titles follow the active language (plans.definitions)
            ws = definitions.worksheet(worksheet_key)
            return f"{ws.number} {ws.title}"
        return str(_("Step %(number)s") % {"number": step})

    return Deferred(render)


def _date_words(day: date) -> Deferred:
    return Deferred(lambda: date_words(day))


SCANNERS = (_measure_reminders, _milestone_reminders, _assignment_reminders, _review_reminders)


def reminders_send(*, today: date | None = None, site_url: str | None = None) -> dict[str, int]:
    """Make every reminder due today (once per due period); returns how many per kind.

    What was sent before is read once per scan, and everyone's choices once, so an hourly
    run with nothing new costs a few queries per kind, not one per reminder and person."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(NotificationKind.values, 0)
    choices = _choices()
    for scan in SCANNERS:
        reminders = list(scan(today))
        sent = _already_sent(reminders)
        due = [
            (reminder, user)
            for reminder in reminders
            for user in _unique(reminder.users)
            if (user.pk, reminder.dedupe_key) not in sent
        ]
        for start in range(0, len(due), BATCH):
            # One transaction per batch: far fewer commits than one per row, and short
            # enough not to hold SQLite's single writer lock for long.
            with transaction.atomic():
                for reminder, user in due[start : start + BATCH]:
                    made = notification_send(
                        user=user,
                        coalition=reminder.coalition,
                        kind=reminder.kind,
                        text=reminder.text,
                        params=reminder.params,
                        url=reminder.url,
                        dedupe_key=reminder.dedupe_key,
                        site_url=site_url or settings.SITE_URL,
                        delivery=choices.get(
                            (user.pk, reminder.kind), DEFAULT_DELIVERY[reminder.kind]
                        ),
                    )
                    counts[reminder.kind] += made is not None
    return counts


BATCH = 200


def _choices() -> dict[tuple[int, str], str]:
    return {
        (user_id, kind): delivery
        for user_id, kind, delivery in NotificationPreference.objects.values_list(
            "user_id", "kind", "delivery"
        )
    }


def _already_sent(reminders: list[Reminder]) -> set[tuple[int, str]]:
    sent: set[tuple[int, str]] = set()
    keys_by_kind: dict[str, list[str]] = {}
    for reminder in reminders:
        keys_by_kind.setdefault(reminder.kind, []).append(reminder.dedupe_key)
    for kind, keys in keys_by_kind.items():
        for start in range(0, len(keys), 500):  # SQLite's limit on query parameters
            sent |= set(
                Notification.objects.filter(
                    kind=kind, dedupe_key__in=keys[start : start + 500]
                ).values_list("user_id", "dedupe_key")
            )
    return sent


def _unique(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())
