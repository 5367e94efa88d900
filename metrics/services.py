"""Writes of the metrics app: the catalog, releases and metric imports."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.jobs import job_enqueue_on_commit, job_fail, job_progress, job_succeed
from core.models import JobStatus
from metrics import importing
from metrics.catalog import catalog_load
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
from metrics.parsing import FileError, MetricFileReader, ParseError, count_data_rows

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "releases"
SHIPPED_RELEASE = "2025"
SHIPPED_FILES = (
    "11_mobility-metrics_county_longitudinal.csv.gz",
    "61_mobility-metrics_place_longitudinal.csv.gz",
    "62_mobility-metrics_place_race-ethnicity_longitudinal.csv.gz",
    "63_mobility-metrics_place_race-share_longitudinal.csv.gz",
    "county_medians_year_suppressed.csv.gz",
)
ERROR_REPORT_COLUMNS = ("row", "column", "message")


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


@transaction.atomic
def release_activate(*, actor: User | None, release: Release) -> Release:
    Release.objects.filter(is_active=True).exclude(pk=release.pk).update(is_active=False)
    Release.objects.filter(pk=release.pk).update(is_active=True)
    release.is_active = True
    logger.info("Release %s activated by %s", release, actor)
    return release


@transaction.atomic
def release_delete(*, actor: User | None, release: Release) -> None:
    # Observations carry no database foreign key (see the model), so they go first.
    Observation.objects.filter(release=release).delete()
    release.delete()
    logger.info("Release %s deleted by %s", release, actor)


def metric_import_start(
    *,
    actor: User | None,
    upload: UploadedFile | File,
    release_name: str,
    year: int | None = None,
    shipped: bool = False,
    enqueue: bool = True,
) -> MetricImport:
    """Store the upload under a generated name, create the job row, enqueue it on commit.

    ``enqueue=False`` is for the management command, which runs the job in its own process.
    """
    from metrics.tasks import metric_import_run_task

    original_name = Path(upload.name or "upload.csv").name[:255]
    with transaction.atomic():
        release = release_get_or_create(name=release_name)
        job = MetricImport(
            started_by=actor,
            original_name=original_name,
            release=release,
            year=year,
            shipped=shipped,
        )
        job.file.save(original_name, upload, save=False)
        job.save()
        if enqueue:
            job_enqueue_on_commit(job, metric_import_run_task)
    return job


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
    _digest_refresh(job)
    job_succeed(job, summary)
    return job


def _digest_refresh(job: MetricImport) -> None:
    """City medians and peer features follow the overall values they are derived from."""
    from metrics.profiles.digest import release_digest_build

    if job.geography_kind not in ("county", "city") or job.breakdown not in ("", "all"):
        return
    try:
        release_digest_build(release=job.release, kind=job.geography_kind)
    except Exception:  # the import itself succeeded; pages fall back to no medians/peers
        logger.exception("Could not rebuild the %s digest of %s", job.geography_kind, job.release)


def _run(job: MetricImport) -> str:
    max_bytes = settings.METRICS_IMPORT_MAX_BYTES
    with job.file.open("rb") as handle:
        total = count_data_rows(handle, limit=max_bytes)
        job_progress(job, done=0, total=total)
        reader = MetricFileReader(
            handle,
            catalog=catalog_load(),
            filename=job.original_name,
            year=job.year,
            known_fips=set(Geography.objects.values_list("fips", flat=True)),
            max_bytes=max_bytes,
            keep_text=importing.wants_text(),
        )
        job.geography_kind, job.unknown_columns = reader.kind, reader.layout.unknown_columns
        result = importing.observations_write(job=job, reader=reader)
    job.breakdown, job.warnings = reader.breakdown, reader.warnings
    job.observations_read, job.observations_written = result.read, result.written
    MetricImport.objects.filter(pk=job.pk).update(
        geography_kind=job.geography_kind,
        breakdown=job.breakdown,
        unknown_columns=job.unknown_columns,
        warnings=job.warnings,
        observations_read=result.read,
        observations_written=result.written,
        progress_done=reader.rows_read,
        progress_total=reader.rows_read,
    )
    text = _("%(read)d values read from %(rows)d rows; %(written)d added or changed.") % {
        "read": result.read,
        "rows": reader.rows_read,
        "written": result.written,
    }
    if job.unknown_columns:
        text += " " + _("Columns skipped as unknown: %(columns)s.") % {
            "columns": ", ".join(job.unknown_columns)
        }
    return text


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
    for name in SHIPPED_FILES:
        if name in done:
            continue
        with open(SHIPPED_DIR / SHIPPED_RELEASE / name, "rb") as handle:
            metric_import_start(
                actor=None,
                upload=File(handle, name=name),
                release_name=SHIPPED_RELEASE,
                shipped=True,
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
