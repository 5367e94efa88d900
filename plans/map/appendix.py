"""The data appendix of the plan (M11): every pillar and predictor of the jurisdiction, and a
summary of how the community was heard.

The numbers come from the same reading as the profile pages (``metrics.profiles.selectors.
geography_profile``: the active release, the coalition's geography, the whole population):
each metric's latest value formatted by its unit, its 95% interval, Urban's quality rating,
the national median of that year and which direction is better, in words. Values Urban rates
Weak are printed (an appendix hides nothing) and marked as such.

The engagement summary reads only the public parts of the engagement worksheets (W6.3, W6.7
and the plan of W6.2): what kind of activity, when, which groups, how many people, in which
languages. Names of people, notes of who declined, what people were paid and individual
answers are not read at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from metrics import quality
from metrics.profiles.reading import DIRECTION_TEXT, display, number_text
from metrics.profiles.selectors import MetricLine, geography_profile
from plans import definitions
from plans.display import value_text
from plans.map import blocks
from plans.map.blocks import Block

# The engagement worksheets and the (public) columns the summary reads from each.
ENGAGEMENT_EVENTS = ("w6_3", "events")
REPORT_BACK = ("w6_7", "sessions")
STAKEHOLDER_PLAN = ("w6_2", "plan")


def appendix_blocks(ctx: Any) -> list[Block]:
    """The appendix's blocks: the metric tables by pillar, then the engagement summary."""
    publication = getattr(ctx, "publication", None) if getattr(ctx, "public", False) else None
    return blocks.clean(
        [*metric_blocks(ctx.coalition), *engagement_blocks(ctx.coalition, publication)]
    )


# --- the metrics -----------------------------------------------------------------------------


def metric_blocks(coalition: Any) -> list[Block]:
    profile = geography_profile(coalition.geography, include_weak=True, coalition=coalition)
    if profile.release is None:
        return [blocks.note(_("No Mobility Metrics release is loaded yet: no data to list."))]
    out: list[Block] = [
        blocks.heading(
            _("The Mobility Metrics of %(place)s") % {"place": coalition.geography.name}
        ),
        blocks.text(
            _(
                "Every pillar and predictor of the Upward Mobility Framework with the latest "
                "value published for %(place)s in the Mobility Metrics (release %(release)s), its "
                "95%% confidence interval where Urban publishes one, Urban's data quality rating "
                "and the national median of the same year."
            )
            % {"place": coalition.geography.full_name, "release": profile.release.name}
        ),
    ]
    notes = [
        _("Values rated Weak are marked: Urban advises not to act on them without other evidence.")
    ]
    if profile.medians_are_computed:
        notes.append(
            _(
                "Urban publishes no national medians for cities: the medians here are computed "
                "across the cities of the release, weighted by population."
            )
        )
    last = len(profile.pillars) - 1
    for i, pillar_block in enumerate(profile.pillars):
        rows = [
            _metric_row(str(getattr(predictor.predictor, "name", "")), line)
            for predictor in pillar_block.predictors
            for line in predictor.lines
        ]
        out.append(
            blocks.table(
                [
                    _("Predictor"),
                    _("Metric"),
                    _("Latest value"),
                    _("Year"),
                    # xgettext:no-python-format (a literal percent sign, not a placeholder)
                    _("95% interval"),
                    _("Quality"),
                    _("National median"),
                    _("Better"),
                ],
                rows,
                caption=pillar_block.pillar.name,
                numeric=[False, False, True, True, True, False, True, False],
                row_headers=True,
                notes=notes if i == last else (),  # said once, under the last table
                key=f"appendix-{pillar_block.pillar.slug}",
                drop_empty_columns=False,
            )
        )
    return out


def _metric_row(predictor: str, line: MetricLine) -> list[str]:
    metric, latest = line.metric, line.latest
    if latest is None:
        return [predictor, metric.label, _("No data"), "", "", "", "", _direction(metric.direction)]
    value = display(latest, metric.unit)
    if latest.is_weak:
        value = _("%(value)s (Weak)") % {"value": value}
    interval = ""
    if latest.lb is not None and latest.ub is not None:
        interval = _("%(low)s to %(high)s") % {
            "low": number_text(latest.lb, metric.unit),
            "high": number_text(latest.ub, metric.unit),
        }
    rating = quality.quality_label(latest.quality) if metric.has_quality else ""
    median = number_text(line.median, metric.unit) if line.median is not None else ""
    return [
        predictor,
        metric.label,
        value,
        str(latest.year),
        interval,
        rating,
        median,
        _direction(metric.direction),
    ]


def _direction(direction: str) -> str:
    """Which way is better, in words ("Higher", "Lower", "Closer to parity")."""
    words = {
        "higher": _("Higher"),
        "lower": _("Lower"),
        "parity": _("Closer to 1 (parity)"),
    }
    return str(words.get(direction, DIRECTION_TEXT["none"]))


# --- community engagement -------------------------------------------------------------------


def _answers(coalition: Any, worksheet: str) -> Mapping[str, Any]:
    from plans.selectors import shared_response

    response = shared_response(coalition, worksheet)
    return response.data if response is not None and response.data else {}


def _column(worksheet: str, field: str, column: str) -> Any:
    table = next(f for f in definitions.worksheet(worksheet).fields if f.key == field)
    return next(c for c in table.columns if c.key == column)


def _rows(coalition: Any, where: tuple[str, str]) -> list[Mapping[str, Any]]:
    worksheet, field = where
    rows = _answers(coalition, worksheet).get(field) or []
    return [
        r
        for r in rows
        if isinstance(r, Mapping) and any(v not in ("", None, []) for v in r.values())
    ]


def _shown(publication: Any, where: tuple[str, str], column: str) -> bool:
    """Whether a column may be printed: public by its definition and the coalition's choice
    (asked only for a public document; ``publication`` None shows everything)."""
    from plans.map.presentation import INTERNAL, visibility

    if publication is None:
        return True
    worksheet = definitions.worksheet(where[0])
    return visibility(worksheet, publication, where[1], column) != INTERNAL


def _count(n: int) -> str:
    """A count in the plan's language ("1,250", "1.250")."""
    return formats.number_format(n, use_l10n=True, force_grouping=True)


def engagement_blocks(coalition: Any, publication: Any = None) -> list[Block]:
    """Who was heard and how: the community activities, the report-back sessions and the kinds
    of partner conversations, counted; no person is named. With ``publication`` (a public
    document), only the columns it lets through."""

    def shown(where: tuple[str, str], column: str) -> bool:
        return _shown(publication, where, column)

    def cell(where: tuple[str, str], column: str, row: Mapping[str, Any]) -> str:
        if not shown(where, column):
            return ""
        return value_text(_column(*where, column), row.get(column)).strip()

    events = _rows(coalition, ENGAGEMENT_EVENTS)
    sessions = _rows(coalition, REPORT_BACK)
    planned = _rows(coalition, STAKEHOLDER_PLAN)
    if not (events or sessions or planned):
        return []
    out: list[Block] = [blocks.heading(_("How we heard from the community"))]
    counted = shown(ENGAGEMENT_EVENTS, "participants")
    people = sum(_number(r.get("participants")) for r in events) if counted else 0
    groups = (
        _labels(ENGAGEMENT_EVENTS, "populations", events)
        if shown(ENGAGEMENT_EVENTS, "populations")
        else []
    )
    if events:
        if people:
            sentence = _(
                "%(activities)s community activities with %(people)s people taking part."
            ) % {"activities": _count(len(events)), "people": _count(people)}
        else:
            sentence = _("%(activities)s community activities.") % {
                "activities": _count(len(events))
            }
        if groups:
            sentence += " " + _("We heard from: %(groups)s.") % {"groups": ", ".join(groups)}
        out.append(blocks.text(sentence))
        out.append(
            blocks.table(
                [
                    _("Activity"),
                    _("Date"),
                    _("Place or online"),
                    _("Groups we heard from"),
                    _("People taking part"),
                    _("Languages used"),
                ],
                [
                    [
                        cell(ENGAGEMENT_EVENTS, "method", r),
                        blocks.date_words(r.get("date")),
                        cell(ENGAGEMENT_EVENTS, "location", r),
                        cell(ENGAGEMENT_EVENTS, "populations", r).replace(";", ","),
                        _count(_number(r.get("participants")))
                        if counted and r.get("participants")
                        else "",
                        cell(ENGAGEMENT_EVENTS, "languages", r),
                    ]
                    for r in sorted(events, key=lambda r: str(r.get("date") or ""))
                ],
                caption=_("Community engagement activities"),
                numeric=[False, False, False, False, True, False],
                key="appendix-engagement",
            )
        )
    if sessions:
        out.append(
            blocks.table(
                [_("Format"), _("Date"), _("Audience"), _("People taking part")],
                [
                    [
                        cell(REPORT_BACK, "format", r),
                        blocks.date_words(r.get("date")),
                        cell(REPORT_BACK, "audience", r),
                        _count(_number(r.get("participants")))
                        if r.get("participants") and shown(REPORT_BACK, "participants")
                        else "",
                    ]
                    for r in sorted(sessions, key=lambda r: str(r.get("date") or ""))
                ],
                caption=_("How we reported the findings back"),
                numeric=[False, False, False, True],
                key="appendix-report-back",
            )
        )
    methods = Counter(cell(STAKEHOLDER_PLAN, "method", r) for r in planned)
    methods.pop("", None)
    if methods:
        out.append(
            blocks.facts(
                [(_("Conversations with partners and experts"), _methods_text(methods.items()))]
            )
        )
    return out


def _methods_text(counts: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{label}: {_count(n)}" for label, n in sorted(counts))


def _labels(where: tuple[str, str], column: str, rows: list[Mapping[str, Any]]) -> list[str]:
    """Every distinct choice label of a multiple-choice column, in the order first met."""
    seen: dict[str, None] = {}
    field = _column(*where, column)
    for row in rows:
        values = row.get(column) or []
        for value in values if isinstance(values, list) else [values]:
            label = value_text(field, value).strip()
            if label:
                seen.setdefault(label, None)
    return list(seen)


def _number(value: Any) -> int:
    try:
        return max(0, int(float(value)))
    except (TypeError, ValueError):
        return 0
