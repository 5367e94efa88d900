"""Import the shipped national county file and compare with the floor: a bare COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mobility_metrics_dev \\
        .venv/bin/python bench/import_metrics.py
    .venv/bin/python bench/import_metrics.py            # the embedded SQLite default

Runs the real import (metric_import_run: parse, validate, write, commit) twice into a
fresh release, first into empty tables and then the same file again, then writes the very
same long rows with a bare COPY into an unindexed table (on SQLite: one executemany of
plain INSERTs). Prints one line with the times, the ratios and the peak memory, and
removes what it made.
"""

from __future__ import annotations

import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility.settings")

import django  # noqa: E402

django.setup()

from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from core.jobs import job_claim  # noqa: E402
from core.models import JobStatus  # noqa: E402
from metrics import services  # noqa: E402
from metrics.models import MetricImport, Observation, Release  # noqa: E402

FILE = services.SHIPPED_DIR / "2025" / "11_mobility-metrics_county_longitudinal.csv.gz"
COLUMNS = (
    "geography_id, metric_id, subgroup_id, year, release_id,"
    " value, value_a, value_b, lb, ub, quality"
)


def timed_import(release_name: str) -> tuple[float, MetricImport]:
    with FILE.open("rb") as handle:
        job = services.metric_import_start(
            actor=None,
            upload=File(handle, name=FILE.name),
            release_name=release_name,
            enqueue=False,
        )
    claimed = job_claim(MetricImport, job.pk)
    assert isinstance(claimed, MetricImport)
    started = time.perf_counter()
    services.metric_import_run(job=claimed)
    elapsed = time.perf_counter() - started
    if claimed.status != JobStatus.SUCCEEDED:
        sys.exit(f"import failed: {claimed.message}")
    return elapsed, claimed


def floor_postgresql(release: Release) -> float:
    with connection.cursor() as cursor:
        data = io.BytesIO()
        select = f"SELECT {COLUMNS} FROM metrics_observation WHERE release_id = {release.pk}"
        with cursor.cursor.copy(f"COPY ({select}) TO STDOUT") as copy:
            for chunk in copy:
                data.write(chunk)
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute(
            "CREATE TABLE bench_floor (geography_id integer, metric_id integer,"
            " subgroup_id integer, year smallint, release_id integer, value double precision,"
            " value_a double precision, value_b double precision, lb double precision,"
            " ub double precision, quality smallint)"
        )
        payload = data.getvalue()
        started = time.perf_counter()
        sql = f"COPY bench_floor ({COLUMNS}) FROM STDIN"
        with transaction.atomic(), cursor.cursor.copy(sql) as copy:
            for offset in range(0, len(payload), 1 << 20):
                copy.write(payload[offset : offset + (1 << 20)])
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    return elapsed


def floor_sqlite(release: Release) -> float:
    rows = list(
        Observation.objects.filter(release=release).values_list(
            "geography_id",
            "metric_id",
            "subgroup_id",
            "year",
            "release_id",
            "value",
            "value_a",
            "value_b",
            "lb",
            "ub",
            "quality",
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute(
            "CREATE TABLE bench_floor (geography_id integer, metric_id integer,"
            " subgroup_id integer, year integer, release_id integer, value real,"
            " value_a real, value_b real, lb real, ub real, quality integer)"
        )
        started = time.perf_counter()
        with transaction.atomic():
            cursor.executemany(
                f"INSERT INTO bench_floor ({COLUMNS}) VALUES ({', '.join(['%s'] * 11)})", rows
            )
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    return elapsed


def main() -> None:
    call_command("migrate", verbosity=0)
    services.catalog_sync()
    release_name = f"bench-{int(time.time())}"
    first, job = timed_import(release_name)
    second, again = timed_import(release_name)
    assert again.observations_written == 0, "a re-import of the same file wrote rows"
    release = job.release
    postgresql = connection.vendor == "postgresql"
    floor = floor_postgresql(release) if postgresql else floor_sqlite(release)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = job.observations_read
    for made in (job, again):
        made.file.delete(save=False)
    services.release_delete(actor=None, release=release)
    print(
        f"{connection.vendor}: {rows} long rows from {job.progress_total} file rows;"
        f" import {first:.2f} s, re-import {second:.2f} s, bare COPY floor {floor:.2f} s;"
        f" ratio {first / floor:.2f}x (re-import {second / floor:.2f}x);"
        f" peak memory {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
