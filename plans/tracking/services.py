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
from plans.tracking.models import ReleaseChange, TrackedValue, ValueSource
from plans.tracking.periods import period_parse

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
        return " ".join(m for messages in self.errors.values() for m in messages)


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
