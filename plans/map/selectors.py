"""Reads of the strategy records and the MAP, always for a coalition the caller resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from coalitions.models import Coalition, Membership
from plans import definitions
from plans.content import MapSection
from plans.map import metric_data
from plans.map.models import (
    Decision,
    MapSectionDraft,
    MapVersion,
    Measure,
    PlanExport,
    Review,
    ReviewRound,
)
from plans.models import ResponseStatus, WorksheetResponse


def owned(queryset: QuerySet, coalition: Coalition, pk: int, **lookups: Any) -> Any:
    """One row of the coalition's, by id, or 404: never a row of another coalition."""
    found = queryset.filter(pk=pk, **lookups).first()
    if found is None:
        raise Http404
    return found


@dataclass
class MeasureRow:
    measure: Measure
    baseline: metric_data.Baseline | None = None

    @property
    def missing_labels(self) -> list[str]:
        names = {
            "measure": _("a measure"),
            "owner": _("who reports it"),
            "source": _("a data source"),
            "frequency": _("how often"),
        }
        return [names[m] for m in self.measure.missing]


@dataclass
class ActionGroup:
    title: str
    rows: list[MeasureRow] = field(default_factory=list)
    orphaned: bool = False


def measurement_plan(coalition: Coalition) -> list[ActionGroup]:
    """Measures grouped by strategic action; rows whose element was deleted come last."""
    groups: dict[Any, ActionGroup] = {}
    flagged = ActionGroup(_("Elements that were deleted from the logic model"), orphaned=True)
    queryset = Measure.objects.filter(coalition=coalition).select_related("element__action")
    for m in queryset:
        baseline = (
            metric_data.baseline_for(coalition, m.metric_variable) if m.metric_variable else None
        )
        row = MeasureRow(m, baseline)
        if m.element is None:
            flagged.rows.append(row)
            continue
        action = m.element.action
        groups.setdefault(action.pk, ActionGroup(action.title)).rows.append(row)
    out = list(groups.values())
    if flagged.rows:
        out.append(flagged)
    return out


def coverage(coalition: Coalition) -> list[MeasureRow]:
    """Every logic model element still missing a measure, an owner, a source or a frequency."""
    return [
        row
        for group in measurement_plan(coalition)
        if not group.orphaned
        for row in group.rows
        if row.measure.missing
    ]


@dataclass
class SectionRow:
    spec: MapSection
    draft: MapSectionDraft | None
    feeders: list[tuple[str, str, str]]  # (key, title, status)

    @property
    def status(self) -> str:
        return self.draft.status if self.draft else "draft"

    @property
    def status_label(self) -> str:
        return self.draft.get_status_display() if self.draft else _("Draft")


def sections_overview(coalition: Coalition) -> list[SectionRow]:
    drafts = {
        d.key: d
        for d in MapSectionDraft.objects.filter(coalition=coalition).select_related("owner__user")
    }
    statuses = dict(
        WorksheetResponse.objects.filter(coalition=coalition, owner__isnull=True).values_list(
            "worksheet_key", "status"
        )
    )
    labels = dict(ResponseStatus.choices)
    rows = []
    for spec in definitions.map_sections():
        feeders = []
        for key in spec.fed_by:
            ws = definitions.worksheet(key)
            status = statuses.get(key, ResponseStatus.NOT_STARTED)
            feeders.append((key, f"{ws.number} {ws.title}", str(labels[status])))
        rows.append(SectionRow(spec, drafts.get(spec.key), feeders))
    return rows


def section_spec(key: str) -> MapSection:
    for spec in definitions.map_sections():
        if spec.key == key:
            return spec
    raise Http404("No such section")


def open_round(coalition: Coalition) -> ReviewRound | None:
    return (
        ReviewRound.objects.filter(coalition=coalition, closed_at__isnull=True)
        .prefetch_related("reviews__reviewer__user")
        .first()
    )


def review_rounds(coalition: Coalition) -> QuerySet[ReviewRound]:
    return ReviewRound.objects.filter(coalition=coalition).prefetch_related(
        "reviews__reviewer__user"
    )


def my_pending_reviews(coalition: Coalition, membership: Membership) -> QuerySet[Review]:
    return Review.objects.filter(
        round__coalition=coalition,
        round__closed_at__isnull=True,
        reviewer=membership,
        decision=Decision.PENDING,
    )


def versions(coalition: Coalition) -> QuerySet[MapVersion]:
    return MapVersion.objects.filter(coalition=coalition).defer("document")


def next_version(version: MapVersion) -> MapVersion | None:
    return (
        MapVersion.objects.filter(coalition=version.coalition_id, number__gt=version.number)
        .order_by("number")
        .first()
    )


def exports(coalition: Coalition) -> QuerySet[PlanExport]:
    return PlanExport.objects.filter(coalition=coalition).select_related("version", "started_by")


def published_version(token: str) -> MapVersion:
    """The public page's only way in: a published version by its unguessable token."""
    version = (
        MapVersion.objects.filter(public_token=token, published_at__isnull=False)
        .select_related("coalition")
        .first()
    )
    if version is None:
        raise Http404
    return version
