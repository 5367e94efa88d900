"""Time the beat's reminder run and the weekly digest over many coalitions.

    .venv/bin/python bench/reminders.py [--coalitions 200]

Builds, in a throwaway SQLite database, N coalitions with four members each, a working group,
five strategic actions with two milestones due this week, ten measures due for a value, three
overdue assignments and a review waiting for a week. Then runs ``reminders_send`` (every
reminder new), runs it again (nothing new: the idempotent hourly run), and sends the weekly
digests (mail to the locmem backend). Prints the time and the number of queries of each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = tempfile.mkdtemp(prefix="bench-reminders-")
os.environ["MOBILITY_VAR_DIR"] = VAR
os.environ["DATABASE_URL"] = f"sqlite:///{VAR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility.settings_test")

import django  # noqa: E402

django.setup()

from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

TODAY = dt.date(2026, 5, 4)


def build(n: int) -> None:
    from accounts.models import User
    from coalitions.models import Coalition, Membership, Role, WorkingGroup
    from metrics.models import Geography
    from plans.map.models import Measure, Milestone, Review, ReviewRound, StrategicAction
    from plans.models import Assignment

    geography = Geography.objects.first()
    for i in range(n):
        coalition = Coalition.objects.create(name=f"Coalition {i:04d}", geography=geography)
        members = {
            role: Membership.objects.create(
                coalition=coalition,
                user=User.objects.create(email=f"{role}{i}@example.org"),
                role=role,
            )
            for role in (Role.PROJECT_MANAGER, Role.DATA_LEAD, Role.MEMBER, Role.VIEWER)
        }
        group = WorkingGroup.objects.create(
            coalition=coalition, name="Housing", lead=members[Role.MEMBER]
        )
        group.members.add(members[Role.VIEWER])
        for a in range(5):
            action = StrategicAction.objects.create(
                coalition=coalition, title=f"Action {a}", working_group=group
            )
            Milestone.objects.bulk_create(
                Milestone(action=action, title=f"Step {k}", due_date=TODAY + dt.timedelta(k))
                for k in range(2)
            )
        Measure.objects.bulk_create(
            Measure(
                coalition=coalition,
                element_kind="output",
                measure=f"Measure {k}",
                frequency="monthly",
                baseline_date=dt.date(2026, 4, 4 + k % 5),
            )
            for k in range(10)
        )
        Assignment.objects.bulk_create(
            Assignment(
                coalition=coalition,
                step=5,
                worksheet_key=key,
                owner=members[Role.MEMBER],
                due_date=TODAY - dt.timedelta(3),
            )
            for key in ("w5_1", "w5_2", "w5_7")
        )
        review_round = ReviewRound.objects.create(coalition=coalition)
        Review.objects.create(round=review_round, reviewer=members[Role.PROJECT_MANAGER])
    # A week before TODAY: every review has waited long enough for a reminder.
    ReviewRound.objects.update(created_at=timezone.make_aware(dt.datetime(2026, 4, 27, 9)))


def timed(label: str, fn):
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    print(f"{label}: {seconds:.2f} s, {count[0]} queries, result {result}")
    return result


def main() -> None:
    from notifications import reminders, services
    from plans.models import Notification

    parser = argparse.ArgumentParser()
    parser.add_argument("--coalitions", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    build(args.coalitions)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        first = timed("first run", lambda: sum(reminders.reminders_send(today=TODAY).values()))
        timed("second run", lambda: sum(reminders.reminders_send(today=TODAY).values()))
        timed("weekly digests", lambda: services.digests_send(period="weekly"))
        timed("daily digests", lambda: services.digests_send(period="daily"))
    print(
        f"{args.coalitions} coalitions: {first} notifications, "
        f"{Notification.objects.count()} rows, {len(mail.outbox)} emails"
    )


if __name__ == "__main__":
    main()
