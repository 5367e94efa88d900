"""Writes of the metrics app: the catalog, releases and metric imports."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import User
from core.jobs import (
    ACTIVE,
    job_enqueue_on_commit,
    job_fail,
    job_progress,
    job_retry,
    job_save_once,
    job_succeed,
)
from core.models import JobStatus
from metrics import fastread, importing, partitions
from metrics.catalog import CATALOG_PATH, catalog_load
from metrics.loaders import catalog_store
from metrics.models import (
    Geography,
    Metric,
    MetricImport,
    Observation,
    Pillar,
    Predictor,
    Release,
)
from metrics.parsing import ALL_TYPE, FileError, MetricFileReader, ParseError, count_data_rows
from metrics.specification import specification_load

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "releases"
SHIPPED_RELEASE = "2025"
# Overall files first: a subgroup file is imported only into a release that holds the
# overall file of its level (see ``_check_overall_first``).
SHIPPED_FILES = (
    "11_mobility-metrics_county_longitudinal.csv.gz",
    "61_mobility-metrics_place_longitudinal.csv.gz",
    "county_medians_year_suppressed.csv.gz",
    "12_mobility-metrics_county_race-ethnicity_longitudinal.partial.csv.gz",
    "13_mobility-metrics_county_race-share_longitudinal.csv.gz",
    "62_mobility-metrics_place_race-ethnicity_longitudinal.csv.gz",
    "63_mobility-metrics_place_race-share_longitudinal.csv.gz",
)
# The shipped subgroup files, by the overall import they wait for on first start (the
# worker may run several jobs at once).
SHIPPED_AFTER = {
    "county": (
        "12_mobility-metrics_county_race-ethnicity_longitudinal.partial.csv.gz",
        "13_mobility-metrics_county_race-share_longitudinal.csv.gz",
    ),
    "city": (
        "62_mobility-metrics_place_race-ethnicity_longitudinal.csv.gz",
        "63_mobility-metrics_place_race-share_longitudinal.csv.gz",
    ),
}
# A file's name says its level the way Urban names them ("..._county_...", "..._place_...").
LEVEL_NAME_WORDS = {"county": ("county",), "city": ("place", "city")}
ERROR_REPORT_COLUMNS = ("row", "column", "message")
# Files up to this size (uncompressed) are read in one go; the arrays take about ten times
# the file's size in memory, so larger ones are streamed.
FAST_READ_MAX_BYTES = 48 * 1024 * 1024
# Part of every import's fingerprint: change it when the readers change what they write.
READER_VERSION = "2026-11-24"


def catalog_sync() -> int:
    """Load metrics/data/catalog.yaml into the database (idempotent); return the metric count."""
    with transaction.atomic():
        return catalog_store(pillar_model=Pillar, predictor_model=Predictor, metric_model=Metric)


def release_get_or_create(*, name: str) -> Release:
    """The release called ``name``; the first release ever made becomes the active one."""
    with transaction.atomic():
        release, created = Release.objects.get_or_create(name=name.strip())
        if created and not Release.objects.filter(is_active=True).exists():
            Release.objects.filter(pk=release.pk).update(is_active=True)
            release.is_active = True
    return release


def _require_staff(actor: User | None) -> None:
    """Staff change the site's metric data; ``None`` is the system (a command, the first start)."""
    if actor is not None and not actor.is_staff:
        raise PermissionDenied


@transaction.atomic
def release_activate(*, actor: User | None, release: Release) -> Release:
    """Make ``release`` the one pages show; the row records who did it and when."""
    _require_staff(actor)
    Release.objects.filter(is_active=True).exclude(pk=release.pk).update(is_active=False)
    release.is_active, release.activated_by, release.activated_at = True, actor, timezone.now()
    release.save(update_fields=["is_active", "activated_by", "activated_at"])
    logger.info("Release %s activated by %s", release, actor)
    # What other apps start when a release becomes the one shown (the plans app updates the
    # measures linked to metrics): named in settings, so metrics never imports plans.
    for hook in settings.RELEASE_ACTIVATED_HOOKS:
        import_string(hook)(actor=actor, release=release)
    return release


@transaction.atomic
def release_delete(*, actor: User | None, release: Release) -> None:
    """Drop a release and every observation of it (a site-wide change: logged with who)."""
    _require_staff(actor)
    # Observations carry no database foreign key (see the model), so they go first. On
    # PostgreSQL the release's own table is dropped; rows elsewhere are deleted.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            partitions.drop(cursor, release.pk)
    Observation.objects.filter(release=release).delete()
    release.delete()
    logger.info("Release %s deleted by %s", release, actor)


def metric_import_start(
    *,
    actor: User | None,
    upload: UploadedFile | File,
    release_name: str,
    year: int | None = None,
    level: str = "",
    shipped: bool = False,
    enqueue: bool = True,
) -> MetricImport:
    """Store the upload under a generated name, create the job row, enqueue it on commit.

    ``level`` ("county", "city" or "" for what the file says): a file of the other level is
    refused. ``enqueue=False`` is for the management command, which runs the job in its
    own process, and for shipped files that wait for another import.
    """
    from metrics.tasks import metric_import_run_task

    _require_staff(actor)
    original_name = Path(upload.name or "upload.csv").name[:255]
    with transaction.atomic():
        release = release_get_or_create(name=release_name)
        busy = _import_busy_message(original_name, release)
        if MetricImport.objects.filter(
            release=release, original_name=original_name, status__in=ACTIVE
        ).exists():
            raise ValidationError({"file": busy})
        job = MetricImport(
            started_by=actor,
            original_name=original_name,
            release=release,
            year=year,
            level=level,
            shipped=shipped,
        )
        job.file.save(original_name, upload, save=False)
        try:
            job_save_once(job, busy_message=busy)
        except ValidationError:
            job.file.delete(save=False)  # the one that is running keeps its own copy
            raise ValidationError({"file": busy}) from None
        if enqueue:
            job_enqueue_on_commit(job, metric_import_run_task)
    return job


def _import_busy_message(name: str, release: Release) -> str:
    return _(
        "A file named %(name)s is already being imported into release %(release)s; "
        "wait for it to finish."
    ) % {"name": name, "release": release.name}


def metric_import_retry(*, actor: User | None, job: MetricImport) -> MetricImport:
    """Queue a failed import again, reading its stored file from the start (staff only)."""
    _require_staff(actor)
    with transaction.atomic():
        return job_retry(job, busy_message=_import_busy_message(job.original_name, job.release))


def error_report_csv(errors: list[ParseError], more: int = 0) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ERROR_REPORT_COLUMNS)
    for error in errors:
        writer.writerow([error.row, _csv_safe(error.column), _csv_safe(error.message)])
    if more:
        writer.writerow(["", "", _("… and %(count)d more errors not listed.") % {"count": more}])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    # The report is opened in spreadsheets: never let a cell start a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _failure_message(errors: list[ParseError], total: int) -> str:
    first = errors[0]
    where = _("row %(row)d") % {"row": first.row}
    if first.column:
        where += ", " + _("column %(column)s") % {"column": first.column}
    text = _("Nothing was imported: %(where)s: %(message)s") % {
        "where": where,
        "message": first.message,
    }
    if total > 1:
        text += " " + _("(%(count)d problems in all, see the error report.)") % {"count": total}
    return text


def metric_import_run(*, job: MetricImport) -> MetricImport:
    """Read the job's file and write its observations into its release, all or nothing.

    A bad file is an expected failure: the job ends failed with a message naming the first
    row and column and a CSV error report, and the database is left as it was.
    """
    try:
        summary = _run(job)
    except FileError as exc:
        job.error_count = 1
        MetricImport.objects.filter(pk=job.pk).update(error_count=1)
        job_fail(job, _failure_message([exc.error], 1), error_report_csv([exc.error]))
        return job
    except importing.ImportFailed as exc:
        job.error_count = exc.error_count
        MetricImport.objects.filter(pk=job.pk).update(
            error_count=exc.error_count,
            unknown_columns=job.unknown_columns,
            geography_kind=job.geography_kind,
            breakdown=job.breakdown,
        )
        more = exc.error_count - len(exc.errors)
        job_fail(
            job,
            _failure_message(exc.errors, exc.error_count),
            error_report_csv(exc.errors, more),
        )
        return job
    job_succeed(job, summary)
    _digest_queue(job)
    _shipped_waiting_queue(job)
    return job


def _digest_queue(job: MetricImport) -> None:
    """City medians and peer features follow the overall values they are derived from.

    They are rebuilt by a job of their own, queued once the import is committed: a derived
    summary that failed to build must not undo an import, and the import's own job ends as
    soon as its rows are in. Until the digest is rebuilt, pages show the previous one (or
    no medians and peers, which they explain).
    """
    from metrics.tasks import release_digest_task

    if job.geography_kind not in ("county", "city") or job.breakdown not in ("", "all"):
        return
    if job.unchanged_since_id is not None:
        return  # nothing was written
    release_id, kind = job.release_id, job.geography_kind

    def send() -> None:
        try:
            release_digest_task.delay(release_id, kind)
        except (KombuOperationalError, OSError):
            logger.exception("Could not queue the %s digest of release %s", kind, release_id)

    transaction.on_commit(send)


def release_digest_refresh(*, release_id: int, kind: str) -> None:
    from metrics.profiles.digest import release_digest_build

    release = Release.objects.filter(pk=release_id).first()
    if release is None:
        return  # deleted since the import
    try:
        release_digest_build(release=release, kind=kind)
    except Exception:  # pages fall back to no medians/peers
        logger.exception("Could not rebuild the %s digest of %s", kind, release)


def _run(job: MetricImport) -> str:
    max_bytes = settings.METRICS_IMPORT_MAX_BYTES
    with job.file.open("rb") as handle:
        job.fingerprint = import_fingerprint(job, handle)
        MetricImport.objects.filter(pk=job.pk).update(fingerprint=job.fingerprint)
        same = _same_file_still_stored(job)
        if same is not None:
            return _run_unchanged(job, same)
        handle.seek(0)
        reader, result = _run_fast(job, handle, max_bytes)
        if result is None:  # not a clean file: the streaming reader reads and reports it
            handle.seek(0)
            total = count_data_rows(handle, limit=max_bytes)
            job_progress(job, done=0, total=total)
            reader = _reader(
                job,
                handle,
                known_fips=set(Geography.objects.values_list("fips", flat=True)),
                max_bytes=max_bytes,
                keep_text=importing.wants_text(),
            )
            job.geography_kind, job.unknown_columns = reader.kind, reader.layout.unknown_columns
            result = importing.observations_write(job=job, reader=reader)
    job.breakdown, job.warnings = reader.breakdown, reader.warnings
    job.variables = [columns.spec.variable for columns in reader.layout.metrics]
    job.observations_read, job.observations_written = result.read, result.written
    job.rows_digest = result.rows_digest
    _save_outcome(job, rows=reader.rows_read)
    return _summary(job, reader.rows_read)


def _save_outcome(job: MetricImport, *, rows: int) -> None:
    MetricImport.objects.filter(pk=job.pk).update(
        unchanged_since=job.unchanged_since,
        rows_digest=job.rows_digest,
        geography_kind=job.geography_kind,
        breakdown=job.breakdown,
        unknown_columns=job.unknown_columns,
        variables=job.variables,
        warnings=job.warnings,
        observations_read=job.observations_read,
        observations_written=job.observations_written,
        progress_done=rows,
        progress_total=rows,
    )


def _summary(job: MetricImport, rows: int) -> str:
    text = _("%(read)d values read from %(rows)d rows; %(written)d added or changed.") % {
        "read": job.observations_read,
        "rows": rows,
        "written": job.observations_written,
    }
    if job.unknown_columns:
        text += " " + _("Columns skipped as unknown: %(columns)s.") % {
            "columns": ", ".join(job.unknown_columns)
        }
    return text


@cache
def _catalog_digest() -> bytes:
    return hashlib.sha256(CATALOG_PATH.read_bytes()).digest()


def import_fingerprint(job: MetricImport, handle: IO[bytes]) -> str:
    """A digest of everything that decides what an import writes.

    The file's bytes, and what else the reader uses: the catalog (metric names and
    aliases, ranges), the year given for files without one, the file's name (it names the
    breakdown of a subgroup file that does not say it) and the reader's version.
    """
    digest = hashlib.sha256()
    digest.update(f"{READER_VERSION}\0{job.year or ''}\0{job.original_name}\0".encode())
    digest.update(_catalog_digest())
    handle.seek(0)
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def _imports_done(job: MetricImport) -> QuerySet[MetricImport]:
    return MetricImport.objects.filter(
        release_id=job.release_id, status=JobStatus.SUCCEEDED
    ).exclude(pk=job.pk)


def _same_file_still_stored(job: MetricImport) -> MetricImport | None:
    """The release's last successful import of the very same file (same fingerprint), if
    what it wrote is still there.

    Observations only change through imports (a failed import changes nothing), and an
    import writes only geographies of its own kind (a county file, county rows; a city
    file, city rows; a medians file, no observations). So the rows that import wrote are
    still stored unless another file of the same kind was imported into the release since.
    """
    done = _imports_done(job)
    same = done.filter(fingerprint=job.fingerprint).order_by("-finished_at", "-pk").first()
    if same is None or not job.fingerprint:
        return None
    since = done.filter(
        finished_at__gt=same.finished_at, geography_kind=same.geography_kind
    ).exclude(fingerprint=job.fingerprint)
    return None if since.exists() else same


def _last_rows_digest(job: MetricImport, kind: str) -> str:
    """The rows digest of the release's last successful import of this kind of geography:
    the same rows are then already stored (see ``_same_file_still_stored``)."""
    last = _imports_done(job).filter(geography_kind=kind).order_by("-finished_at", "-pk").first()
    return last.rows_digest if last is not None else ""


def _run_unchanged(job: MetricImport, same: MetricImport) -> str:
    job.unchanged_since = same.unchanged_since or same
    job.geography_kind, job.breakdown = same.geography_kind, same.breakdown
    job.unknown_columns, job.warnings = same.unknown_columns, same.warnings
    job.variables = same.variables
    job.observations_read, job.observations_written = same.observations_read, 0
    job.rows_digest = same.rows_digest
    _save_outcome(job, rows=same.progress_total)
    return _(
        "Nothing to change: this file was imported into this release before (%(name)s,"
        " %(when)s) and no other file of its kind since; its %(read)d values are already"
        " there."
    ) % {
        "name": job.unchanged_since.original_name,
        "when": date_format(timezone.localtime(job.unchanged_since.finished_at), "DATETIME_FORMAT"),
        "read": job.observations_read,
    }


def stated_level(job: MetricImport) -> str:
    """The level the import is for: as chosen, else as the file's name says, else ""."""
    if job.level:
        return job.level
    name = job.original_name.lower().replace("-", "_")
    found = {
        level
        for level, words in LEVEL_NAME_WORDS.items()
        if any(f"_{word}_" in f"_{name}_".replace(".", "_") for word in words)
    }
    return found.pop() if len(found) == 1 else ""


def _reader(job: MetricImport, handle: IO[bytes], **options: Any) -> MetricFileReader:
    """A reader of the job's file that refuses subgroups the specification does not list
    and a level other than the one the import is for."""
    return MetricFileReader(
        handle,
        catalog=catalog_load(),
        filename=job.original_name,
        year=job.year,
        specification=specification_load(),
        level=stated_level(job),
        **options,
    )


def _check_overall_first(job: MetricImport, reader: MetricFileReader) -> None:
    """A subgroup file goes into a release that holds the overall file of its level.

    Subgroup values are read against the overall ones (profiles, gaps), and the overall
    file is what says a release covers a level at all.
    """
    if reader.kind not in ("county", "city") or not reader.layout.has_subgroups:
        return
    if reader.prepare() == ALL_TYPE:
        return  # the 2025 city overall file has subgroup columns, left blank
    if _imports_done(job).filter(geography_kind=reader.kind, breakdown__in=("", ALL_TYPE)).exists():
        return
    level = {"county": _("county"), "city": _("city")}[reader.kind]
    raise FileError(
        ParseError(
            1,
            "subgroup",
            _(
                "This file holds %(level)s subgroups, but release %(release)s has no overall"
                " %(level)s file yet: import the overall %(level)s file first (for 2025,"
                " %(example)s), then this one."
            )
            % {
                "level": level,
                "release": job.release.name,
                "example": {
                    "county": "11_mobility-metrics_county_longitudinal.csv",
                    "city": "61_mobility-metrics_place_longitudinal.csv",
                }[reader.kind],
            },
        )
    )


def _run_fast(
    job: MetricImport, handle: IO[bytes], max_bytes: int
) -> tuple[MetricFileReader, importing.WriteResult | None]:
    """Read a clean county or city file in one go (``metrics.fastread``) and write it.

    Gives no result when the file needs the streaming reader: a national file, anything
    ``fastread`` cannot vouch for, or a file too large to hold in memory at once.
    """
    reader = _reader(job, handle, max_bytes=min(max_bytes, FAST_READ_MAX_BYTES))
    _check_overall_first(job, reader)
    if reader.kind not in ("county", "city") or job.file.size > FAST_READ_MAX_BYTES:
        return reader, None
    handle.seek(0)
    data = handle.read()
    geography_ids = dict(
        Geography.objects.filter(kind=reader.kind).values_list("fips", "id").iterator()
    )
    source = fastread.open_columnar(data, reader, known_fips=geography_ids)
    del data
    if source is None:
        return reader, None
    job.geography_kind, job.unknown_columns = reader.kind, reader.layout.unknown_columns
    job_progress(job, done=0, total=source.rows_read)
    try:
        result = importing.columnar_write(
            job=job,
            source=source,
            geography_ids=geography_ids,
            last_rows_digest=_last_rows_digest(job, reader.kind),
        )
    except fastread.NotClean:
        return reader, None  # rolled back; the streaming reader finds and reports the problem
    reader.breakdown, reader.rows_read = source.breakdown, source.rows_read
    return reader, result


def _shipped_overall_done(level: str) -> bool:
    return MetricImport.objects.filter(
        shipped=True,
        release__name=SHIPPED_RELEASE,
        status=JobStatus.SUCCEEDED,
        geography_kind=level,
        breakdown__in=("", ALL_TYPE),
    ).exists()


def _shipped_waiting_queue(job: MetricImport) -> None:
    """Once a shipped overall file is in, queue the shipped subgroup files that wait for it."""
    from metrics.tasks import metric_import_run_task

    if not job.shipped or job.breakdown not in ("", ALL_TYPE):
        return
    waiting = MetricImport.objects.filter(
        shipped=True,
        release_id=job.release_id,
        status=JobStatus.PENDING,
        task_id="",
        original_name__in=SHIPPED_AFTER.get(job.geography_kind, ()),
    ).order_by("pk")
    for other in waiting:
        job_enqueue_on_commit(other, metric_import_run_task)


def metric_imports_shipped_start() -> str:
    """First-start hook of `make run`: queue the shipped 2025 files once, in the background.

    Idempotent: a shipped file that was already queued, is running or was imported is not
    queued again (a failed one is, so a restart retries it).
    """
    try:
        if Metric.objects.count() == 0:
            catalog_sync()
        done = set(
            MetricImport.objects.filter(shipped=True)
            .exclude(status=JobStatus.FAILED)
            .values_list("original_name", flat=True)
        )
    except DatabaseError:
        logger.exception("Could not check the shipped metric imports")
        return ""
    queued = []
    waiting = {name: level for level, names in SHIPPED_AFTER.items() for name in names}
    for name in SHIPPED_FILES:
        if name in done:
            continue
        level = waiting.get(name)
        with open(SHIPPED_DIR / SHIPPED_RELEASE / name, "rb") as handle:
            metric_import_start(
                actor=None,
                upload=File(handle, name=name),
                release_name=SHIPPED_RELEASE,
                shipped=True,
                # A subgroup file waits for its overall file, unless that is in already.
                enqueue=level is None or _shipped_overall_done(level),
            )
        queued.append(name)
    if not queued:
        return ""
    return _(
        "Importing the shipped Mobility Metrics %(release)s in the background (%(n)d files)."
    ) % {
        "release": SHIPPED_RELEASE,
        "n": len(queued),
    }
