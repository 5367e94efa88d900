"""Reads of the data walks: the coalition's walks, the moderation queue, results by station."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from coalitions.models import Coalition
from metrics.charts.formatting import format_value
from walks.models import (
    AgeBand,
    Answer,
    DataWalk,
    Demographic,
    LivedExperience,
    Moderation,
    RaceEthnicity,
    Reaction,
    Station,
    WalkStatus,
)

# Below this many people a count is not shown, so nobody can be picked out of a small group.
SUPPRESS_BELOW = 5


def walks_for(coalition: Coalition) -> QuerySet[DataWalk]:
    return DataWalk.objects.filter(coalition=coalition).prefetch_related("stations")


def walk_get(coalition: Coalition, pk: int) -> DataWalk:
    walk = DataWalk.objects.filter(coalition=coalition, pk=pk).first()
    if walk is None:
        raise Http404
    return walk


def station_get(walk: DataWalk, pk: int) -> Station:
    station = walk.stations.filter(pk=pk).first()
    if station is None:
        raise Http404
    return station


def answer_get(coalition: Coalition, pk: int) -> Answer:
    answer = (
        Answer.objects.select_related("station__walk")
        .filter(station__walk__coalition=coalition, pk=pk)
        .first()
    )
    if answer is None:
        raise Http404
    return answer


def public_walk(token: str) -> DataWalk | None:
    """The walk of a public link; None for an unknown token or a draft (never shown)."""
    if not token or len(token) > 32:
        return None
    return (
        DataWalk.objects.select_related("coalition")
        .filter(token=token)
        .exclude(status=WalkStatus.DRAFT)
        .first()
    )


def moderation_queue(walk: DataWalk) -> QuerySet[Answer]:
    """Written answers of a walk, those waiting for review first, oldest first."""
    pending_first = Case(
        When(status=Moderation.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Answer.objects.filter(station__walk=walk)
        .exclude(text="")
        .select_related("station", "participant")
        .prefetch_related("themes")
        .order_by(pending_first, "created_at", "pk")
    )


def count_text(n: int) -> str:
    """A count as shown to the coalition: "fewer than 5" for 1 to 4 people, so nobody is
    identifiable."""
    if 0 < n < SUPPRESS_BELOW:
        return _("fewer than %(n)s") % {"n": SUPPRESS_BELOW}
    return f"{n:,}"


@dataclass
class GroupRow:
    label: str
    counts: list[str]
    total: str


@dataclass
class StationResult:
    station: Station
    reactions: list[tuple[str, str]]
    answers: list[Answer]
    pending: int
    groups: dict[str, list[GroupRow]] = field(default_factory=dict)


DEMOGRAPHIC_CHOICES = {
    Demographic.AGE_BAND: AgeBand,
    Demographic.RACE_ETHNICITY: RaceEthnicity,
    Demographic.LIVED_EXPERIENCE: LivedExperience,
}


def _group_label(key: str, value: str) -> str:
    if not value:
        return _("Not said")
    choices = DEMOGRAPHIC_CHOICES.get(Demographic(key))
    if choices is None:
        return value
    return str(choices(value).label) if value in choices.values else value


def station_results(walk: DataWalk) -> list[StationResult]:
    """Per station: approved reactions counted (facilitated groups by their size), approved
    written answers, how many wait for review, and reactions by demographic group.

    Every count of people from 1 to 4 reads "fewer than 5".
    """
    results = []
    answers = list(
        Answer.objects.filter(station__walk=walk)
        .select_related("participant")
        .prefetch_related("themes")
    )
    for station in walk.stations.order_by("position"):
        mine = [a for a in answers if a.station_id == station.pk]
        approved_reactions = [a for a in mine if a.reaction and a.status == Moderation.APPROVED]
        totals: Counter[str] = Counter()
        for a in approved_reactions:
            totals[a.reaction] += a.people
        groups: dict[str, list[GroupRow]] = {}
        for key in walk.demographics:
            by_group: dict[str, Counter[str]] = {}
            for a in approved_reactions:
                if a.participant is None:
                    continue
                value = getattr(a.participant, key, "")
                label = _group_label(key, value)
                by_group.setdefault(label, Counter())[a.reaction] += 1
            groups[str(Demographic(key).label)] = [
                GroupRow(
                    label=label,
                    counts=[count_text(c[r]) for r in Reaction.values],
                    total=count_text(sum(c.values())),
                )
                for label, c in sorted(by_group.items())
            ]
        results.append(
            StationResult(
                station=station,
                reactions=[
                    (str(label), count_text(totals[value])) for value, label in Reaction.choices
                ],
                answers=[a for a in mine if a.text and a.status == Moderation.APPROVED],
                pending=sum(1 for a in mine if a.status == Moderation.PENDING),
                groups=groups,
            )
        )
    return results


def approved_only(queryset: QuerySet[Answer]) -> QuerySet[Answer]:
    return queryset.filter(status=Moderation.APPROVED)


@dataclass
class ShareRow:
    label: str
    walk: str
    people: int


def demographic_shares(walk: DataWalk, key: str) -> list[ShareRow]:
    """The walk's residents by one demographic, as shares (suppressed below 5 people)."""
    from walks.models import Participant

    participants = Participant.objects.filter(
        walk=walk, answers__status=Moderation.APPROVED
    ).distinct()
    counts = Counter(getattr(p, key) or "" for p in participants)
    total = sum(n for value, n in counts.items() if value)
    rows = []
    for value, n in sorted(counts.items()):
        if not value:
            continue
        share = count_text(n) if n < SUPPRESS_BELOW else format_value(n / total, "share")
        rows.append(ShareRow(label=_group_label(key, value), walk=share, people=n))
    return rows


# The walk's race and ethnicity answers in the groups of W2.4 (descriptive representation).
REPRESENTATION_GROUPS: dict[str, str] = {
    RaceEthnicity.HISPANIC: "hispanic",
    RaceEthnicity.BLACK: "black_nh",
    RaceEthnicity.WHITE: "white_nh",
    RaceEthnicity.ASIAN: "other_nh",
    RaceEthnicity.NATIVE: "other_nh",
    RaceEthnicity.PACIFIC: "other_nh",
    RaceEthnicity.MULTIPLE: "other_nh",
    RaceEthnicity.OTHER: "other_nh",
}


@dataclass
class RepresentationRow:
    label: str
    walk: str
    population: str


def representation_rows(walk: DataWalk) -> list[RepresentationRow]:
    """The walk's residents by race and ethnicity beside the population's shares that the
    coalition entered in W2.4 (its ACS table), in W2.4's groups. Empty unless the walk asked.

    Walk counts of 1 to 4 people read "fewer than 5".
    """
    from plans import definitions
    from plans.selectors import shared_response
    from walks.models import Participant

    if Demographic.RACE_ETHNICITY not in walk.demographics:
        return []
    participants = Participant.objects.filter(
        walk=walk, answers__status=Moderation.APPROVED
    ).distinct()
    counts: Counter[str] = Counter(
        REPRESENTATION_GROUPS[p.race_ethnicity]
        for p in participants
        if p.race_ethnicity in REPRESENTATION_GROUPS
    )
    total = sum(counts.values())
    response = shared_response(walk.coalition, "w2_4")
    shares = (response.data.get("pop_shares") if response else None) or {}
    rows = []
    for row in definitions.worksheet("w2_4").field("pop_shares").fixed_rows:
        n = counts.get(row.key, 0)
        walk_text = count_text(n) if n < SUPPRESS_BELOW else format_value(n / total, "share")
        percent = (shares.get(row.key) or {}).get("percent")
        population = (
            format_value(percent / 100, "share") if isinstance(percent, int | float) else "—"
        )
        rows.append(RepresentationRow(label=row.label, walk=walk_text, population=population))
    return rows
