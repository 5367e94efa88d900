"""Writes of values over time: entry by hand (many rows at once, pasted blocks), values from a
local dataset, deletion. The release update lives in plans.tracking.releases.

Every row is checked whole before anything is saved; a block of rows saves its good rows and
reports each bad one with its reasons (``ValuesResult``), so a row is never half-saved and a
bad row never loses the good ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalitions.models import EventKind, Membership
from coalitions.permissions import Can, require
from coalitions.services import coalition_event_record
from metrics.charts.formatting import display_unit, value_parse
from metrics.models import LocalDataset, LocalValue
from metrics.profiles.selectors import is_whole_area
from plans.map.blocks import date_words
from plans.map.models import HeadlineGoal, Measure
from plans.tracking.models import ReleaseChange, SubgroupTarget, TrackedValue, ValueSource
from plans.tracking.periods import number_from_text, period_parse

Owner = Measure | HeadlineGoal
COLUMNS = ("period", "value", "subgroup", "lower", "upper", "source", "note")
MAX_ROWS = 2000
# Values may reach back this far before the baseline (the history that set it).
YEARS_BEFORE_BASELINE = 30
EARLIEST = dt.date(1970, 1, 1)
WHOLE_NAMES = frozenset({"", "all", "everyone", "total", "todos", "todas"})


@dataclass
class RowProblem:
    row: int  # 1-based, as the person counts the rows they pasted or sent
    errors: dict[str, list[str]]
    data: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(self.text_list)

    @property
    def text_list(self) -> list[str]:
        return [m for messages in self.errors.values() for m in messages]


@dataclass
class ValuesResult:
    saved: list[TrackedValue]
    problems: list[RowProblem]


def owner_unit(owner: Owner) -> str:
    return display_unit(owner.unit)


def owner_subgroups(owner: Owner) -> list[str]:
    """The subgroups a value may be given for, besides everyone."""
    if isinstance(owner, HeadlineGoal):
        return [owner.subgroup] if owner.subgroup else []
    names = [str(s) for s in owner.subgroups or []]
    if owner.gap_subgroup and owner.gap_subgroup not in names:
        names.append(owner.gap_subgroup)
    return names


def date_range(owner: Owner, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day a value of the owner may be for: from some years before the
    baseline (1970 without one) to the end of this year (a period still running)."""
    start = EARLIEST
    if owner.baseline_date:
        start = max(EARLIEST, owner.baseline_date.replace(month=1, day=1))
        start = start.replace(year=start.year - YEARS_BEFORE_BASELINE)
    return start, dt.date(today.year, 12, 31)


def _owner_kwargs(owner: Owner) -> dict[str, Owner]:
    return {"goal": owner} if isinstance(owner, HeadlineGoal) else {"measure": owner}


class _RowChecker:
    def __init__(self, owner: Owner, today: dt.date):
        self.owner, self.unit = owner, owner_unit(owner)
        self.subgroups = {s.casefold(): s for s in owner_subgroups(owner)}
        self.first, self.last = date_range(owner, today)
        self.taken: set[tuple[str, str]] = set(
            TrackedValue.objects.filter(**_owner_kwargs(owner)).values_list("subgroup", "period")
        )

    def number(self, raw: object, name: str, errors: dict[str, list[str]]) -> float | None:
        """Text as a person types it for the unit ("45%"); a number as the unit stores it."""
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            if math.isfinite(raw):
                return float(raw)
            raw = str(raw)
        text = ("" if raw is None else str(raw)).strip()
        if not text:
            return None
        try:
            return value_parse(text, self.unit)
        except ValueError as exc:
            errors.setdefault(name, []).append(
                _("%(field)s: %(problem)s") % {"field": _field_label(name), "problem": exc}
            )
            return None

    def check(self, record: Mapping[str, Any]) -> tuple[dict, dict[str, list[str]]]:
        """(the cleaned row, errors by field)."""
        errors: dict[str, list[str]] = {}
        clean: dict = {}
        try:
            period = period_parse(str(record.get("period") or ""))
            if period.date < self.first or period.date > self.last:
                errors["period"] = [
                    _("%(period)s is outside this measure's range: %(first)s to %(last)s.")
                    % {
                        "period": period.key,
                        "first": date_words(self.first),
                        "last": date_words(self.last),
                    }
                ]
            clean["period"], clean["date"] = period.key, period.date
        except ValueError as exc:
            errors["period"] = [str(exc)]
        if str(record.get("value") if record.get("value") is not None else "").strip() == "":
            errors["value"] = [_("Give the value.")]
        else:
            clean["value"] = self.number(record["value"], "value", errors)
        clean["lower"] = self.number(record.get("lower"), "lower", errors)
        clean["upper"] = self.number(record.get("upper"), "upper", errors)
        self._bounds(clean, errors)
        clean["subgroup"] = self._subgroup(str(record.get("subgroup") or ""), errors)
        for name, limit in (("source", 200), ("note", 500)):
            text = str(record.get(name) or "").strip()
            if len(text) > limit:
                errors[name] = [
                    _("%(field)s is longer than %(limit)s characters.")
                    % {"field": _field_label(name), "limit": limit}
                ]
            clean[name] = text
        key = (str(clean.get("subgroup")), str(clean.get("period")))
        if not errors and key in self.taken:
            errors["period"] = [_duplicate_message(clean["period"], clean["subgroup"])]
        if not errors:
            self.taken.add(key)  # a second row for the same period in one block is a duplicate
        return clean, errors

    def _bounds(self, clean: dict, errors: dict[str, list[str]]) -> None:
        lower, upper, value = clean.get("lower"), clean.get("upper"), clean.get("value")
        if (lower is None) != (upper is None) and "lower" not in errors and "upper" not in errors:
            errors["lower"] = [_("Give both bounds or neither.")]
        elif None not in (lower, upper, value) and not lower <= value <= upper:  # type: ignore[operator]
            errors["lower"] = [_("The value must lie between the lower and upper bounds.")]

    def _subgroup(self, text: str, errors: dict[str, list[str]]) -> str:
        name = (text or "").strip()
        if name.casefold() in WHOLE_NAMES:
            return ""
        if name.casefold() in self.subgroups:
            return self.subgroups[name.casefold()]
        known = ", ".join(self.subgroups.values()) or _("none")
        errors["subgroup"] = [
            _("This measure has no subgroup “%(name)s” (its subgroups: %(known)s).")
            % {"name": name[:80], "known": known}
        ]
        return name


def _duplicate_message(period: str, subgroup: str) -> str:
    if subgroup:
        return _(
            "There is already a value for %(period)s (%(subgroup)s): delete it first to replace it."
        ) % {"period": period, "subgroup": subgroup}
    return _("There is already a value for %(period)s: delete it first to replace it.") % {
        "period": period
    }


def _field_label(name: str) -> str:
    return {
        "period": _("Period"),
        "value": _("Value"),
        "subgroup": _("Subgroup"),
        "lower": _("Lower bound"),
        "upper": _("Upper bound"),
        "source": _("Source"),
        "note": _("Note"),
    }.get(name, name)


def _owner_coalition_check(actor: Membership, owner: Owner) -> None:
    require(actor, Can.CONTRIBUTE)
    if owner.coalition_id != actor.coalition_id:
        raise ValidationError(_("This measure belongs to another coalition."))


@transaction.atomic
def values_add(
    *,
    actor: Membership,
    owner: Owner,
    rows: Iterable[Mapping[str, Any]],
    today: dt.date | None = None,
) -> ValuesResult:
    """Save the good rows of a block of values typed or pasted by a person; report the bad.

    Each row is checked whole (period, number for the unit, date range, subgroup, bounds,
    duplicates against saved values and earlier rows of the block) and is saved whole or
    not at all.
    """
    _owner_coalition_check(actor, owner)
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("Send at most %(limit)s rows at once; this block has %(count)s.")
            % {"limit": MAX_ROWS, "count": len(rows)}
        )
    checker = _RowChecker(owner, today or timezone.localdate())
    good, problems = [], []
    for number, record in enumerate(rows, start=1):
        clean, errors = checker.check(record)
        if errors:
            problems.append(RowProblem(number, errors, {k: str(v) for k, v in record.items()}))
            continue
        good.append(
            TrackedValue(
                coalition_id=owner.coalition_id,
                **_owner_kwargs(owner),
                period=clean["period"],
                date=clean["date"],
                subgroup=clean["subgroup"],
                value=clean["value"],
                lower=clean["lower"],
                upper=clean["upper"],
                source=ValueSource.MANUAL,
                source_detail=clean["source"],
                note=clean["note"],
                entered_by=actor.user,
            )
        )
    saved = TrackedValue.objects.bulk_create(good)
    if saved:
        coalition_event_record(
            actor.coalition,
            EventKind.VALUES_ENTERED,
            actor.user,
            label=str(owner),
            count=len(saved),
        )
    return ValuesResult(saved, problems)


def paste_rows(text: str) -> list[dict[str, str]]:
    """Rows pasted from a spreadsheet (tabs) or typed as CSV (commas or semicolons), in the
    columns period, value, subgroup, lower, upper, source, note. A first row whose first
    cell is a column name ("period", "year", "date") is a header and is skipped."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return []
    sample = "\n".join(lines[:5])
    delimiter = "\t" if "\t" in sample else (";" if sample.count(";") > sample.count(",") else ",")
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    records = [dict(zip(COLUMNS, [c.strip() for c in cells], strict=False)) for cells in reader]
    first = (records[0].get("period") or "").strip().casefold()
    if first in {"period", "year", "date", "periodo", "año", "fecha"}:
        records = records[1:]
    return records


@transaction.atomic
def value_delete(*, actor: Membership, value: TrackedValue) -> None:
    require(actor, Can.CONTRIBUTE)
    if value.coalition_id != actor.coalition_id:
        raise ValidationError(_("This value belongs to another coalition."))
    owner = value.measure or value.goal
    what = _("the value for %(period)s of “%(owner)s”") % {"period": value.period, "owner": owner}
    value.delete()
    coalition_event_record(actor.coalition, EventKind.RECORD_DELETED, actor.user, label=what)


@transaction.atomic
def values_from_dataset(
    *, actor: Membership, owner: Owner, dataset: LocalDataset
) -> tuple[int, int]:
    """Copy the whole area's values (and the owner's subgroups') of one of the coalition's
    local datasets into the owner's series, by year. Values taken from a dataset before are
    replaced; a year that already has a value typed by hand keeps it. Returns (copied, kept
    by hand)."""
    _owner_coalition_check(actor, owner)
    if dataset.coalition_id != actor.coalition_id:
        raise ValidationError(_("This dataset belongs to another coalition."))
    wanted = {s.casefold(): s for s in owner_subgroups(owner)}
    existing = TrackedValue.objects.filter(**_owner_kwargs(owner))
    manual = set(existing.exclude(source=ValueSource.LOCAL).values_list("subgroup", "period"))
    existing.filter(source=ValueSource.LOCAL).delete()
    copied, kept = [], 0
    for row in LocalValue.objects.filter(dataset=dataset).order_by("year"):
        group = row.subgroup.strip()
        if group.casefold() in WHOLE_NAMES:
            group = ""
        elif group.casefold() in wanted:
            group = wanted[group.casefold()]
        else:
            continue
        if not is_whole_area(row.area, owner.coalition):
            continue
        if (group, str(row.year)) in manual:
            kept += 1
            continue
        copied.append(
            TrackedValue(
                coalition_id=owner.coalition_id,
                **_owner_kwargs(owner),
                period=str(row.year),
                date=dt.date(row.year, 12, 31),
                subgroup=group,
                value=row.value,
                lower=row.lb,
                upper=row.ub,
                source=ValueSource.LOCAL,
                source_detail=dataset.name[:200],
                entered_by=actor.user,
            )
        )
    TrackedValue.objects.bulk_create(copied)
    if isinstance(owner, Measure) and owner.local_dataset_id != dataset.pk:
        Measure.objects.filter(pk=owner.pk).update(local_dataset=dataset)
    coalition_event_record(
        actor.coalition, EventKind.VALUES_ENTERED, actor.user, label=str(owner), count=len(copied)
    )
    return len(copied), kept


def release_change_dismiss(*, actor: Membership, change: ReleaseChange) -> None:
    """Hide a "what changed" notice from the coalition's dashboard (for every member)."""
    require(actor, Can.VIEW)
    if change.coalition_id != actor.coalition_id:
        raise ValidationError(_("This notice belongs to another coalition."))
    ReleaseChange.objects.filter(pk=change.pk, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now()
    )


# --- a subgroup's own baseline and target -----------------------------------------------------

TARGET_FIELDS = ("baseline_value", "baseline_date", "target_value", "target_date")


def _target_field_label(name: str) -> str:
    return {
        "subgroup": _("Subgroup"),
        "baseline_value": _("Baseline"),
        "baseline_date": _("Baseline date"),
        "target_value": _("Target"),
        "target_date": _("Target date"),
    }.get(name, name)


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _target_number(raw: object, unit: str) -> float:
    """A baseline or target number, read in the owner's unit the way the owner's own baseline
    and target text is read (plans.tracking.periods.number_from_text); a number as stored."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if math.isfinite(raw):
            return float(raw)
        raise ValueError(_("Enter a number."))
    found = number_from_text(str(raw), unit)
    if found is None:
        value_parse(str(raw), unit)  # raises the sentence that says what is wrong
        raise ValueError(_("Enter a number."))
    return found


def _target_date(raw: object) -> dt.date:
    """A date, or a year (31 December, as baselines are), a quarter or a month (its last day)."""
    if isinstance(raw, dt.date):
        return raw
    try:
        return period_parse(str(raw)).date
    except ValueError:
        raise ValueError(_("Give a year (2022) or a date (2022-12-31).")) from None


def _target_check(
    record: Mapping[str, Any], unit: str, subgroups: dict[str, str], seen: set[str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(the cleaned row, errors by field) of one subgroup's baseline and target."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    name = str(record.get("subgroup") or "").strip()
    if name.casefold() not in subgroups:
        known = ", ".join(subgroups.values()) or _("none")
        errors["subgroup"] = [
            _("This measure has no subgroup “%(name)s” (its subgroups: %(known)s).")
            % {"name": name[:80], "known": known}
        ]
    elif subgroups[name.casefold()] in seen:
        errors["subgroup"] = [_("“%(name)s” has two rows: keep one.") % {"name": name[:80]}]
    clean["subgroup"] = subgroups.get(name.casefold(), name)
    given = [f for f in TARGET_FIELDS if not _blank(record.get(f))]
    if not given:
        return clean, errors  # an empty row: this subgroup has no target of its own
    for field_name, read in (
        ("baseline_value", lambda raw: _target_number(raw, unit)),
        ("baseline_date", _target_date),
        ("target_value", lambda raw: _target_number(raw, unit)),
        ("target_date", _target_date),
    ):
        raw = record.get(field_name)
        if _blank(raw):
            errors[field_name] = [
                _("%(field)s: give it too (a baseline and a target, each with a date).")
                % {"field": _target_field_label(field_name)}
            ]
            continue
        try:
            clean[field_name] = read(raw)
        except ValueError as exc:
            errors[field_name] = [
                _("%(field)s: %(problem)s")
                % {"field": _target_field_label(field_name), "problem": exc}
            ]
    base, goal = clean.get("baseline_date"), clean.get("target_date")
    if base and goal and goal <= base:
        errors["target_date"] = [
            _("The target date must come after the baseline date (%(date)s).")
            % {"date": date_words(base)}
        ]
    return clean, errors


@dataclass
class TargetsResult:
    saved: list[SubgroupTarget]
    problems: list[RowProblem]


@transaction.atomic
def subgroup_targets_save(
    *, actor: Membership, owner: Owner, rows: Iterable[Mapping[str, Any]]
) -> TargetsResult:
    """Set the subgroups' own baselines and targets of a measure or goal: ``rows`` is the whole
    set, one row per subgroup (``subgroup``, ``baseline_value``, ``baseline_date``,
    ``target_value``, ``target_date``). A row with none of the four numbers and dates removes
    that subgroup's target, and so does leaving the subgroup out.

    Every row is checked first; if any is wrong nothing is saved and each bad row is reported
    with its reasons (``problems``), so the set is never half-saved.
    """
    require(actor, Can.MANAGE_DATA)
    if owner.coalition_id != actor.coalition_id:
        raise ValidationError(_("This measure belongs to another coalition."))
    unit = owner_unit(owner)
    subgroups = {s.casefold(): s for s in owner_subgroups(owner)}
    seen: set[str] = set()
    wanted, problems = [], []
    for number, record in enumerate(rows, start=1):
        clean, errors = _target_check(record, unit, subgroups, seen)
        seen.add(clean["subgroup"])
        if errors:
            problems.append(RowProblem(number, errors, {k: str(v) for k, v in record.items()}))
        elif "baseline_value" in clean:
            wanted.append(clean)
    if problems:
        return TargetsResult([], problems)
    SubgroupTarget.objects.filter(**_owner_kwargs(owner)).delete()
    saved = SubgroupTarget.objects.bulk_create(
        SubgroupTarget(
            coalition_id=owner.coalition_id,
            **_owner_kwargs(owner),
            **clean,
            updated_by=actor.user,
        )
        for clean in wanted
    )
    coalition_event_record(
        actor.coalition, EventKind.SUBGROUP_TARGETS_SAVED, actor.user, label=str(owner)
    )
    return TargetsResult(saved, [])
