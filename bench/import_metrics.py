"""Import the shipped national county file and compare with the floor: a bare COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mobility_metrics_dev \\
        .venv/bin/python bench/import_metrics.py
    .venv/bin/python bench/import_metrics.py            # the embedded SQLite default

In one run, on the same rows:

* **import**: the real import job (``metric_import_run``: read, check, write, commit) of the
  file into a fresh release, after one import of the same file in the same process (the
  first import in a new process, also printed, pays one-time costs a worker pays once);
* **re-import**: the same file again (it must write nothing);
* **same rows, another file**: the same rows in a file with other bytes (recompressed): the
  import has to read it; its rows digest then shows the rows are those stored;
* **one value corrected**: the file with one value changed: read, copied into a temporary
  table and compared row by row with what is stored; one row is written;
* **digest**: the job the import queues, rebuilding the release's medians and peer features;
* **floor**: a bare COPY of the very same long rows (read back from the table into memory
  first) into an unindexed table, in COPY's default text format, and the same in binary;
  on SQLite one ``executemany`` of plain INSERTs;
* **keyed floor** (PostgreSQL): the binary COPY into a new table shaped like a release's
  partition, then building its primary key and attaching it: what any import that keeps
  the key must at least do, with no reading or checking at all.

Prints one line with the times, the ratios and the peak memory, and removes what it made.

    .venv/bin/python bench/import_metrics.py --race-ethnicity

times the shipped county race-ethnicity file (12_, about 7 rows per county-year) instead: the
overall county file is imported first by ``manage.py import_metrics`` in a process of its
own (a subgroup file needs it), then, in this process, the 12_ import (after one cold
import into another release), its re-import, and its own keyed floor: the same long rows
copied (PostgreSQL: binary COPY) into a table with the observations' key (PostgreSQL: a
release partition, key built and attached; SQLite: a table with the same primary key).
The peak memory is this process's: the 12_ imports and the floors, not the 11_ import.
"""

from __future__ import annotations

import gzip
import io
import os
import resource
import subprocess
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
from metrics import partitions, services  # noqa: E402
from metrics.models import MetricImport, Observation, Release  # noqa: E402

FILE = services.SHIPPED_DIR / "2025" / "11_mobility-metrics_county_longitudinal.csv.gz"
RACE_FILE = (
    services.SHIPPED_DIR
    / "2025"
    / "12_mobility-metrics_county_race-ethnicity_longitudinal.partial.csv.gz"
)
COLUMNS = (
    "geography_id, metric_id, subgroup_id, year, release_id,"
    " value, value_a, value_b, lb, ub, quality"
)


def timed_import(
    release_name: str, content: bytes | None = None, path: Path = FILE
) -> tuple[float, MetricImport]:
    with path.open("rb") as handle:
        upload = File(io.BytesIO(content) if content else handle, name=path.name)
        job = services.metric_import_start(
            actor=None, upload=upload, release_name=release_name, enqueue=False
        )
    claimed = job_claim(MetricImport, job.pk)
    assert isinstance(claimed, MetricImport)
    started = time.perf_counter()
    services.metric_import_run(job=claimed)
    elapsed = time.perf_counter() - started
    if claimed.status != JobStatus.SUCCEEDED:
        sys.exit(f"import failed: {claimed.message}")
    return elapsed, claimed


def _rows_out(
    cursor, release: Release, options: str, release_id: int = 0, where: str = ""
) -> bytes:  # type: ignore[no-untyped-def]
    """The release's long rows as COPY gives them (``release_id`` replaces the release's id;
    ``where``: an SQL condition that picks some of them)."""
    columns = COLUMNS.replace("release_id", f"{int(release_id)}::bigint") if release_id else COLUMNS
    data = io.BytesIO()
    select = f"SELECT {columns} FROM metrics_observation WHERE release_id = {release.pk}{where}"
    with cursor.cursor.copy(f"COPY ({select}) TO STDOUT {options}") as copy:
        for chunk in copy:
            data.write(chunk)
    return data.getvalue()


def _copy_in(cursor, table: str, payload: bytes, options: str) -> None:  # type: ignore[no-untyped-def]
    with cursor.cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN {options}") as copy:
        for offset in range(0, len(payload), 1 << 20):
            copy.write(payload[offset : offset + (1 << 20)])


def floor_postgresql(release: Release) -> tuple[float, float, float]:
    """Bare COPY, text and binary, into an unindexed table; and the keyed floor."""
    times = []
    with connection.cursor() as cursor:
        for options in ("", "(FORMAT binary)"):
            payload = _rows_out(cursor, release, options)
            cursor.execute("DROP TABLE IF EXISTS bench_floor")
            cursor.execute(
                "CREATE TABLE bench_floor (geography_id bigint, metric_id bigint,"
                " subgroup_id bigint, year smallint, release_id bigint,"
                " value double precision, value_a double precision,"
                " value_b double precision, lb double precision, ub double precision,"
                " quality smallint)"
            )
            started = time.perf_counter()
            with transaction.atomic():
                _copy_in(cursor, "bench_floor", payload, options)
            times.append(time.perf_counter() - started)
            cursor.execute("DROP TABLE bench_floor")
        # The keyed floor: the rows as a release table of their own, keyed and attached,
        # under a release id no release has; rolled back at the end.
        spare = 2_000_000_000
        payload = _rows_out(cursor, release, "(FORMAT binary)", release_id=spare)
        started = time.perf_counter()
        with transaction.atomic():
            table = partitions.create_detached(cursor, spare)
            _copy_in(cursor, table, payload, "(FORMAT binary)")
            partitions.attach(cursor, spare)
            times.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return times[0], times[1], times[2]


def keyed_floor_postgresql(release: Release, where: str) -> float:
    """The keyed floor of some of a release's rows: a partition of their own, keyed, attached."""
    spare = 2_000_000_000
    with connection.cursor() as cursor:
        payload = _rows_out(cursor, release, "(FORMAT binary)", release_id=spare, where=where)
        started = time.perf_counter()
        with transaction.atomic():
            table = partitions.create_detached(cursor, spare)
            _copy_in(cursor, table, payload, "(FORMAT binary)")
            partitions.attach(cursor, spare)
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
    return elapsed


def floor_sqlite(release: Release, *, subgroups: list[int] | None = None) -> float:
    """Plain INSERTs of the release's rows (``subgroups``: only those, into a keyed table)."""
    rows = Observation.objects.filter(release=release)
    if subgroups is not None:
        rows = rows.filter(subgroup_id__in=subgroups)
    rows = list(
        rows.values_list(
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
            " value_a real, value_b real, lb real, ub real, quality integer"
            + (
                ", PRIMARY KEY (release_id, year, geography_id, metric_id, subgroup_id))"
                if subgroups is not None
                else ")"
            )
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
    # The first import in a new process also pays one-time costs (pandas' code paths, the
    # allocator growing); a worker pays them once. Timed apart, then the import proper.
    cold, scratch = timed_import(f"{release_name}-first")
    scratch.file.delete(save=False)
    services.release_delete(actor=None, release=scratch.release)
    first, job = timed_import(release_name)
    second, again = timed_import(release_name)
    assert again.observations_written == 0, "a re-import of the same file wrote rows"
    assert again.unchanged_since_id == job.pk, "the re-import did not see the same file"
    other_bytes = gzip.compress(gzip.decompress(FILE.read_bytes()), compresslevel=1)
    third, merged = timed_import(release_name, other_bytes)
    assert merged.observations_written == 0, "the same rows in another file wrote rows"
    assert merged.unchanged_since_id is None, "another file was taken for the same one"
    text = gzip.decompress(FILE.read_bytes())
    corrected_text = text.replace(b",20783.639249999997,", b",20783.64,", 1)
    assert corrected_text != text, "the value to correct is not in the file"
    fourth, corrected = timed_import(release_name, gzip.compress(corrected_text, compresslevel=1))
    assert corrected.observations_written == 1, "the corrected file did not write one row"
    release = job.release
    started = time.perf_counter()
    services.release_digest_refresh(release_id=release.pk, kind="county")
    digest = time.perf_counter() - started
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        floor, binary, keyed = floor_postgresql(release)
    else:
        floor, binary, keyed = floor_sqlite(release), 0.0, 0.0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = job.observations_read
    for made in (job, again, merged, corrected):
        made.file.delete(save=False)
    services.release_delete(actor=None, release=release)
    line = (
        f"{connection.vendor}: {rows} long rows from {job.progress_total} file rows;"
        f" import {first:.2f} s (first in a new process {cold:.2f} s), re-import {second:.2f} s,"
        f" same rows in another file {third:.2f} s, one value corrected {fourth:.2f} s,"
        f" digest job {digest:.2f} s;"
        f" bare COPY floor {floor:.2f} s"
    )
    if postgresql:
        line += f" (binary {binary:.2f} s, keyed {keyed:.2f} s)"
    line += f"; ratio {first / floor:.2f}x (re-import {second / floor:.2f}x,"
    line += f" another file {third / floor:.2f}x"
    if postgresql:
        line += f"; against binary {first / binary:.2f}x, against keyed {first / keyed:.2f}x"
    line += f"); peak memory {peak_mb:.0f} MB"
    print(line)


def _overall_into(release_name: str) -> None:
    """The overall county file into a release, by the command, in a process of its own."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "import_metrics",
            str(FILE),
            "--release",
            release_name,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main_race_ethnicity() -> None:
    call_command("migrate", verbosity=0)
    services.catalog_sync()
    release_name = f"bench-race-{int(time.time())}"
    for name in (f"{release_name}-first", release_name):
        _overall_into(name)
    cold, scratch = timed_import(f"{release_name}-first", path=RACE_FILE)
    first, job = timed_import(release_name, path=RACE_FILE)
    second, again = timed_import(release_name, path=RACE_FILE)
    assert again.observations_written == 0, "a re-import of the same file wrote rows"
    release = job.release
    subgroups = list(
        Observation.objects.filter(release=release)
        .exclude(subgroup__subgroup_type="all")
        .values_list("subgroup_id", flat=True)
        .distinct()
    )
    if connection.vendor == "postgresql":
        where = f" AND subgroup_id IN ({', '.join(str(int(s)) for s in subgroups)})"
        keyed = keyed_floor_postgresql(release, where)
    else:
        keyed = floor_sqlite(release, subgroups=subgroups)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for made in (scratch, job, again):
        made.file.delete(save=False)
    for made_release in (scratch.release, release):
        for other in made_release.imports.all():
            other.file.delete(save=False)
        services.release_delete(actor=None, release=made_release)
    print(
        f"{connection.vendor}: {RACE_FILE.name}: {job.observations_read} long rows from"
        f" {job.progress_total} file rows; import {first:.2f} s (first in a new process"
        f" {cold:.2f} s), re-import {second:.2f} s; keyed floor {keyed:.2f} s;"
        f" ratio {first / keyed:.2f}x; peak memory {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main_race_ethnicity() if "--race-ethnicity" in sys.argv[1:] else main()
