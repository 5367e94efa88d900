"""Reads of the strategy records and the MAP, always for a coalition the caller resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from coalitions.models import Coalition, Membership
from core.models import JobStatus
from plans import definitions
from plans.content import MapSection
from plans.map import metric_data
from plans.map.models import (
    BOTH_LANGUAGES,
    Decision,
    ElementKind,
    HeadlineGoal,
    MapSectionDraft,
    MapVersion,
    MapVisibility,
    Measure,
    PlanExport,
    PriorityArea,
    Review,
    ReviewRound,
    SectionChoice,
    StrategicAction,
    TheoryOfChange,
    Vision,
)
from plans.map.presentation import (
    Lookups,
    Publication,
    choice_groups,
    choice_key,
    field_rows,
)
from plans.models import ResponseStatus, WorksheetResponse


def _one(queryset: QuerySet, pk: int | None) -> Any:
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


# One row of the coalition's by id, or 404: never a row of another coalition. Pages and the
# API both look records up through these.


def member_get(coalition: Coalition, pk: int | None) -> Membership:
    return _one(Membership.objects.filter(coalition=coalition).select_related("user"), pk)


def priority_area_get(coalition: Coalition, pk: int | None) -> PriorityArea:
    return _one(PriorityArea.objects.filter(coalition=coalition), pk)


def theory_get(coalition: Coalition, pk: int | None) -> TheoryOfChange:
    return _one(theories(coalition), pk)


def strategic_action_get(coalition: Coalition, pk: int | None) -> StrategicAction:
    return _one(strategic_actions(coalition), pk)


def measure_get(coalition: Coalition, pk: int | None) -> Measure:
    return _one(measures(coalition), pk)


def review_get(coalition: Coalition, pk: int | None) -> Review:
    reviews = Review.objects.filter(round__coalition=coalition)
    return _one(reviews.select_related("round", "reviewer__user"), pk)


def version_get(coalition: Coalition, pk: int | None) -> MapVersion:
    return _one(MapVersion.objects.filter(coalition=coalition), pk)


def export_get(coalition: Coalition, pk: int | None) -> PlanExport:
    return _one(exports(coalition), pk)


def vision(coalition: Coalition) -> Vision | None:
    return Vision.objects.filter(coalition=coalition).first()


def theories(coalition: Coalition) -> QuerySet[TheoryOfChange]:
    return TheoryOfChange.objects.filter(coalition=coalition).select_related("priority_area")


def strategic_actions(coalition: Coalition) -> QuerySet[StrategicAction]:
    return (
        StrategicAction.objects.filter(coalition=coalition)
        .select_related("priority_area", "working_group")
        .prefetch_related("elements", "milestones")
    )


def headline_goals(
    coalition: Coalition, area: PriorityArea | None = None
) -> QuerySet[HeadlineGoal]:
    """The coalition's headline goals (of one priority area), in the plan's order."""
    goals = HeadlineGoal.objects.filter(coalition=coalition).select_related(
        "priority_area", "local_dataset"
    )
    return goals.filter(priority_area=area) if area is not None else goals


def headline_goal_get(coalition: Coalition, pk: int | None) -> HeadlineGoal:
    return _one(headline_goals(coalition), pk)


# The logic model reads from what goes in to what changes in the long run, not A to Z.
KIND_POSITION = Case(
    *[When(element_kind=kind, then=Value(i)) for i, kind in enumerate(ElementKind.values)],
    default=Value(99),
    output_field=IntegerField(),
)


def measures(coalition: Coalition) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(coalition=coalition)
        .select_related("element__action")
        .annotate(kind_position=KIND_POSITION)
        .order_by(
            "element__action__position",
            "element__action_id",
            "kind_position",
            "element__position",
            "pk",
        )
    )


def measures_missing(coalition: Coalition) -> list[Measure]:
    """Measures of current elements still missing a measure, an owner, a source or a frequency."""
    return [m for m in measures(coalition) if m.missing and not m.is_orphaned]


def section_draft(coalition: Coalition, key: str) -> MapSectionDraft | None:
    return MapSectionDraft.objects.filter(coalition=coalition, key=key).first()


@dataclass
class MeasureRow:
    measure: Measure
    baseline: metric_data.Baseline | None = None
    gap: metric_data.GapBaseline | None = None  # a gap target's group and whole, from the data

    @property
    def baseline_text(self) -> str:
        """The typed baseline, a bare number formatted by the linked metric's unit."""
        return metric_data.measure_value_text(self.measure.baseline, self.measure.metric_variable)

    @property
    def target_text(self) -> str:
        return metric_data.measure_value_text(self.measure.target, self.measure.metric_variable)

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
    found = list(measures(coalition))
    metric_data.breakdowns_prefetch(
        coalition, [m.metric_variable for m in found if m.metric_variable and m.gap_subgroup]
    )
    for m in found:
        baseline = (
            metric_data.baseline_for(coalition, m.metric_variable) if m.metric_variable else None
        )
        gap = (
            metric_data.gap_baseline_for(coalition, m.metric_variable, m.gap_subgroup)
            if m.metric_variable and m.gap_subgroup
            else None
        )
        row = MeasureRow(m, baseline, gap)
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


def coverage_count(coalition: Coalition) -> int:
    """How many rows ``coverage`` lists, without reading the metric data it shows."""
    return sum(1 for m in measures(coalition) if m.element_id is not None and m.missing)


def priority_areas(coalition: Coalition) -> QuerySet[PriorityArea]:
    """The priority areas in their order, each with its number of headline goals."""
    return coalition.priority_areas.annotate(goal_count=Count("goals")).order_by("position", "pk")


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


def section_drafts(coalition: Coalition) -> dict[str, MapSectionDraft]:
    """The coalition's section drafts by section key."""
    drafts = MapSectionDraft.objects.filter(coalition=coalition).select_related("owner__user")
    return {d.key: d for d in drafts}


def sections_overview(coalition: Coalition) -> list[SectionRow]:
    drafts = section_drafts(coalition)
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


def _reviews() -> Prefetch:
    return Prefetch("reviews", queryset=Review.objects.select_related("reviewer__user"))


def open_round(coalition: Coalition) -> ReviewRound | None:
    return (
        ReviewRound.objects.filter(coalition=coalition, closed_at__isnull=True)
        .prefetch_related(_reviews())
        .first()
    )


def review_rounds(coalition: Coalition) -> QuerySet[ReviewRound]:
    return ReviewRound.objects.filter(coalition=coalition).prefetch_related(_reviews())


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
    """The version frozen after this one, in the same coalition."""
    return (
        MapVersion.objects.filter(coalition_id=version.coalition_id, number__gt=version.number)
        .order_by("number")
        .first()
    )


def exports(coalition: Coalition) -> QuerySet[PlanExport]:
    return PlanExport.objects.filter(coalition=coalition).select_related(
        "version", "report", "started_by"
    )


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


# --- what the plan publishes -------------------------------------------------------------------


def publication_for(coalition: Coalition) -> Publication:
    """The coalition's visibility overrides and row choices, as the document reads them."""
    return Publication(
        visibility={
            f"{v.worksheet_key}.{v.field_path}": v.visibility
            for v in MapVisibility.objects.filter(coalition=coalition)
        },
        chosen={
            choice_key(c.section_key, c.worksheet_key, c.field_key): list(c.rows)
            for c in SectionChoice.objects.filter(coalition=coalition)
        },
    )


@dataclass
class WorksheetPublication:
    """One feeding worksheet on a section's "What this section publishes" page."""

    key: str
    number: str
    title: str
    fields: list[Any]  # presentation.FieldRow
    groups: list[Any]  # presentation.ChoiceGroup
    answered: bool


def section_publication(coalition: Coalition, key: str) -> list[WorksheetPublication]:
    """Each coalition worksheet feeding section ``key``: its fields' visibility and the rows
    the section may publish."""
    from plans.selectors import member_names, metric_catalog, shared_response

    spec = section_spec(key)
    pub = publication_for(coalition)
    lookups = Lookups(member_names(coalition), metric_catalog())
    out = []
    for ws_key in spec.fed_by:
        ws = definitions.worksheet(ws_key)
        if ws.filled_by.mode != "coalition":
            continue
        response = shared_response(coalition, ws_key)
        data = response.data if response is not None else {}
        out.append(
            WorksheetPublication(
                key=ws.key,
                number=ws.number,
                title=ws.title,
                fields=field_rows(ws, key, pub),
                groups=choice_groups(ws, data or {}, key, pub, lookups),
                answered=bool(data),
            )
        )
    return out


def _language_filter(version: MapVersion, language: str) -> models.Q:
    """Exports of a version in ``language``: an export without one is in the version's own."""
    if language == BOTH_LANGUAGES:
        return models.Q(language=BOTH_LANGUAGES)
    first = version.languages[0]
    language = language if language in version.languages else first
    return models.Q(language__in=["", first]) if language == first else models.Q(language=language)


def published_export(
    version: MapVersion,
    *,
    kind: str,
    format: str,  # noqa: A002
    language: str = "",
) -> PlanExport | None:
    """A published version's latest finished file of one kind (plan, summary) and format, in
    one of its languages (empty: its own) or in both."""
    return (
        version.exports.filter(status=JobStatus.SUCCEEDED, kind=kind, format=format)
        .filter(_language_filter(version, language))
        .order_by("-finished_at", "-pk")
        .first()
    )


def published_files(version: MapVersion, *, language: str = "") -> list[dict[str, str]]:
    """The files a published version offers, as links for its public page, in a fixed order:
    those in the page's language, then those with both languages one after the other."""
    from django.urls import reverse

    names = {
        ("plan", "pdf"): ("map_public:pdf", _("Download the plan (PDF)")),
        ("summary", "pdf"): ("map_public:summary_pdf", _("Download the executive summary (PDF)")),
        ("plan", "docx"): ("map_public:docx", _("Download the plan (Word)")),
        ("summary", "docx"): (
            "map_public:summary_docx",
            _("Download the executive summary (Word)"),
        ),
    }
    both_names = {
        ("plan", "pdf"): _("Download the plan in both languages (PDF)"),
        ("summary", "pdf"): _("Download the executive summary in both languages (PDF)"),
        ("plan", "docx"): _("Download the plan in both languages (Word)"),
        ("summary", "docx"): _("Download the executive summary in both languages (Word)"),
    }
    done = version.exports.filter(status=JobStatus.SUCCEEDED)
    language = language if language in version.languages else version.languages[0]
    files = []
    for code, labels in ((language, None), (BOTH_LANGUAGES, both_names)):
        made = set(done.filter(_language_filter(version, code)).values_list("kind", "format"))
        query = "" if code == version.languages[0] else f"?lang={code}"
        files += [
            {
                "url": reverse(url, args=[version.public_token]) + query,
                "label": str(labels[key] if labels else label),
            }
            for key, (url, label) in names.items()
            if key in made
        ]
    return files


def language_links(languages: list[str], current: str) -> list[dict[str, Any]]:
    """The public page's language switcher: each language of the version, named in itself,
    linking to the same public address (``?lang=``; none for the version's own language)."""
    from django.utils.translation import get_language_info

    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"].capitalize(),
            "query": "" if i == 0 else f"?lang={code}",
            "current": code == current,
        }
        for i, code in enumerate(languages)
    ]


def export_language_choices(languages: list[str]) -> list[tuple[str, str]]:
    """The export form's language choices for a plan (or version) in ``languages``: none
    when it has one language, else each language and both, one after the other."""
    if len(languages) < 2:
        return []
    names = dict(settings.LANGUAGES)
    return [
        ("", str(names.get(languages[0], languages[0]))),
        *((code, str(names.get(code, code))) for code in languages[1:]),
        (BOTH_LANGUAGES, str(_("Both languages, one after the other"))),
    ]
