"""The write side of a metric import: parsed rows into observations, all or nothing.

PostgreSQL: rows stream with COPY while the file is still being parsed, either straight into
the observation table (an overall file into a release with no rows of that geography kind:
the parser guarantees every row is then the overall subgroup) or into a temporary table
that is then merged, writing only rows that changed, so re-importing the same file writes
nothing. Progress goes through a second connection, because the import's own transaction
is invisible to the pages until it commits.

SQLite: SQLite has one writer at a time, so the file is parsed first (progress is written
as it goes) into a spooled temporary file, then written in one transaction with
``executemany`` batches of the same upsert.
"""

from __future__ import annotations

import pickle
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from core.jobs import job_progress
from metrics.models import (
    Geography,
    Metric,
    MetricImport,
    NationalBenchmark,
    Observation,
    Subgroup,
)
from metrics.parsing import ALL_SUBGROUP, ALL_TYPE, MetricFileReader, ParseError

PROGRESS_EVERY_SECONDS = 0.5
COPY_CHUNK_BYTES = 1 << 20
SQLITE_BATCH = 5000
VALUE_COLUMNS = ("value", "value_a", "value_b", "lb", "ub", "quality")
KEY_COLUMNS = ("release_id", "year", "geography_id", "metric_id", "subgroup_id")
NULL = "\\N"
LOCK_NAMESPACE = 7301  # pg_advisory_xact_lock(namespace, release id): imports per release


class ImportFailed(Exception):
    def __init__(self, errors: list[ParseError], error_count: int):
        super().__init__(f"{error_count} errors")
        self.errors, self.error_count = errors, error_count


@dataclass
class WriteResult:
    read: int
    written: int


class _Progress:
    """Writes rows done and the heartbeat at most twice a second."""

    def __init__(self, job: MetricImport, reader: MetricFileReader, *, side_connection: bool):
        self.job, self.reader, self.last = job, reader, 0.0
        self.side = connections.create_connection("default") if side_connection else None

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        if self.side is None:
            if not connection.in_atomic_block:
                job_progress(self.job, done=self.reader.rows_read)
            return
        table = MetricImport._meta.db_table
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress_done = %s, heartbeat_at = %s WHERE id = %s",  # noqa: S608
                [self.reader.rows_read, timezone.now(), self.job.pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def wants_text() -> bool:
    """Whether the writer takes numbers as validated text (COPY) rather than floats."""
    return connection.vendor == "postgresql"


def observations_write(*, job: MetricImport, reader: MetricFileReader) -> WriteResult:
    if reader.kind == "national":
        return _benchmarks_write(job, reader)
    geography_ids = dict(
        Geography.objects.filter(kind=reader.kind).values_list("fips", "id").iterator()
    )
    metric_ids = dict(Metric.objects.values_list("variable", "id"))
    missing = {c.spec.variable for c in reader.layout.metrics} - set(metric_ids)
    if missing:  # the catalog file and the database disagree: a deployment problem
        raise RuntimeError(f"Metrics missing from the database: {sorted(missing)}")
    write = _postgresql_write if connection.vendor == "postgresql" else _generic_write
    return write(job, reader, geography_ids, metric_ids)


def _fail_if_errors(reader: MetricFileReader) -> None:
    if reader.error_count:
        raise ImportFailed(reader.errors, reader.error_count)


def _subgroup_ids(codes: dict[tuple[str, str], int]) -> dict[int, int]:
    """Make sure every subgroup met in the file exists; map local codes to row ids."""
    known = {
        (s.subgroup_type, s.name): s.pk
        for s in Subgroup.objects.filter(subgroup_type__in={t for t, _ in codes})
    }
    for key in codes:
        if key not in known:
            known[key] = Subgroup.objects.get_or_create(subgroup_type=key[0], name=key[1])[0].pk
    return {code: known[key] for key, code in codes.items()}


def _postgresql_lines(
    reader: MetricFileReader,
    geography_ids: dict[str, int],
    metric_ids: dict[str, int],
    codes: dict[tuple[str, str], int],
    progress: _Progress,
    counter: list[int],
    *,
    suffix: str = "",
) -> Iterator[str]:
    """COPY text lines: geography, metric, subgroup code, year, six values (+ suffix)."""
    quality_text = {None: NULL, 1: "1", 2: "2", 3: "3"}
    end = suffix + "\n"
    for parsed in reader.rows():
        progress.tick()
        if reader.error_count:
            continue  # keep reading to report every error, but write nothing more
        code = codes.setdefault((parsed.subgroup_type, parsed.subgroup), len(codes))
        prefix = f"{geography_ids[parsed.fips]}\t"
        middle = f"\t{code}\t{parsed.year}\t"
        lines = [
            f"{prefix}{metric_ids[variable]}{middle}{NULL if value is None else value}\t"
            f"{NULL if part_a is None else part_a}\t{NULL if part_b is None else part_b}\t"
            f"{NULL if lower is None else lower}\t{NULL if upper is None else upper}\t"
            f"{quality_text[quality]}{end}"
            for variable, value, part_a, part_b, lower, upper, quality in parsed.cells
        ]
        counter[0] += len(lines)
        yield "".join(lines)


def _copy(cursor: Any, sql: str, lines: Iterator[str], reader: MetricFileReader) -> None:
    with cursor.cursor.copy(sql) as copy:
        chunk: list[str] = []
        size = 0
        for text in lines:
            chunk.append(text)
            size += len(text)
            if size >= COPY_CHUNK_BYTES:
                copy.write("".join(chunk))
                chunk, size = [], 0
        if chunk and not reader.error_count:
            copy.write("".join(chunk))


def _release_has_rows(cursor: Any, release_id: int, kind: str) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM metrics_observation o"
        " JOIN metrics_geography g ON g.id = o.geography_id"
        " WHERE o.release_id = %s AND g.kind = %s)",
        [release_id, kind],
    )
    return bool(cursor.fetchone()[0])


def _postgresql_write(
    job: MetricImport,
    reader: MetricFileReader,
    geography_ids: dict[str, int],
    metric_ids: dict[str, int],
) -> WriteResult:
    """Fresh overall data is copied straight into the table; anything else is merged.

    Measured on the national county file: INSERT … ON CONFLICT pays a speculative
    insertion per row (about 1.5 s more than a plain INSERT), so the merge is an UPDATE of
    changed rows plus an INSERT of missing ones, made safe by a per-release lock.
    """
    # Inside a caller's transaction the job row may be locked by it: the side connection
    # would wait for ever, so progress is only written from a top-level import.
    progress = _Progress(job, reader, side_connection=not connection.in_atomic_block)
    codes: dict[tuple[str, str], int] = {}
    counter = [0]
    columns = "geography_id, metric_id, subgroup_id, year, " + ", ".join(VALUE_COLUMNS)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # One import per release at a time, so the checks below stay true until commit.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, job.release_id])
            if reader.prepare() == ALL_TYPE and not _release_has_rows(
                cursor, job.release_id, reader.kind
            ):
                codes[(ALL_TYPE, ALL_SUBGROUP)] = Subgroup.objects.get_or_create(
                    subgroup_type=ALL_TYPE, name=ALL_SUBGROUP
                )[0].pk
                lines = _postgresql_lines(
                    reader,
                    geography_ids,
                    metric_ids,
                    codes,
                    progress,
                    counter,
                    suffix=f"\t{int(job.release_id)}",
                )
                table = Observation._meta.db_table
                _copy(cursor, f"COPY {table} ({columns}, release_id) FROM STDIN", lines, reader)
                _fail_if_errors(reader)
                return WriteResult(read=counter[0], written=counter[0])
            cursor.execute("DROP TABLE IF EXISTS pg_temp.metrics_import_rows")
            cursor.execute(
                "CREATE TEMPORARY TABLE metrics_import_rows (geography_id integer,"
                " metric_id integer, subgroup_code integer, year smallint,"
                " value double precision, value_a double precision, value_b double precision,"
                " lb double precision, ub double precision, quality smallint) ON COMMIT DROP"
            )
            lines = _postgresql_lines(reader, geography_ids, metric_ids, codes, progress, counter)
            _copy(cursor, "COPY metrics_import_rows FROM STDIN", lines, reader)
            _fail_if_errors(reader)
            written = _postgresql_merge(cursor, job.release_id, _subgroup_ids(codes))
    finally:
        progress.close()
    return WriteResult(read=counter[0], written=written)


def _postgresql_merge(cursor: Any, release_id: int, subgroup_ids: dict[int, int]) -> int:
    """Write only what differs: one join finds changed and missing rows, then two small writes.

    A re-import of the same file finds nothing and writes nothing.
    """
    table = Observation._meta.db_table
    if len(subgroup_ids) <= 1:
        subgroup, join = str(int(next(iter(subgroup_ids.values()), 0))), ""
    else:
        pairs = ", ".join(f"({int(code)}, {int(pk)})" for code, pk in subgroup_ids.items())
        subgroup = "m.subgroup_id"
        join = f" JOIN (VALUES {pairs}) AS m(code, subgroup_id) ON m.code = t.subgroup_code"
    values = ", ".join(f"t.{c}" for c in VALUE_COLUMNS)
    old = ", ".join(f"o.{c}" for c in VALUE_COLUMNS)
    new = ", ".join(f"s.{c}" for c in VALUE_COLUMNS)
    cursor.execute("DROP TABLE IF EXISTS pg_temp.metrics_import_changes")
    cursor.execute(
        "CREATE TEMPORARY TABLE metrics_import_changes ON COMMIT DROP AS"  # noqa: S608
        f" SELECT s.*, o.release_id IS NULL AS missing FROM"
        f" (SELECT t.year, t.geography_id, t.metric_id, {subgroup} AS subgroup_id, {values}"
        f" FROM metrics_import_rows t{join}) AS s"
        f" LEFT JOIN {table} o ON o.release_id = %s AND o.year = s.year"
        " AND o.geography_id = s.geography_id AND o.metric_id = s.metric_id"
        " AND o.subgroup_id = s.subgroup_id"
        f" WHERE o.release_id IS NULL OR ({old}) IS DISTINCT FROM ({new})",
        [release_id],
    )
    if not cursor.rowcount:
        return 0
    updates = ", ".join(f"{c} = s.{c}" for c in VALUE_COLUMNS)
    cursor.execute(
        f"UPDATE {table} AS o SET {updates} FROM metrics_import_changes s"  # noqa: S608
        " WHERE NOT s.missing AND o.release_id = %s AND o.year = s.year"
        " AND o.geography_id = s.geography_id AND o.metric_id = s.metric_id"
        " AND o.subgroup_id = s.subgroup_id",
        [release_id],
    )
    written = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(KEY_COLUMNS + VALUE_COLUMNS)})"  # noqa: S608
        f" SELECT %s, s.year, s.geography_id, s.metric_id, s.subgroup_id, {new}"
        " FROM metrics_import_changes s WHERE s.missing"
        # In key order: the index is filled page by page.
        " ORDER BY s.year, s.geography_id, s.metric_id, s.subgroup_id",
        [release_id],
    )
    return written + cursor.rowcount


def _generic_write(
    job: MetricImport,
    reader: MetricFileReader,
    geography_ids: dict[str, int],
    metric_ids: dict[str, int],
) -> WriteResult:
    progress = _Progress(job, reader, side_connection=False)
    codes: dict[tuple[str, str], int] = {}
    read = 0
    with tempfile.TemporaryFile() as spool:
        batch: list[tuple] = []
        for parsed in reader.rows():
            progress.tick()
            if reader.error_count:
                continue
            geography_id = geography_ids[parsed.fips]
            code = codes.setdefault((parsed.subgroup_type, parsed.subgroup), len(codes))
            for variable, *values in parsed.cells:
                batch.append((geography_id, metric_ids[variable], code, parsed.year, *values))
            if len(batch) >= SQLITE_BATCH:
                read += len(batch)
                pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
                batch = []
        _fail_if_errors(reader)
        read += len(batch)
        pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
        job_progress(job, done=reader.rows_read)
        spool.seek(0)
        with transaction.atomic():
            written = _generic_merge(spool, job.release_id, _subgroup_ids(codes))
    return WriteResult(read=read, written=written)


def _spooled_batches(spool: Any) -> Iterator[list[tuple]]:
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 - our own temporary file
        except EOFError:
            return


def _generic_merge(spool: Any, release_id: int, subgroup_ids: dict[int, int]) -> int:
    table = Observation._meta.db_table
    columns = ", ".join(KEY_COLUMNS + VALUE_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in VALUE_COLUMNS)
    changed = " OR ".join(f"{table}.{c} IS NOT excluded.{c}" for c in VALUE_COLUMNS)
    marks = ", ".join(["%s"] * (len(KEY_COLUMNS) + len(VALUE_COLUMNS)))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        f" ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates} WHERE {changed}"
    )
    written = 0
    with connection.cursor() as cursor:
        for batch in _spooled_batches(spool):
            params = [
                (release_id, year, geo, metric, subgroup_ids[code], *values)
                for geo, metric, code, year, *values in batch
            ]
            cursor.executemany(sql, params)
            written += max(cursor.rowcount, 0)
    return written


def _benchmarks_write(job: MetricImport, reader: MetricFileReader) -> WriteResult:
    metric_ids = dict(Metric.objects.values_list("variable", "id"))
    rows = [
        NationalBenchmark(
            release_id=job.release_id,
            metric_id=metric_ids[cell[0]],
            year=parsed.year,
            value=None if cell[1] is None else float(cell[1]),  # text when keep_text is on
        )
        for parsed in reader.rows()
        for cell in parsed.cells
    ]
    _fail_if_errors(reader)
    existing = {
        (b.metric_id, b.year): b.value
        for b in NationalBenchmark.objects.filter(release_id=job.release_id)
    }
    changed = [b for b in rows if existing.get((b.metric_id, b.year), "absent") != b.value]
    with transaction.atomic():
        NationalBenchmark.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["release", "metric", "year"],
            update_fields=["value"],
        )
    return WriteResult(read=len(rows), written=len(changed))
