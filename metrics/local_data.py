"""Services of a coalition's local supplemental data (planning guide step 5.2).

A data lead uploads a CSV or Excel file of local indicators, says which columns hold the
area (the jurisdiction or a sub-area), year and value (and optionally a subgroup and
bounds), links it to a predictor; the job then validates every row and loads it, all or
nothing. The data stay private to the coalition: every view goes through the access helper.
"""

from __future__ import annotations

import json
import logging
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coalitions.models import EventKind, Membership
from coalitions.permissions import Can, require
from coalitions.services import coalition_event_record
from core.jobs import ACTIVE, job_enqueue_on_commit, job_fail, job_progress, job_retry, job_succeed
from core.models import JobStatus
from core.storage import storage_quota_check
from metrics.models import LocalDataset, LocalValue, Predictor
from metrics.parsing import FORMULA_START, ParseError, looks_like_formula, number_parse
from metrics.services import error_report_csv
from metrics.spreadsheets import Limits, SpreadsheetError, header_read

logger = logging.getLogger(__name__)

ROLES = ("area", "year", "value", "subgroup", "lb", "ub")
REQUIRED_ROLES = ("area", "year", "value")
EXCEL_SUFFIXES = (".xlsx",)
MAX_ERRORS = 100
LOAD_BUSY = _lazy("This file is being loaded; wait for the load to finish.")


def spreadsheet_limits() -> Limits:
    """The limits every person's spreadsheet or CSV file is inspected and read under."""
    return Limits(
        max_bytes=settings.SPREADSHEET_MAX_BYTES,
        max_entries=settings.SPREADSHEET_MAX_ZIP_ENTRIES,
        max_uncompressed=settings.SPREADSHEET_MAX_UNPACKED_BYTES,
        max_ratio=settings.SPREADSHEET_MAX_RATIO,
        max_shared_strings=settings.SPREADSHEET_MAX_SHARED_STRINGS_BYTES,
        max_rows=settings.SPREADSHEET_MAX_ROWS,
        max_columns=settings.SPREADSHEET_MAX_COLUMNS,
    )


def spreadsheet_problem(error: SpreadsheetError) -> str:
    """What a person reads about a refused or unreadable file."""
    limit = error.params.get("limit", 0)
    mb = f"{limit / 1024 / 1024:g}"
    messages = {
        "too_large": _("The file is larger than %(mb)s MB.") % {"mb": mb},
        "not_xlsx": _("This is not an Excel (.xlsx) file: save it as .xlsx or CSV first."),
        "damaged": _("The Excel file cannot be read: it is damaged or not a plain workbook."),
        "no_sheet": _("The Excel file has no worksheet."),
        "too_many_entries": _(
            "The Excel file has more than %(n)d parts; save the data alone in a new workbook."
        )
        % {"n": limit},
        "too_large_unpacked": _(
            "The Excel file unpacks to more than %(mb)s MB; save the data alone as CSV."
        )
        % {"mb": mb},
        "compressed_too_much": _(
            "The Excel file is compressed more than %(n)d times, which no ordinary data file "
            "is; it was refused as unsafe."
        )
        % {"n": limit},
        "too_much_text": _(
            "The Excel file holds more text than %(mb)s MB; save the data alone as CSV."
        )
        % {"mb": mb},
        "too_many_rows": _("The file has more than %(n)d rows; split it into smaller files.")
        % {"n": limit},
        "too_many_columns": _("The file has more than %(n)d columns; keep only the data's.")
        % {"n": limit},
        "cell_too_long": _("A cell of the file holds more than %(n)d characters.") % {"n": limit},
        "memory": _(
            "Reading the file needed more memory than allowed (%(mb)s MB); "
            "split it into smaller files."
        )
        % {"mb": settings.SPREADSHEET_PARSE_MEMORY_MB},
        "time": _(
            "Reading the file took longer than allowed (%(s)d seconds); "
            "split it into smaller files."
        )
        % {"s": settings.SPREADSHEET_PARSE_SECONDS},
    }
    return messages.get(error.code, messages["damaged"])


def local_data_columns(upload: IO[bytes], *, excel: bool) -> list[str]:
    """The column names of an uploaded file: only its first row is read, under the limits."""
    try:
        names = header_read(upload, excel=excel, limits=spreadsheet_limits())
    except SpreadsheetError as exc:
        raise ValidationError(spreadsheet_problem(exc)) from None
    names = [name for name in names if name]
    if not names:
        raise ValidationError(_("The file has no header row with column names."))
    if len(set(names)) != len(names):
        raise ValidationError(_("Two columns of the file have the same name."))
    return names


def _check_dataset(actor: Membership, dataset: LocalDataset) -> None:
    require(actor, Can.MANAGE_DATA)
    if dataset.coalition_id != actor.coalition_id:
        raise ValidationError(_("That dataset is not part of this coalition."))


def _quoted(name: str) -> str:
    return f"“{name}”"


def local_dataset_upload(
    *,
    actor: Membership,
    upload: UploadedFile,
    name: str,
    predictor: Predictor,
    unit: str = "",
    description: str = "",
) -> LocalDataset:
    """Store the file for the actor's coalition and read its column names; nothing runs yet."""
    require(actor, Can.MANAGE_DATA)
    original = Path(upload.name or "data.csv").name[:255]
    excel = original.lower().endswith(EXCEL_SUFFIXES)
    try:
        storage_quota_check(coalition_id=actor.coalition_id, adding=upload.size or 0)
        columns = local_data_columns(upload, excel=excel)
    except ValidationError as exc:  # a problem of the file, wherever it is shown
        raise ValidationError({"file": exc.messages}) from None
    with transaction.atomic():
        dataset = LocalDataset(
            coalition=actor.coalition,
            predictor=predictor,
            name=name.strip(),
            unit=unit.strip(),
            description=description.strip(),
            original_name=original,
            columns=columns,
            started_by=actor.user,
        )
        dataset.file.save(original, upload, save=False)
        dataset.save()
    return dataset


def local_dataset_map(
    *, actor: Membership, dataset: LocalDataset, mapping: dict[str, str]
) -> LocalDataset:
    """Save which column holds what and (re)start the load; the audit log names who did."""
    from metrics.tasks import local_dataset_import_run_task

    _check_dataset(actor, dataset)
    clean = {role: (mapping.get(role) or "").strip() for role in ROLES}
    errors = {}
    for role in REQUIRED_ROLES:
        if not clean[role]:
            errors[role] = _("Choose the column that holds this.")
    for role, column in clean.items():
        if column and column not in dataset.columns:
            errors[role] = _("The file has no column %(name)s.") % {"name": column}
    chosen = [column for column in clean.values() if column]
    if len(chosen) != len(set(chosen)):
        errors["__all__"] = _("Each column can be used once.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One load of a dataset at a time: a load that waits or runs is not restarted.
        idle = LocalDataset.objects.filter(pk=dataset.pk).exclude(mapped=True, status__in=ACTIVE)
        if not idle.update(
            mapping=clean,
            mapped=True,
            status=JobStatus.PENDING,
            progress_done=0,
            message="",
            error_report="",
            error_count=0,
            started_by=actor.user,
        ):
            raise ValidationError(LOAD_BUSY)
        dataset.refresh_from_db()
        coalition_event_record(
            dataset.coalition, EventKind.DATA_IMPORTED, actor.user, label=_quoted(dataset.name)
        )
        job_enqueue_on_commit(dataset, local_dataset_import_run_task)
    return dataset


@transaction.atomic
def local_dataset_retry(*, actor: Membership, dataset: LocalDataset) -> LocalDataset:
    """Load a dataset whose load failed again, with the columns chosen before."""
    _check_dataset(actor, dataset)
    if not dataset.mapped:
        raise ValidationError(_("Choose the columns first."))
    dataset = job_retry(dataset, busy_message=LOAD_BUSY)
    coalition_event_record(
        dataset.coalition, EventKind.DATA_IMPORTED, actor.user, label=_quoted(dataset.name)
    )
    return dataset


@transaction.atomic
def local_dataset_delete(*, actor: Membership, dataset: LocalDataset) -> None:
    _check_dataset(actor, dataset)
    coalition_event_record(
        dataset.coalition, EventKind.DATA_DELETED, actor.user, label=_quoted(dataset.name)
    )
    dataset.file.delete(save=False)
    dataset.delete()


def _rows(dataset: LocalDataset) -> list[dict[str, str]]:
    """Every data row, read in a child process with a memory and a time limit.

    The worker itself never parses the file: a file that slips past the inspection can
    only end the child, and the job fails with a message."""
    used = {role: column for role, column in dataset.mapping.items() if column}
    request = {
        "path": dataset.file.path,
        "excel": dataset.original_name.lower().endswith(EXCEL_SUFFIXES),
        "limits": spreadsheet_limits().as_dict(),
        "columns": list(used.values()),
    }
    answer = _child_read(request)
    if not answer.get("ok"):
        raise SpreadsheetError(answer.get("code", "damaged"), **answer.get("params", {}))
    roles = list(used)
    return [
        {role: str(cell).strip() for role, cell in zip(roles, row, strict=False)}
        for row in answer["rows"]
    ]


def _child_limits() -> None:
    memory = settings.SPREADSHEET_PARSE_MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    seconds = settings.SPREADSHEET_PARSE_SECONDS
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))


def _child_read(request: dict) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "metrics.spreadsheet_child"],
            input=json.dumps(request).encode(),
            capture_output=True,
            cwd=settings.BASE_DIR,
            timeout=settings.SPREADSHEET_PARSE_SECONDS,
            preexec_fn=_child_limits,  # noqa: PLW1509 - only resource limits, no locks taken
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "code": "time"}
    if done.returncode == -signal.SIGXCPU or done.returncode == -signal.SIGKILL:
        return {"ok": False, "code": "time"}
    try:
        return json.loads(done.stdout)
    except ValueError:
        # The child died without an answer: out of memory is the likely cause.
        logger.warning("Spreadsheet child ended %s: %s", done.returncode, done.stderr[-2000:])
        return {"ok": False, "code": "memory" if b"MemoryError" in done.stderr else "damaged"}


class _Checker:
    def __init__(self, dataset: LocalDataset):
        self.mapping = dataset.mapping
        self.errors: list[ParseError] = []
        self.count = 0

    def error(self, row: int, role: str, message: str) -> None:
        self.count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(ParseError(row, self.mapping.get(role, role), message))

    def text(self, row: int, record: dict[str, str], role: str, limit: int) -> str | None:
        text = record.get(role, "")
        if looks_like_formula(text, thousands=True):
            self.error(row, role, _("The cell holds a spreadsheet formula, not data."))
            return None
        if len(text) > limit:
            self.error(row, role, _("The text is longer than %(n)d characters.") % {"n": limit})
            return None
        return text

    def number(self, row: int, record: dict[str, str], role: str, required: bool) -> float | None:
        text = record.get(role, "")
        if not text and not required:
            return None
        try:
            return number_parse(text, thousands=True)
        except ValueError:
            if text.startswith(FORMULA_START):
                self.error(row, role, _("The cell holds a spreadsheet formula, not data."))
            else:
                self.error(row, role, _("%(text)r is not a number.") % {"text": text[:40]})
            return None


def _validate(dataset: LocalDataset, records: list[dict[str, str]]) -> tuple[list, _Checker]:
    check = _Checker(dataset)
    values = []
    seen: dict[tuple[str, int, str], int] = {}
    for index, record in enumerate(records):
        row = index + 2  # the header is row 1, as in a spreadsheet
        area = check.text(row, record, "area", 120)
        if area == "":
            check.error(row, "area", _("The area is empty."))
        subgroup = check.text(row, record, "subgroup", 80)
        year_value = check.number(row, record, "year", True)
        if year_value is not None and not (year_value.is_integer() and 1900 <= year_value <= 2100):
            check.error(row, "year", _("%(text)r is not a year.") % {"text": record["year"]})
            year_value = None
        value = check.number(row, record, "value", True)
        lower = check.number(row, record, "lb", False)
        upper = check.number(row, record, "ub", False)
        if not area or subgroup is None or year_value is None or value is None:
            continue
        key = (area, int(year_value), subgroup)
        if key in seen:
            check.error(
                row, "area", _("Same area, year and subgroup as row %(row)d.") % {"row": seen[key]}
            )
            continue
        seen[key] = row
        values.append(
            LocalValue(
                dataset=dataset,
                area=area,
                year=int(year_value),
                subgroup=subgroup,
                value=value,
                lb=lower,
                ub=upper,
            )
        )
    if not records:
        check.error(2, "", _("The file has a header but no data rows."))
    return values, check


def local_dataset_import_run(*, dataset: LocalDataset) -> LocalDataset:
    """Validate every row and replace the dataset's values, all or nothing."""
    try:
        return _import(dataset)
    except SoftTimeLimitExceeded:  # the task's own time limit (metrics.tasks)
        job_fail(dataset, spreadsheet_problem(SpreadsheetError("time")))
        return dataset


def _import(dataset: LocalDataset) -> LocalDataset:
    try:
        records = _rows(dataset)
    except SpreadsheetError as exc:
        error = ParseError(1, "", spreadsheet_problem(exc))
        job_fail(dataset, str(error), error_report_csv([error]))
        return dataset
    job_progress(dataset, done=0, total=len(records))
    values, check = _validate(dataset, records)
    if check.count:
        LocalDataset.objects.filter(pk=dataset.pk).update(error_count=check.count)
        first = check.errors[0]
        message = _("Nothing was loaded: %(error)s") % {"error": str(first)}
        if check.count > 1:
            message += " " + _("(%(count)d problems in all.)") % {"count": check.count}
        job_fail(dataset, message, error_report_csv(check.errors, check.count - len(check.errors)))
        return dataset
    with transaction.atomic():
        dataset.values.all().delete()
        LocalValue.objects.bulk_create(values, batch_size=1000)
        LocalDataset.objects.filter(pk=dataset.pk).update(values_loaded=len(values))
    job_progress(dataset, done=len(records))
    job_succeed(dataset, _("%(count)d values loaded.") % {"count": len(values)})
    return dataset
