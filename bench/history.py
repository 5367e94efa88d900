"""Time the revision history and the Steps dashboard with 30 and 300 revisions (issue 17).

Runs on a throwaway database: a fresh SQLite file by default, or the PostgreSQL server of
DATABASE_URL (a database named mobility_bench_history is created and dropped). For each size
it builds a coalition whose W2.4 (a 20-row table) has that many revisions, each changing one
cell, by two people taking turns, plus a tenth as many comments; then it asks, through
Django's test client, for the history page, the history API, one revision's page, the
dashboard and a trivial page (notifications) 20 times each and reports the median time, the
queries and the size of the answer.

    .venv/bin/python bench/history.py
    BENCH_ROOT=/path/to/older/checkout .venv/bin/python bench/history.py  # the code before
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/history.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
RUNS = 20


def _recreate_postgres(base: str) -> None:
    import psycopg

    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS mobility_bench_history")
        conn.execute("CREATE DATABASE mobility_bench_history")


def _setup() -> None:
    tmp = tempfile.mkdtemp(prefix="mobility-bench-")
    os.environ["MOBILITY_VAR_DIR"] = tmp
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = base + "/mobility_bench_history"
        os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
        os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver")
        os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
        _recreate_postgres(base)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mobility.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Production settings on PostgreSQL: plain http and static files without a collected manifest.
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)


def _world(n: int):
    import datetime as dt

    from django.utils import timezone

    from coalitions.models import Role
    from plans.models import Comment, Revision, WorksheetResponse
    from tests.factories import CoalitionFactory, MembershipFactory

    coalition = CoalitionFactory()
    people = [MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER) for _ in (1, 2)]
    seats = [
        {"seat": f"District {i}", "race_ethnicity": "hispanic", "source": "self_report"}
        for i in range(20)
    ]
    response = WorksheetResponse.objects.create(
        coalition=coalition, worksheet_key="w2_4", version=n, data={}
    )
    now, rows = timezone.now(), []
    for v in range(1, n + 1):
        seats = [dict(s) for s in seats]
        seats[v % 20]["seat"] = f"District {v % 20}, seat {v}"
        data = {"body": "City Council", "seats": seats}
        at = now - dt.timedelta(minutes=15 * (n - v))
        fields = {
            "coalition": coalition,
            "response": response,
            "version": v,
            "first_version": v,
            "data": data,
            "author": people[v % 2].user,
            "created_at": at,
            "started_at": at,
        }
        # Only the fields the checked-out code has, so the same script measures the old code.
        known = {f.name for f in Revision._meta.get_fields()}
        rows.append(Revision(**{k: v for k, v in fields.items() if k in known}))
    Revision.objects.bulk_create(rows)
    WorksheetResponse.objects.filter(pk=response.pk).update(data=rows[-1].data)
    Comment.objects.bulk_create(
        Comment(coalition=coalition, worksheet_key="w2_4", author=people[0].user, body="A note")
        for _ in range(n // 10)
    )
    return coalition, people[0]


def _measure(client, url: str) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000, len(ctx.captured_queries), len(response.content)


def main() -> None:
    _setup()
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    print(f"database: {os.environ.get('DATABASE_URL', 'sqlite (default)').split('@')[-1]}")
    print(f"{'revisions':>9}  {'page':<22} {'median ms':>9} {'queries':>7} {'bytes':>9}")
    for n in (30, 300):
        coalition, member = _world(n)
        client = Client()
        client.force_login(member.user)
        pk = coalition.pk
        pages = {
            "history": ("plans:worksheet_history", [pk, "w2_4"]),
            "history API": ("api:worksheet-revisions", [pk, "w2_4"]),
            "one revision": ("plans:worksheet_revision", [pk, "w2_4", n // 2]),
            "dashboard": ("plans:steps", [pk]),
            "worksheet": ("plans:worksheet", [pk, "w2_4"]),
            "trivial (notifications)": ("plans:notifications", [pk]),
        }
        for name, (route, args) in pages.items():
            try:
                url = reverse(route, args=args)
            except NoReverseMatch:  # the old code has no page per revision
                continue
            ms, queries, size = _measure(client, url)
            print(f"{n:>9}  {name:<22} {ms:>9.1f} {queries:>7} {size:>9,}")


if __name__ == "__main__":
    main()
