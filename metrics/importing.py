"""The write side of a metric import: parsed rows into observations, all or nothing.

Two ways in. ``columnar_write`` takes what ``metrics.fastread`` reads (clean county and city
files, in chunks of numpy arrays); ``observations_write`` takes the streaming reader's rows
(everything else). Both write the same rows in one transaction.

PostgreSQL: observations are partitioned by release (``metrics.partitions``). A release's
first file fills a new table whose key is built afterwards; overall values the release
does not have yet are copied straight in; anything else is copied into a temporary table
and merged, writing only rows that changed, so re-importing the same rows writes nothing.
Arrays go with a binary COPY built by numpy, sent from a second thread while the next chunk
is read; the streaming reader's rows go with a text COPY while the file is parsed. Progress
goes through a second connection, because the import's own transaction is invisible to the
pages until it commits.

SQLite: one writer at a time, so the streaming reader's rows are parsed first (progress is
written as it goes) into a spooled temporary file, then written in one transaction with
``executemany`` batches of an upsert; arrays are written chunk by chunk with the same upsert.
"""

from __future__ import annotations

import hashlib
import pickle
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
from django.db import connection, connections, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from core.jobs import job_progress
from metrics import fastread, partitions
from metrics.fastread import Columnar, ColumnarFile
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
FLOAT_COLUMNS = ("value", "value_a", "value_b", "lb", "ub")
VALUE_COLUMNS = (*FLOAT_COLUMNS, "quality")
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
    rows_digest: str = ""  # only from columnar_write


class _Progress:
    """Writes rows done and the heartbeat at most twice a second."""

    def __init__(self, job: MetricImport, reader: Any, *, side_connection: bool):
        # ``reader``: anything with a ``rows_read`` count.
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


def columnar_write(
    *,
    job: MetricImport,
    source: ColumnarFile,
    geography_ids: dict[str, int],
    last_rows_digest: str = "",
) -> WriteResult:
    """Write what ``fastread`` reads: the same rows as ``observations_write``, in arrays.

    ``fastread.NotClean`` may come out of ``source.chunks()`` at any point, even after the
    last chunk (a duplicate row across chunks): the transaction is then rolled back and the
    caller reads the file again with the streaming reader.

    ``last_rows_digest``: the rows digest of the release's last successful import. When
    this file's rows have the same one, they are already stored: on PostgreSQL the merge
    (which would compare every row) is skipped. The result carries this file's digest.
    """
    metric_ids = dict(Metric.objects.values_list("variable", "id"))
    missing = set(source.variables) - set(metric_ids)
    if missing:  # the catalog file and the database disagree: a deployment problem
        raise RuntimeError(f"Metrics missing from the database: {sorted(missing)}")
    ids = _Ids(job.release_id, geography_ids, [metric_ids[v] for v in source.variables])
    if connection.vendor != "postgresql":
        return _columnar_generic(job, source, ids)
    return _columnar_postgresql(job, source, ids, last_rows_digest)


class _Ids:
    """Database ids for a chunk's geography, metric and subgroup codes."""

    def __init__(self, release_id: int, geography_ids: dict[str, int], metric_ids: list[int]):
        self.release_id, self.geography_ids = release_id, geography_ids
        self.metric_ids = np.array(metric_ids, dtype=np.int64)
        self.subgroup_ids: dict[int, int] = {}

    def resolve_subgroups(self, subgroups: list[tuple[str, str]]) -> None:
        """Create the subgroups not met before (a query: never while a COPY is open)."""
        new = {pair: code for code, pair in enumerate(subgroups) if code not in self.subgroup_ids}
        if new:
            self.subgroup_ids.update(_subgroup_ids(new))

    def columns(
        self, part: Columnar, *, subgroup_codes: bool = False
    ) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
        """The COPY columns of a chunk: (column, values, NULL mask or None).

        ``subgroup_codes``: the file's own subgroup codes instead of subgroup ids (for the
        temporary table of a merge, whose subgroups are made after the COPY).
        """
        geography = np.array([self.geography_ids[f] for f in part.fips], np.int64)
        if subgroup_codes:
            subgroup = np.arange(len(part.subgroups), dtype=np.int64)
        else:
            subgroup = np.array(
                [self.subgroup_ids[c] for c in range(len(part.subgroups))], np.int64
            )
        return [
            ("release_id", np.full(len(part), self.release_id, np.int64), None),
            ("year", part.year, None),
            ("geography_id", geography[part.geography], None),
            ("metric_id", self.metric_ids[part.metric], None),
            ("subgroup_id", subgroup[part.subgroup], None),
            *((name, getattr(part, name), np.isnan(getattr(part, name))) for name in FLOAT_COLUMNS),
            ("quality", part.quality, part.quality == 0),
        ]


COPY_COLUMNS = "release_id, year, geography_id, metric_id, subgroup_id, " + ", ".join(VALUE_COLUMNS)


def _columnar_postgresql(
    job: MetricImport, source: ColumnarFile, ids: _Ids, last_rows_digest: str
) -> WriteResult:
    """COPY in binary, while the file is read: the next chunk is read while the server
    copies this one (the COPY data go out from a second thread).

    A release's first file goes into a new table of its own (see ``metrics.partitions``);
    overall values the release's table does not have yet go straight into it; anything
    else goes into a temporary table and is merged (written only where it differs).
    """
    # Inside a caller's transaction the job row may be locked by it: the side connection
    # would wait for ever, so progress is only written from a top-level import.
    progress = _Progress(
        job, SimpleNamespace(rows_read=0), side_connection=not connection.in_atomic_block
    )
    digest = RowsDigest(source.kind)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # One import per release at a time, so the checks below stay true until commit.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, job.release_id])
            fresh = (
                partitions.is_partitioned(cursor)
                and not partitions.exists(cursor, job.release_id)
                and not partitions.release_has_rows(cursor, job.release_id)
            )
            if fresh and source.has_subgroups:
                # The subgroups must exist before the COPY starts: read the file first.
                rows = fastread.concat(source.chunks())
                ids.resolve_subgroups(rows.subgroups)
                table = partitions.create_detached(cursor, job.release_id)
                _copy_binary(cursor, table, [rows], ids, progress, digest)
                partitions.attach(cursor, job.release_id)
                return WriteResult(len(rows), len(rows), digest.hexdigest())
            if fresh:
                ids.resolve_subgroups([(ALL_TYPE, ALL_SUBGROUP)])
                table = partitions.create_detached(cursor, job.release_id)
                count = _copy_binary(cursor, table, source.chunks(), ids, progress, digest)
                partitions.attach(cursor, job.release_id)
                return WriteResult(count, count, digest.hexdigest())
            if not source.has_subgroups and not _release_has_rows(
                cursor, job.release_id, source.kind
            ):
                ids.resolve_subgroups([(ALL_TYPE, ALL_SUBGROUP)])
                table = Observation._meta.db_table
                count = _copy_binary(cursor, table, source.chunks(), ids, progress, digest)
                return WriteResult(count, count, digest.hexdigest())
            cursor.execute("DROP TABLE IF EXISTS pg_temp.metrics_import_rows")
            cursor.execute(
                "CREATE TEMPORARY TABLE metrics_import_rows (release_id bigint, year smallint,"
                " geography_id bigint, metric_id bigint, subgroup_code bigint,"
                " value double precision, value_a double precision,"
                " value_b double precision, lb double precision, ub double precision,"
                " quality smallint) ON COMMIT DROP"
            )
            # The temporary table takes the file's own subgroup codes; the merge maps them
            # to subgroups, made once the whole file is read (the digest keeps their list).
            count = _copy_binary(
                cursor, "metrics_import_rows", source.chunks(), ids, progress, digest, codes=True
            )
            if digest.hexdigest() == last_rows_digest:
                written = 0  # the release's last import wrote these very rows
            else:
                ids.resolve_subgroups(digest.subgroups)
                written = _postgresql_merge(cursor, job.release_id, ids.subgroup_ids)
    finally:
        progress.close()
    return WriteResult(count, written, digest.hexdigest())


def _copy_binary(
    cursor: Any,
    table: str,
    parts: Iterable[Columnar],
    ids: _Ids,
    progress: _Progress,
    digest: RowsDigest,
    *,
    codes: bool = False,
) -> int:
    """COPY the parts' rows into ``table`` in binary; returns how many rows went.

    ``codes``: the file's subgroup codes go into a ``subgroup_code`` column."""
    columns = COPY_COLUMNS
    if codes:
        columns = columns.replace("subgroup_id", "subgroup_code")
    sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT binary)"
    count = 0
    # A queued writer sends from its own thread, so reading the next chunk goes on meanwhile.
    with cursor.cursor.copy(sql, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
        copy.write(BINARY_HEADER)
        for part in parts:
            fields = ids.columns(part, subgroup_codes=codes)
            for data in binary_copy_rows([(values, null) for _name, values, null in fields]):
                copy.write(data)
            digest.add(part, fields)
            count += len(part)
            progress.reader.rows_read += part.rows_read
            progress.tick()
        copy.write(BINARY_TRAILER)
    return count


class RowsDigest:
    """A digest of the rows an import writes or finds, whichever way they are written.

    One SHA-256 per column, fed chunk by chunk (so chunking does not change it), over the
    database ids of geography and metric, the file's subgroup codes and what they stand
    for, the year, the values (every NaN the same) and the flags. Two imports into a
    release with the same digest have the same rows.
    """

    FIELDS = ("year", "geography_id", "metric_id")

    def __init__(self, kind: str):
        self.kind = kind
        self.hashes = {
            name: hashlib.sha256() for name in (*self.FIELDS, "subgroup", *FLOAT_COLUMNS, "quality")
        }
        self.subgroups: list[tuple[str, str]] = []

    def add(self, part: Columnar, fields: list[tuple[str, np.ndarray, np.ndarray | None]]) -> None:
        by_name = {name: values for name, values, _null in fields}
        for name in self.FIELDS:
            self.hashes[name].update(by_name[name].astype(np.int64).tobytes())
        self.hashes["subgroup"].update(part.subgroup.astype(np.int64).tobytes())
        for name in FLOAT_COLUMNS:
            values = getattr(part, name)
            self.hashes[name].update(np.where(np.isnan(values), np.nan, values).tobytes())
        self.hashes["quality"].update(part.quality.astype(np.int16).tobytes())
        self.subgroups = part.subgroups

    def hexdigest(self) -> str:
        total = hashlib.sha256(f"{self.kind}\0{self.subgroups!r}".encode())
        for name, part in self.hashes.items():
            total.update(name.encode() + part.digest())
        return total.hexdigest()


BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
BINARY_TRAILER = b"\xff\xff"


def binary_copy_rows(
    columns: list[tuple[np.ndarray, np.ndarray | None]], rows_per_chunk: int = 65536
) -> Iterator[bytes]:
    """Rows in PostgreSQL's binary COPY format, built by numpy: (values, NULL mask or None)
    per column (the stream starts with ``BINARY_HEADER`` and ends with ``BINARY_TRAILER``).

    Each row is a field count, then per field its length and big-endian bytes (length -1
    and no bytes for NULL). Rows with the same NULL fields share one layout, so they are
    written as one packed record array; within such a group the rows keep their order.
    """
    count = len(columns[0][0]) if columns else 0
    nullable = [k for k, (_values, null) in enumerate(columns) if null is not None]
    pattern = np.zeros(count, dtype=np.int64)
    for bit, k in enumerate(nullable):
        pattern |= columns[k][1].astype(np.int64) << bit  # type: ignore[union-attr]
    for start in range(0, count, rows_per_chunk):
        block = pattern[start : start + rows_per_chunk]
        for shape in np.unique(block).tolist():
            where = np.flatnonzero(block == shape) + start
            layout: list[tuple[str, str]] = [("n", ">i2")]
            present = []
            for k, (values, _null) in enumerate(columns):
                layout.append((f"l{k}", ">i4"))
                if not (k in nullable and shape >> nullable.index(k) & 1):
                    layout.append((f"d{k}", values.dtype.newbyteorder(">").str))
                    present.append(k)
            records = np.empty(len(where), dtype=np.dtype(layout))
            records["n"] = len(columns)
            for k, (values, _null) in enumerate(columns):
                if k in present:
                    records[f"l{k}"] = values.dtype.itemsize
                    records[f"d{k}"] = values[where]
                else:
                    records[f"l{k}"] = -1
            yield records.tobytes()


def _columnar_generic(job: MetricImport, source: ColumnarFile, ids: _Ids) -> WriteResult:
    """SQLite: the same upsert as the streaming path, chunk by chunk in one transaction."""

    def column(values: np.ndarray, null: np.ndarray) -> list:
        out = values.tolist()
        for index in np.flatnonzero(null).tolist():
            out[index] = None
        return out

    def batches(fields: list[tuple[str, np.ndarray, np.ndarray | None]]) -> Iterator[list[tuple]]:
        for start in range(0, len(fields[0][1]), SQLITE_BATCH):
            piece = slice(start, start + SQLITE_BATCH)
            _release, year, geography, metric, subgroup, *values = (
                column(v[piece], n[piece]) if n is not None else v[piece].tolist()
                for _name, v, n in fields
            )
            yield list(zip(geography, metric, subgroup, year, *values, strict=True))

    read = written = done = 0
    digest = RowsDigest(source.kind)
    with transaction.atomic():
        for part in source.chunks():
            ids.resolve_subgroups(part.subgroups)
            identity = {pk: pk for pk in ids.subgroup_ids.values()}
            fields = ids.columns(part)
            written += _generic_merge(batches(fields), job.release_id, identity)
            digest.add(part, fields)
            read += len(part)
            done += part.rows_read
            job_progress(job, done=done)
    return WriteResult(read, written, digest.hexdigest())


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
            partitions.ensure(cursor, job.release_id)
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
            written = _generic_merge(_spooled_batches(spool), job.release_id, _subgroup_ids(codes))
    return WriteResult(read=read, written=written)


def _spooled_batches(spool: Any) -> Iterator[list[tuple]]:
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 - our own temporary file
        except EOFError:
            return


def _generic_merge(
    batches: Iterable[list[tuple]], release_id: int, subgroup_ids: dict[int, int]
) -> int:
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
        for batch in batches:
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
