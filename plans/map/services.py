"""Every write of the strategy records and the MAP: keyword-only, atomic, for an acting member.

A service that acts for a person takes the acting ``Membership`` (``actor``), works in that
member's coalition, checks the role docs/permissions.md gives the action, and records in the
coalition's audit log what a project manager would want to know (freeze, publish, deletes...).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coalitions.models import Coalition, EventKind, Membership
from coalitions.permissions import Can, require, role_allows
from coalitions.services import coalition_event_record
from core.jobs import (
    job_enqueue_on_commit,
    job_fail,
    job_progress,
    job_retry,
    job_save_once,
    job_succeed,
)
from core.models import JobStatus
from core.system import pdf_unavailable_message
from metrics.charts.formatting import UNITS, display_unit, value_input_text, value_parse
from metrics.models import LocalDataset
from notifications.services import notification_send
from plans import definitions, theory_of_change
from plans.map import metric_data, options
from plans.map.blocks import date_words
from plans.map.models import (
    BOTH_LANGUAGES,
    MAX_GOALS_PER_AREA,
    Decision,
    ElementKind,
    ExportFormat,
    ExportKind,
    HeadlineGoal,
    LogicElement,
    MapSectionDraft,
    MapVersion,
    MapVisibility,
    Measure,
    Milestone,
    PageSize,
    PlanExport,
    PlanSettings,
    PriorityArea,
    Review,
    ReviewerType,
    ReviewRound,
    SectionChoice,
    SectionStatus,
    StrategicAction,
    TheoryOfChange,
    Visibility,
    Vision,
)
from plans.models import NotificationKind

if TYPE_CHECKING:
    from plans.implementation.models import ProgressReport


def _check_keys(name: str, values: Iterable[str], allowed: list[tuple[str, str]]) -> list[str]:
    keys = {k for k, _label in allowed}
    values = [v for v in values if v]
    bad = [v for v in values if v not in keys]
    if bad:
        raise ValidationError({name: _("Unknown choice: %(v)s") % {"v": ", ".join(bad)}})
    return values


def _one_key(name: str, value: str, allowed: list[tuple[str, str]]) -> str:
    return _check_keys(name, [value], allowed)[0] if value else ""


def _require_in(actor: Membership, can: Can, record: Any) -> None:
    """The role check, and that the record is of the actor's coalition."""
    require(actor, can)
    if record.coalition_id != actor.coalition_id:
        raise PermissionDenied


def _record_deleted(actor: Membership, what: str) -> None:
    """Log a deletion; ``what`` names the record and its kind ("the priority area “Jobs”")."""
    coalition_event_record(actor.coalition, EventKind.RECORD_DELETED, actor.user, label=what)


# --- vision, priority areas, theories of change ----------------------------------------------


@transaction.atomic
def vision_save(
    *,
    actor: Membership,
    statement: str,
    adopted_on: dt.date | None = None,
    adopted_how: str = "",
) -> Vision:
    require(actor, Can.CONTRIBUTE)
    vision, _created = Vision.objects.select_for_update().get_or_create(
        coalition_id=actor.coalition_id
    )
    vision.statement = statement.strip()
    vision.adopted_on = adopted_on
    vision.adopted_how = adopted_how.strip()
    vision.updated_by, vision.updated_at = actor.user, timezone.now()
    vision.full_clean()
    vision.save()
    return vision


@transaction.atomic
def priority_area_save(
    *,
    actor: Membership,
    name: str,
    pillar: str = "",
    predictors: Sequence[str] = (),
    rationale: str = "",
    area: PriorityArea | None = None,
) -> PriorityArea:
    if area is None:
        require(actor, Can.CONTRIBUTE)
        coalition = actor.coalition
        area = PriorityArea(coalition=coalition, position=coalition.priority_areas.count())
    else:
        _require_in(actor, Can.CONTRIBUTE, area)
    pillar = _one_key("pillar", pillar, options.pillars())
    chosen = _check_keys("predictors", predictors, options.predictors())
    if pillar:
        inside = {p.key for p in definitions.framework().pillar(pillar).predictors}
        outside = [p for p in chosen if p not in inside]
        if outside:
            raise ValidationError(
                {
                    "predictors": _("These predictors belong to another pillar: %(p)s")
                    % {"p": ", ".join(outside)}
                }
            )
    area.name, area.pillar, area.predictors = name.strip(), pillar, chosen
    area.rationale = rationale.strip()
    area.full_clean()
    area.save()
    return area


@transaction.atomic
def priority_area_delete(*, area: PriorityArea, actor: Membership) -> None:
    _require_in(actor, Can.CONTRIBUTE, area)
    what = _("the priority area “%(name)s”") % {"name": area.name}
    area.delete()
    _record_deleted(actor, what)


@transaction.atomic
def theory_save(
    *,
    actor: Membership,
    problem: str,
    solution: str,
    impact_medium: str = "",
    impact_long: str = "",
    statement: str = "",
    priority_area: PriorityArea | None = None,
    theory: TheoryOfChange | None = None,
    from_worksheet: bool = False,
) -> TheoryOfChange:
    """Create or change a theory of change. Its parts are phrases the plan joins into one
    sentence (``plans.theory_of_change``); ``statement`` is the coalition's own text, kept
    empty while it equals that sentence so it follows later edits of the parts.

    A save by a person marks it edited; one made from the worksheets (``from_worksheet``)
    does not, so the pre-freeze check asks someone to look at the sentence.
    """
    if theory is None:
        require(actor, Can.CONTRIBUTE)
    else:
        _require_in(actor, Can.CONTRIBUTE, theory)
    coalition = actor.coalition
    if priority_area is not None and priority_area.coalition_id != coalition.pk:
        raise ValidationError({"priority_area": _("Choose one of this coalition's areas.")})
    clash = TheoryOfChange.objects.filter(coalition=coalition, priority_area=priority_area)
    if theory is not None:
        clash = clash.exclude(pk=theory.pk)
    if clash.exists():
        raise ValidationError(
            {"priority_area": _("There is already a theory of change for this area.")}
        )
    theory = theory or TheoryOfChange(coalition=coalition)
    theory.priority_area = priority_area
    theory.problem, theory.solution = problem.strip(), solution.strip()
    theory.impact_medium, theory.impact_long = impact_medium.strip(), impact_long.strip()
    # Keep the statement empty while it equals the formula, so it follows later edits.
    statement = statement.strip()
    joined = {theory.formula_statement, *theory_of_change.earlier_sentences(theory.parts)}
    theory.statement = "" if statement in joined else statement
    if not from_worksheet:
        theory.edited_at, theory.edited_by = timezone.now(), actor.user
    theory.full_clean()
    theory.save()
    return theory


@transaction.atomic
def theory_delete(*, theory: TheoryOfChange, actor: Membership) -> None:
    _require_in(actor, Can.CONTRIBUTE, theory)
    area = theory.priority_area
    what = (
        _("the theory of change of “%(area)s”") % {"area": area.name}
        if area
        else _("the theory of change of the whole plan")
    )
    theory.delete()
    _record_deleted(actor, what)


# --- headline goals ----------------------------------------------------------------------------

Typed = str | float | int | None


def _goal_value(
    errors: dict[str, str], name: str, value: Typed, unit: str, **kw: Any
) -> float | None:
    """A number of a goal: text as a person types it for the unit ("50%" for a share), a
    number as the unit stores it (0.5). Records a message in ``errors`` when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return value_parse(str(value), unit, **kw)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def _goal_source(
    actor: Membership, errors: dict[str, str], variable: str, dataset: LocalDataset | None
) -> metric_data.GoalSource | None:
    if bool(variable) == bool(dataset):
        errors["metric_variable"] = _(
            "Choose the indicator: a Mobility Metric or one of the coalition’s local datasets."
        )
        return None
    source = metric_data.goal_source(actor.coalition, variable=variable, dataset=dataset)
    if source is None:
        field = "metric_variable" if variable else "local_dataset"
        errors[field] = (
            _("Unknown Mobility Metric.")
            if variable
            else _("Choose one of this coalition’s datasets.")
        )
    return source


@transaction.atomic
def headline_goal_save(
    *,
    actor: Membership,
    priority_area: PriorityArea,
    target: Typed,
    target_date: dt.date | None,
    metric_variable: str = "",
    local_dataset: LocalDataset | None = None,
    indicator: str = "",
    baseline: Typed = None,
    baseline_date: dt.date | None = None,
    subgroup: str = "",
    gap_target: Typed = None,
    note: str = "",
    goal: HeadlineGoal | None = None,
) -> HeadlineGoal:
    """Create or change one of the one to three headline goals of a priority area.

    Values typed as text are read in the indicator's unit (a share in percent, a text ratio as
    ``a:b``); numbers are taken as the unit stores them. An empty baseline is the latest value
    of the data. Every problem is reported at its field, and nothing is saved unless all is
    right.
    """
    _require_in(actor, Can.CONTRIBUTE, goal or priority_area)
    if priority_area.coalition_id != actor.coalition_id:
        raise ValidationError({"priority_area": _("Choose one of this coalition's areas.")})
    # Lock the area so two people adding a fourth goal at once cannot both succeed.
    PriorityArea.objects.select_for_update().get(pk=priority_area.pk)
    siblings = HeadlineGoal.objects.filter(priority_area=priority_area)
    if goal is not None:
        siblings = siblings.exclude(pk=goal.pk)
    if siblings.count() >= MAX_GOALS_PER_AREA:
        raise ValidationError(
            {
                "priority_area": _(
                    "A priority area has at most %(n)s headline goals. Change or delete one of "
                    "“%(area)s” first."
                )
                % {"n": MAX_GOALS_PER_AREA, "area": priority_area.name}
            }
        )
    errors: dict[str, str] = {}
    variable = (metric_variable or "").strip()
    source = _goal_source(actor, errors, variable, local_dataset)
    unit = source.unit if source else "number"
    base = _goal_value(errors, "baseline", baseline, unit)
    if base is None and "baseline" not in errors and source is not None:
        found = metric_data.goal_baseline(actor.coalition, source)
        if found is not None:
            base, year = found
            baseline_date = baseline_date or dt.date(year, 12, 31)
        else:
            errors["baseline"] = _("The data have no value to start from: enter the baseline.")
    if base is not None and baseline_date is None:
        errors["baseline_date"] = _("Give the date of the baseline.")
    aim = _goal_value(errors, "target", target, unit)
    if aim is None and "target" not in errors:
        errors["target"] = _("Enter the target as a number.")
    if target_date is None:
        errors["target_date"] = _("Give the date by which the target should be reached.")
    elif baseline_date is not None and target_date <= baseline_date:
        errors["target_date"] = _(
            "The target date must come after the baseline date (%(date)s)."
        ) % {"date": date_words(baseline_date)}
    subgroup = (subgroup or "").strip()
    gap = _goal_value(errors, "gap_target", gap_target, unit, delta=True)
    if subgroup and source is not None:
        known = {g.casefold(): g for g in metric_data.goal_subgroups(actor.coalition, source)}
        if subgroup.casefold() not in known:
            errors["subgroup"] = _(
                "“%(group)s” has no data for this indicator here. Groups with data: %(known)s."
            ) % {"group": subgroup, "known": ", ".join(known.values()) or _("none")}
        else:
            subgroup = known[subgroup.casefold()]
    if gap is not None and not subgroup:
        errors["subgroup"] = _("Name the group whose gap the gap target is about.")
    if errors:
        raise ValidationError(errors)
    assert source is not None and base is not None and aim is not None
    assert baseline_date is not None and target_date is not None
    if goal is None:
        goal = HeadlineGoal(
            coalition=actor.coalition, priority_area=priority_area, position=siblings.count()
        )
    goal.priority_area = priority_area
    goal.metric_variable, goal.local_dataset = variable, source.dataset
    goal.indicator = (indicator or "").strip()[:200] or source.label[:200]
    goal.unit = unit
    goal.baseline_value, goal.baseline_date = base, baseline_date
    goal.target_value, goal.target_date = aim, target_date
    goal.subgroup, goal.gap_target = subgroup, gap
    goal.note = (note or "").strip()
    goal.updated_by, goal.updated_at = actor.user, timezone.now()
    goal.full_clean()
    goal.save()
    _values_follow(goal)
    coalition_event_record(
        actor.coalition,
        EventKind.GOAL_SAVED,
        actor.user,
        label=f"“{goal.indicator}” ({priority_area.name})",
    )
    return goal


@transaction.atomic
def headline_goal_delete(*, goal: HeadlineGoal, actor: Membership) -> None:
    _require_in(actor, Can.CONTRIBUTE, goal)
    what = _("the headline goal “%(goal)s”") % {"goal": goal.indicator}
    goal.delete()
    _record_deleted(actor, what)


# --- strategic actions and the measurement plan ----------------------------------------------

ACTION_FIELDS = (
    "title",
    "description",
    "target_population",
    "lead_organisation",
    "partners",
    "start_date",
    "end_date",
    "estimated_cost",
    "funding_source",
    "decision_asked",
)


def _orphan(measure: Measure) -> None:
    measure.element = None
    measure.orphaned_at = timezone.now()
    measure.save(update_fields=["element", "orphaned_at"])


def _sync_kind(action: StrategicAction, kind: str, texts: list[str]) -> None:
    """Make the action's elements of one kind match ``texts``, keeping each measure attached.

    An unchanged line keeps its element; a changed line at the same place is a rename (its
    measure follows the new wording); extra lines are new elements with new measure rows;
    removed lines flag their measure instead of deleting it.
    """
    existing = list(action.elements.filter(kind=kind).order_by("position", "pk"))
    unmatched = list(existing)
    plan: list[LogicElement | None] = []
    for text in texts:
        same = next((e for e in unmatched if e.text == text), None)
        if same is not None:
            unmatched.remove(same)
        plan.append(same)
    for i in range(len(texts)):
        if plan[i] is None:
            by_place = next((e for e in unmatched if existing.index(e) == i), None)
            if by_place is not None:
                unmatched.remove(by_place)
                plan[i] = by_place
    for element in unmatched:
        measure = Measure.objects.filter(element=element).first()
        if measure is not None:
            _orphan(measure)
        element.delete()
    for position, (text, maybe) in enumerate(zip(texts, plan, strict=True)):
        element = maybe or LogicElement(action=action, kind=kind)
        element.text, element.position = text, position
        element.save()
        measure, _created = Measure.objects.get_or_create(
            element=element,
            defaults={"coalition_id": action.coalition_id, "element_kind": kind},
        )
        measure.action_title, measure.element_text = action.title, text
        measure.element_kind = kind
        measure.save(update_fields=["action_title", "element_text", "element_kind"])


def _lines(value: str | Sequence[str]) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value)
    return [line.strip().lstrip("-•* ").strip()[:500] for line in items if line.strip()]


@transaction.atomic
def strategic_action_save(
    *,
    actor: Membership,
    fields: Mapping[str, Any],
    elements: Mapping[str, str | Sequence[str]],
    action: StrategicAction | None = None,
    milestones: Sequence[Mapping[str, Any]] | None = None,
) -> StrategicAction:
    """Create or change a logic model row and keep its measurement plan rows in step.

    ``elements`` maps an element kind (input, output, outcome_short, ...) to its lines.
    ``milestones`` (``id`` for an existing one, ``title``, ``due_date``), when given, become
    the action's milestones; each must fall between the action's start and end.
    """
    coalition = actor.coalition
    if action is None:
        require(actor, Can.CONTRIBUTE)
        action = StrategicAction(coalition=coalition, position=coalition.strategic_actions.count())
    else:
        _require_in(actor, Can.CONTRIBUTE, action)
    for name in ACTION_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(action, name, value.strip() if isinstance(value, str) else value)
    action.action_types = _check_keys(
        "action_types", fields.get("action_types", action.action_types), options.action_types()
    )
    action.systems_conditions = _check_keys(
        "systems_conditions",
        fields.get("systems_conditions", action.systems_conditions),
        options.systems_conditions(),
    )
    area = fields.get("priority_area", action.priority_area)
    if area is not None and area.coalition_id != coalition.pk:
        raise ValidationError({"priority_area": _("Choose one of this coalition's areas.")})
    group = fields.get("working_group", action.working_group)
    if group is not None and group.coalition_id != coalition.pk:
        raise ValidationError({"working_group": _("Choose one of this coalition's groups.")})
    action.priority_area, action.working_group = area, group
    if "funding_status" in fields:
        action.funding_status = _one_key(
            "funding_status", fields["funding_status"] or "", options.funding_statuses()
        )
    if action.estimated_cost is not None and action.estimated_cost < 0:
        raise ValidationError({"estimated_cost": _("A cost cannot be negative.")})
    if action.start_date and action.end_date and action.end_date < action.start_date:
        raise ValidationError({"end_date": _("The end comes before the start.")})
    action.updated_by, action.updated_at = actor.user, timezone.now()
    action.full_clean()
    if milestones is not None:
        rows = _milestones_check(action, milestones)
    action.save()
    if milestones is not None:
        _milestones_sync(action, rows)
    for kind in ElementKind.values:
        if kind in elements:
            _sync_kind(action, kind, _lines(elements[kind]))
    return action


MILESTONE_CODE = "milestone-"  # + the row's index: pages put the message on that row


def _milestones_check(
    action: StrategicAction, milestones: Sequence[Mapping[str, Any]]
) -> list[tuple[int | None, str, dt.date]]:
    """(id, title, due date) of each row, or every row's problem at once."""
    mine = set(action.milestones.values_list("pk", flat=True)) if action.pk else set()
    rows, errors = [], []
    for index, row in enumerate(milestones):
        title = str(row.get("title") or "").strip()
        due = row.get("due_date")
        pk = row.get("id")
        problem = ""
        if pk and pk not in mine:
            problem = _("This milestone belongs to another action.")
        elif not title:
            problem = _("Say what the milestone is.")
        elif not isinstance(due, dt.date):
            problem = _("Give the date of “%(title)s”.") % {"title": title}
        elif action.start_date and due < action.start_date:
            problem = _("“%(title)s” is due on %(due)s, before the action starts (%(start)s).") % {
                "title": title,
                "due": date_words(due),
                "start": date_words(action.start_date),
            }
        elif action.end_date and due > action.end_date:
            problem = _("“%(title)s” is due on %(due)s, after the action ends (%(end)s).") % {
                "title": title,
                "due": date_words(due),
                "end": date_words(action.end_date),
            }
        if problem:
            errors.append(ValidationError(problem, code=f"{MILESTONE_CODE}{index}"))
        else:
            assert isinstance(due, dt.date)
            rows.append((pk or None, title[:300], due))
    if errors:
        raise ValidationError({"milestones": errors})
    return rows


def _milestones_sync(action: StrategicAction, rows: list[tuple[int | None, str, dt.date]]) -> None:
    """Make the action's milestones the given rows; a row with an id keeps its record (and
    whatever else is recorded on it later, such as the date it was done)."""
    kept = [pk for pk, _title, _due in rows if pk]
    action.milestones.exclude(pk__in=kept).delete()
    for position, (pk, title, due) in enumerate(rows):
        milestone = Milestone(action=action) if pk is None else action.milestones.get(pk=pk)
        milestone.title, milestone.due_date, milestone.position = title, due, position
        milestone.save()


@transaction.atomic
def strategic_action_delete(*, action: StrategicAction, actor: Membership) -> None:
    _require_in(actor, Can.CONTRIBUTE, action)
    for measure in Measure.objects.filter(element__action=action):
        _orphan(measure)
    what = _("the strategic action “%(title)s”") % {"title": action.title}
    action.delete()
    _record_deleted(actor, what)


MEASURE_TEXT = (
    "measure",
    "baseline",
    "target",
    "gap_subgroup",
    "data_source",
    "responsible",
)


@transaction.atomic
def measure_save(
    *,
    measure: Measure,
    actor: Membership,
    fields: Mapping[str, Any],
    typed_numbers: bool = True,
) -> Measure:
    """Change a measurement plan row. Linking a metric fills an empty baseline from the data.

    On a linked metric, a baseline or target typed by a person must be a number in the
    metric's unit (``typed_numbers``); answers taken over from W8.1 are kept as written.
    """
    _require_in(actor, Can.CONTRIBUTE, measure)
    for name in MEASURE_TEXT:
        if name in fields:
            setattr(measure, name, (fields[name] or "").strip())
    for name in ("baseline_date", "target_date", "gap_reduction_percent"):
        if name in fields:
            setattr(measure, name, fields[name])
    if "kind" in fields:
        measure.kind = _one_key("kind", fields["kind"], options.measure_kinds())
    if "frequency" in fields:
        measure.frequency = _one_key("frequency", fields["frequency"], options.frequencies())
    if "disaggregation" in fields:
        measure.disaggregation = _check_keys(
            "disaggregation", fields["disaggregation"], options.disaggregations()
        )
    if "audience" in fields:
        measure.audience = _check_keys("audience", fields["audience"], options.audiences())
    _measure_unit_subgroups(measure, fields)
    if "metric_variable" in fields:
        variable = (fields["metric_variable"] or "").strip()
        if variable and variable not in dict(metric_data.metric_choices()):
            raise ValidationError({"metric_variable": _("Unknown Mobility Metric.")})
        measure.metric_variable = variable
        if variable and not measure.kind:
            measure.kind = "mobility_metric"
        found = metric_data.baseline_for(measure.coalition, variable) if variable else None
        if found is not None and not measure.baseline and found.value is not None:
            # as a person types it for the unit ("39.9076%"); pages format it ("39.9%")
            measure.baseline = value_input_text(found.value, found.unit)
            measure.baseline_date = dt.date(found.year, 12, 31)
    if measure.metric_variable and typed_numbers:
        _measure_numbers_check(measure, fields)
    if measure.gap_reduction_percent is not None and not (0 < measure.gap_reduction_percent <= 100):
        raise ValidationError({"gap_reduction_percent": _("Give a share between 1 and 100.")})
    if measure.gap_reduction_percent and not measure.gap_subgroup:
        raise ValidationError({"gap_subgroup": _("Name the group whose gap should close.")})
    _measure_numbers_set(measure, guess_unit=not fields.get("unit"))
    measure.updated_by, measure.updated_at = actor.user, timezone.now()
    measure.full_clean()
    measure.save()
    if "metric_variable" in fields:
        _values_follow(measure)
    return measure


def _measure_unit_subgroups(measure: Measure, fields: Mapping[str, Any]) -> None:
    """A measure's unit and subgroups; neither changes under values already saved in them."""
    saved = measure.values.all() if measure.pk else None
    if fields.get("unit") and fields["unit"] != measure.unit:
        if fields["unit"] not in UNITS:
            raise ValidationError({"unit": _("Choose a unit from the list.")})
        if saved is not None and saved.exists() and not measure.metric_variable:
            raise ValidationError(
                {"unit": _("This measure has values in its unit: delete them to change it.")}
            )
        measure.unit = fields["unit"]
    if "subgroups" in fields:
        names = [str(n).strip()[:80] for n in fields["subgroups"] or [] if str(n).strip()]
        if len(names) > 20:
            raise ValidationError({"subgroups": _("Name at most 20 subgroups.")})
        dropped = set(measure.subgroups or []) - set(names)
        if dropped and saved is not None and saved.filter(subgroup__in=dropped).exists():
            raise ValidationError(
                {
                    "subgroups": _(
                        "Values are saved for %(names)s: delete them before removing the subgroup."
                    )
                    % {"names": ", ".join(sorted(dropped))}
                }
            )
        measure.subgroups = names


def _measure_numbers_set(measure: Measure, *, guess_unit: bool) -> None:
    """The numbers behind the text baseline and target, in the metric's unit when linked
    (plans.tracking); text that is no number keeps no number and is shown as written."""
    from plans.tracking.periods import number_from_text, unit_guess

    if measure.metric_variable:
        measure.unit = display_unit(metric_data.metric_info(measure.metric_variable)["unit"])
    elif guess_unit and measure.unit == "number" and not measure.values.exists():
        measure.unit = unit_guess(measure.baseline or measure.target)
    measure.baseline_value = number_from_text(measure.baseline, measure.unit)
    measure.target_value = number_from_text(measure.target, measure.unit)


def _values_follow(owner: Measure | HeadlineGoal) -> None:
    """A measure or goal linked to a metric takes its values from the active release."""
    from plans.tracking.releases import owner_metric_sync

    if owner.metric_variable:
        owner_metric_sync(owner)


def _measure_numbers_check(measure: Measure, fields: Mapping[str, Any]) -> None:
    """A baseline or target typed for a measure on a metric is a number in the metric's unit."""
    unit = metric_data.metric_info(measure.metric_variable)["unit"]
    errors = {}
    for name in ("baseline", "target"):
        text = getattr(measure, name)
        if name not in fields or not text:
            continue
        try:
            value_parse(text, unit)
        except ValueError as exc:
            sentence = (
                _("This measure follows a Mobility Metric, so its baseline is a number.")
                if name == "baseline"
                else _("This measure follows a Mobility Metric, so its target is a number.")
            )
            errors[name] = f"{exc} {sentence}"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_dismiss(*, measure: Measure, actor: Membership) -> None:
    """Remove a flagged row whose logic model element was deleted (and only such a row)."""
    _require_in(actor, Can.CONTRIBUTE, measure)
    if not measure.is_orphaned:
        raise ValidationError(_("Only a measure whose element was deleted can be removed."))
    measure.delete()


# --- prefill from the worksheets --------------------------------------------------------------


def _answer(coalition: Coalition, record: str) -> dict[str, Any]:
    """The coalition's shared answers of the worksheet whose answers become ``record``."""
    from plans.selectors import shared_response

    response = shared_response(coalition, options.record_worksheet(record).key)
    return dict(response.data) if response else {}


@transaction.atomic
def strategy_import_from_worksheets(*, actor: Membership) -> dict[str, int]:
    """Create the strategy records from the worksheets that feed them (Steps 7 and 8), so
    nobody types them twice.

    Only what does not exist yet is created (an empty vision, areas and actions by name), so
    running it again after editing the records changes nothing.
    """
    require(actor, Can.CONTRIBUTE)
    coalition = actor.coalition
    made = {"vision": 0, "priorities": 0, "theories": 0, "actions": 0, "measures": 0}
    adopted_vision = _answer(coalition, "vision")
    vision = Vision.objects.filter(coalition=coalition).first()
    if adopted_vision.get("final") and not (vision and vision.statement):
        adopted = adopted_vision.get("adopted_on")
        vision_save(
            actor=actor,
            statement=str(adopted_vision["final"]),
            adopted_on=dt.date.fromisoformat(adopted) if adopted else None,
            adopted_how=str(adopted_vision.get("adopted_how") or ""),
        )
        made["vision"] = 1
    areas = {a.name: a for a in coalition.priority_areas.all()}
    for row in _answer(coalition, "priorities").get("priorities") or []:
        if row.get("selected") not in (None, "yes"):
            continue
        pillar, predictor = row.get("pillar") or "", row.get("predictor") or ""
        try:
            name = (
                definitions.framework().predictor(predictor).name
                if predictor
                else definitions.framework().pillar(pillar).name
            )
        except KeyError:
            continue
        if name in areas:
            continue
        if predictor and not pillar:
            pillar = definitions.framework().predictor(predictor).pillar
        areas[name] = priority_area_save(
            actor=actor,
            name=name,
            pillar=pillar,
            predictors=[predictor] if predictor else [],
            rationale=str(row.get("rationale") or ""),
        )
        made["priorities"] += 1
    for record in _answer(coalition, "theories").get("records") or []:
        area = areas.get(str(record.get("priority_area") or "").strip())
        if TheoryOfChange.objects.filter(coalition=coalition, priority_area=area).exists():
            continue
        if not (record.get("problem") and record.get("solution")):
            continue
        theory_save(
            actor=actor,
            priority_area=area,
            problem=str(record["problem"]),
            solution=str(record["solution"]),
            impact_medium=str(record.get("impact_medium") or ""),
            impact_long=str(record.get("impact_long") or ""),
            statement=str(record.get("statement") or ""),
            from_worksheet=True,
        )
        made["theories"] += 1
    titles = set(coalition.strategic_actions.values_list("title", flat=True))
    for record in _answer(coalition, "actions").get("records") or []:
        title = str(record.get("strategic_action") or "").strip()[:300]
        if not title or title in titles:
            continue
        area = _area_for(areas, record)
        strategic_action_save(
            actor=actor,
            fields={
                "title": title,
                "action_types": record.get("action_type") or [],
                "systems_conditions": record.get("systems_conditions") or [],
                "target_population": str(record.get("target_population") or ""),
                "lead_organisation": str(record.get("lead") or "")[:200],
                "partners": ", ".join(record.get("partners") or [])[:500],
                "start_date": _date(record.get("start_date")),
                "end_date": _date(record.get("end_date")),
                "priority_area": area,
            },
            elements={
                kind: str(record.get(_ELEMENT_FIELDS[kind]) or "") for kind in ElementKind.values
            },
        )
        titles.add(title)
        made["actions"] += 1
    made["measures"] = _measures_from_worksheet(actor)
    return made


def _measures_from_worksheet(actor: Membership) -> int:
    """Fill still-empty measures from the measurement plan worksheet's rows that name the same
    action and element level."""
    from plans.selectors import member_names

    coalition = actor.coalition
    names = member_names(coalition).members
    filled = 0
    for record in _answer(coalition, "measures").get("records") or []:
        if not record.get("measure"):
            continue
        rows = Measure.objects.filter(
            coalition=coalition,
            element__action__title=str(record.get("strategic_action") or "").strip(),
            element_kind=record.get("element_type") or "",
        )
        if rows.filter(measure=str(record["measure"]).strip()).exists():
            continue  # taken over before
        target = rows.filter(measure="").order_by("element__position").first()
        if target is None:
            continue
        person = names.get(record.get("responsible_person"), "")
        responsible = ", ".join(p for p in (person, record.get("responsible_org") or "") if p)
        measure_save(
            measure=target,
            actor=actor,
            fields={
                "measure": str(record["measure"]),
                "kind": record.get("measure_kind") or "",
                "metric_variable": record.get("metric") or "",
                "baseline": str(record.get("baseline") or ""),
                "baseline_date": _date(record.get("baseline_date")),
                "target": str(record.get("target") or ""),
                "target_date": _date(record.get("target_date")),
                "disaggregation": record.get("disaggregation") or [],
                "data_source": str(record.get("data_source") or ""),
                "frequency": record.get("frequency") or "",
                "responsible": responsible[:200],
                "audience": record.get("audience") or [],
            },
            typed_numbers=False,
        )
        filled += 1
    return filled


# The logic model worksheet's field of each element kind.
_ELEMENT_FIELDS = {
    "input": "inputs",
    "output": "outputs",
    "outcome_short": "outcomes_short",
    "outcome_medium": "outcomes_medium",
    "outcome_long": "outcomes_long",
}


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _area_for(areas: Mapping[str, PriorityArea], record: Mapping[str, Any]) -> PriorityArea | None:
    for key, lookup in (
        ("priority_predictor", definitions.framework().predictor),
        ("priority_pillar", definitions.framework().pillar),
    ):
        if record.get(key):
            try:
                name = lookup(record[key]).name
            except KeyError:
                continue
            if name in areas:
                return areas[name]
    return None


# --- MAP sections, reviews, versions --------------------------------------------------------


def _section_keys() -> list[str]:
    return [s.key for s in definitions.map_sections()]


UNCHANGED = "unchanged"


@transaction.atomic
def map_section_save(
    *,
    actor: Membership,
    key: str,
    narrative: str | None = None,
    translations: Mapping[str, str] | None = None,
    owner: Membership | None | str = UNCHANGED,
    status: str | None = None,
) -> MapSectionDraft:
    """Change a section's narrative (a member), owner or status (the project manager).

    ``narrative`` is in the plan's own language; ``translations`` gives the narrative in the
    plan's second language (language code → Markdown; only the plan's second language is
    accepted, an empty text removes it). A changed narrative of an approved section, in any
    language, sends it back to draft: the approval was for other words.
    """
    require(actor, Can.CONTRIBUTE)
    if (owner != UNCHANGED or status is not None) and not role_allows(actor.role, Can.RUN):
        raise PermissionDenied(_("Only the project manager sets owners and status."))
    if key not in _section_keys():
        raise ValidationError(_("There is no MAP section %(key)s.") % {"key": key})
    section, _created = MapSectionDraft.objects.select_for_update().get_or_create(
        coalition_id=actor.coalition_id, key=key
    )
    changed = narrative is not None and narrative != section.narrative
    if narrative is not None:
        section.narrative = narrative
    if translations is not None:
        merged = _narrative_translations(actor.coalition, section.translations, translations)
        changed = changed or merged != (section.translations or {})
        section.translations = merged
    if changed and section.status == SectionStatus.APPROVED:
        section.status = SectionStatus.DRAFT
    if owner != UNCHANGED:
        if isinstance(owner, Membership) and owner.coalition_id != actor.coalition_id:
            raise ValidationError({"owner": _("Choose a member of this coalition.")})
        section.owner = owner if isinstance(owner, Membership) else None
    if status is not None:
        if status not in SectionStatus.values:
            raise ValidationError({"status": _("Unknown status.")})
        section.status = status
    section.updated_by, section.updated_at = actor.user, timezone.now()
    section.full_clean()
    section.save()
    return section


def _narrative_translations(
    coalition: Coalition, current: Mapping[str, str] | None, given: Mapping[str, str]
) -> dict[str, str]:
    """The section's narratives in other languages after ``given``: only the plan's second
    language is accepted (a ValidationError on ``translations`` names the others)."""
    from plans.map.front import plan_languages

    others = plan_languages(coalition)[1:]
    unknown = sorted(code for code in given if code not in others)
    if unknown:
        raise ValidationError(
            {
                "translations": _(
                    "The plan has no second language %(codes)s. Choose the plan's second "
                    "language on the cover page first."
                )
                % {"codes": ", ".join(unknown)}
            }
        )
    merged = dict(current or {})
    for code, text in given.items():
        if len(text) > NARRATIVE_MAX:
            raise ValidationError(
                {"translations": _("Keep each narrative under 20,000 characters.")}
            )
        if text.strip():
            merged[code] = text
        else:
            merged.pop(code, None)
    return merged


# The narrative field's own limit (MapSectionDraft.narrative), for its other languages too.
NARRATIVE_MAX = 20000


def _set_all_sections(coalition: Coalition, status: str) -> None:
    for key in _section_keys():
        section, _created = MapSectionDraft.objects.get_or_create(coalition=coalition, key=key)
        section.status = status
        section.save(update_fields=["status"])


@transaction.atomic
def review_round_start(
    *,
    actor: Membership,
    reviewers: Sequence[tuple[Membership, str]],
    note: str = "",
    site_url: str | None = None,
) -> ReviewRound:
    """Ask chosen members to review the draft MAP; every section goes into review and each
    reviewer is notified (``site_url`` makes the emailed link absolute)."""
    require(actor, Can.RUN)
    coalition = actor.coalition
    if not reviewers:
        raise ValidationError({"reviewers": _("Choose at least one reviewer.")})
    if ReviewRound.objects.filter(coalition=coalition, closed_at__isnull=True).exists():
        raise ValidationError(_("A review is already open. Wait for its decisions first."))
    review_round = ReviewRound.objects.create(
        coalition=coalition, requested_by=actor.user, note=note.strip()
    )
    seen: set[int] = set()
    for membership, reviewer_type in reviewers:
        if membership.coalition_id != coalition.pk:
            raise ValidationError({"reviewers": _("Reviewers must be members.")})
        if reviewer_type not in ReviewerType.values:
            raise ValidationError({"reviewers": _("Unknown type of reviewer.")})
        if membership.pk in seen:
            continue
        seen.add(membership.pk)
        Review.objects.create(round=review_round, reviewer=membership, reviewer_type=reviewer_type)
    _set_all_sections(coalition, SectionStatus.IN_REVIEW)
    coalition_event_record(coalition, EventKind.REVIEW_REQUESTED, actor.user)
    for review in review_round.reviews.select_related("reviewer__user"):
        notification_send(
            user=review.reviewer.user,
            coalition=coalition,
            kind=NotificationKind.REVIEW_REQUEST,
            text=_lazy("%(who)s asks you to review the Mobility Action Plan."),
            params={"who": actor.user.display_name},
            url=reverse("map:review_decide", args=[coalition.pk, review.pk]),
            body=review_round.note,
            dedupe_key=f"review:{review.pk}:requested",
            site_url=site_url,
        )
    return review_round


@transaction.atomic
def review_decide(*, review: Review, actor: Membership, decision: str, comment: str = "") -> Review:
    """Record one reviewer's decision (only theirs, whatever their role). A request to revise
    closes the round and sends the MAP back to draft; when every reviewer has approved, the
    MAP is approved."""
    if review.reviewer_id != actor.pk:
        raise PermissionDenied(_("Only the reviewer can record this decision."))
    review_round = ReviewRound.objects.select_for_update().get(pk=review.round_id)
    if review_round.closed_at is not None:
        raise ValidationError(_("This review is closed."))
    if decision not in (Decision.APPROVED, Decision.APPROVED_WITH_CHANGES, Decision.REVISE):
        raise ValidationError({"decision": _("Choose a decision.")})
    if decision != Decision.APPROVED and not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    review.decision, review.comment, review.decided_at = decision, comment.strip(), timezone.now()
    review.save()
    coalition = review_round.coalition
    decisions = list(review_round.reviews.values_list("decision", flat=True))
    if Decision.REVISE in decisions:
        review_round.closed_at, review_round.outcome = timezone.now(), "revise"
        _set_all_sections(coalition, SectionStatus.DRAFT)
    elif Decision.PENDING not in decisions:
        review_round.closed_at, review_round.outcome = timezone.now(), "approved"
        _set_all_sections(coalition, SectionStatus.APPROVED)
    review_round.save()
    coalition_event_record(
        coalition, EventKind.REVIEW_DECIDED, actor.user, label=str(review.get_decision_display())
    )
    return review


@transaction.atomic
def map_version_freeze(*, actor: Membership, override_reason: str = "") -> MapVersion:
    """Freeze the MAP as it stands: a new numbered, immutable version.

    The check before freezing (``plans.map.checks``) runs on the very document being frozen.
    With findings, the project manager must give a reason to freeze anyway; the version keeps
    the findings and the reason (internal, never in the document). Without one: a
    ``ValidationError`` naming ``override_reason`` with the findings under ``findings``.
    """
    from plans.map.checks import freeze_check
    from plans.map.document import PUBLIC, build_document

    require(actor, Can.RUN)
    coalition = actor.coalition
    last = (
        MapVersion.objects.select_for_update()
        .filter(coalition=coalition)
        .order_by("-number")
        .first()
    )
    number = (last.number if last else 0) + 1
    statuses = dict(
        MapSectionDraft.objects.filter(coalition=coalition).values_list("key", "status")
    )
    approved = all(statuses.get(k) == SectionStatus.APPROVED for k in _section_keys())
    document = build_document(coalition, audience=PUBLIC, version=number)
    # The same version in the plan's second language, frozen in the same moment.
    translations = {
        code: build_document(coalition, audience=PUBLIC, version=number, language=code)
        for code in document["languages"][1:]
    }
    findings = freeze_check(coalition, document=document)
    reason = override_reason.strip()
    if findings and not reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "The check before freezing found %(n)s things to fix. Fix them, or say "
                    "why this version should be frozen anyway."
                )
                % {"n": len(findings)},
                "findings": [f["text"] for f in findings],
            }
        )
    if len(reason) > 2000:
        raise ValidationError({"override_reason": _("Keep the reason under 2,000 characters.")})
    version = MapVersion.objects.create(
        coalition=coalition,
        number=number,
        document=document,
        translations=translations,
        release_name=document["release_name"],
        approved=approved,
        frozen_by=actor.user,
        check_findings=findings,
        check_override_reason=reason if findings else "",
    )
    label = (
        _("%(n)s, despite %(count)s findings of the check (“%(reason)s”)")
        % {"n": number, "count": len(findings), "reason": reason[:200]}
        if findings
        else str(number)
    )
    coalition_event_record(coalition, EventKind.VERSION_FROZEN, actor.user, label=label)
    return version


@transaction.atomic
def map_version_publish(*, version: MapVersion, actor: Membership) -> MapVersion:
    """Make an approved version public (Step 9), with its PDF. Opt-in and revocable.

    Who published is the VERSION_PUBLISHED event of the coalition's audit log.
    """
    _require_in(actor, Can.RUN, version)
    if not version.approved:
        raise ValidationError(_("Only a version frozen after approval can be published."))
    made = version.exports.filter(
        status=JobStatus.SUCCEEDED, kind=ExportKind.PLAN, format=ExportFormat.PDF
    )
    if not made.exists():
        raise ValidationError(_("Export this version as a PDF first, so it can be published."))
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    coalition_event_record(
        actor.coalition, EventKind.VERSION_PUBLISHED, actor.user, label=str(version.number)
    )
    return version


@transaction.atomic
def map_version_unpublish(*, version: MapVersion, actor: Membership) -> MapVersion:
    _require_in(actor, Can.RUN, version)
    version.published_at = None
    version.save(update_fields=["published_at"])
    coalition_event_record(
        actor.coalition, EventKind.VERSION_UNPUBLISHED, actor.user, label=str(version.number)
    )
    return version


# --- what the plan publishes --------------------------------------------------------------------


def _feeding_worksheet(key: str):
    """A coalition worksheet that feeds some MAP section, or a field error."""
    fed = {k for s in definitions.map_sections() for k in s.fed_by}
    try:
        ws = definitions.worksheet(key)
    except KeyError:
        ws = None
    if ws is None or key not in fed or ws.filled_by.mode != "coalition":
        raise ValidationError(
            {"worksheet": _("No worksheet %(key)s feeds the plan.") % {"key": key}}
        )
    return ws


@transaction.atomic
def map_visibility_set(
    *, actor: Membership, worksheet: str, field_path: str, visibility: str
) -> MapVisibility | None:
    """Set a feeding worksheet field's (or table column's) visibility for the coalition; an
    empty ``visibility`` goes back to the definition's default. Project manager only."""
    from plans.map.presentation import default_visibility

    require(actor, Can.RUN)
    ws = _feeding_worksheet(worksheet)
    field_key, _dot, column_key = field_path.partition(".")
    try:
        default = default_visibility(ws, field_key, column_key)
    except KeyError:
        raise ValidationError(
            {
                "field": _("%(number)s has no field %(field)s.")
                % {"number": ws.number, "field": field_path}
            }
        ) from None
    if visibility and visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose public or internal.")})
    coalition = actor.coalition
    found = MapVisibility.objects.filter(
        coalition=coalition, worksheet_key=ws.key, field_path=field_path
    )
    label = f"{ws.number} {field_path}"
    if not visibility or visibility == default:
        deleted, _rows = found.delete()
        if deleted:
            coalition_event_record(
                coalition, EventKind.PUBLICATION_CHANGED, actor.user, label=f"{label}: {default}"
            )
        return None
    row, _created = MapVisibility.objects.update_or_create(
        coalition=coalition,
        worksheet_key=ws.key,
        field_path=field_path,
        defaults={"visibility": visibility, "updated_by": actor.user, "updated_at": timezone.now()},
    )
    coalition_event_record(
        coalition, EventKind.PUBLICATION_CHANGED, actor.user, label=f"{label}: {visibility}"
    )
    return row


@transaction.atomic
def section_rows_choose(
    *,
    actor: Membership,
    section: str,
    worksheet: str,
    field: str = "",
    rows: Sequence[str] | None,
) -> SectionChoice | None:
    """Choose which rows of a table (``field``) or records of a repeating worksheet (``field``
    empty) section ``section`` publishes; ``rows=None`` publishes every row again."""
    from plans.map.presentation import row_ids
    from plans.selectors import shared_response

    require(actor, Can.RUN)
    if section not in _section_keys():
        raise ValidationError({"section": _("There is no MAP section %(key)s.") % {"key": section}})
    ws = _feeding_worksheet(worksheet)
    if ws.key not in next(s.fed_by for s in definitions.map_sections() if s.key == section):
        raise ValidationError(
            {"worksheet": _("%(number)s does not feed this section.") % {"number": ws.number}}
        )
    if field:
        try:
            is_table = ws.field(field).type == "table"
        except KeyError:
            is_table = False
        if not is_table:
            raise ValidationError({"field": _("Choose rows of a table of this worksheet.")})
    elif not ws.repeats:
        raise ValidationError({"field": _("Name the table whose rows you choose.")})
    coalition = actor.coalition
    found = SectionChoice.objects.filter(
        coalition=coalition, section_key=section, worksheet_key=ws.key, field_key=field
    )
    label = f"{section} {ws.number} {field}".strip()
    if rows is None:
        found.delete()
        coalition_event_record(
            coalition, EventKind.PUBLICATION_CHANGED, actor.user, label=f"{label}: all rows"
        )
        return None
    response = shared_response(coalition, ws.key)
    known = row_ids(ws, response.data if response else {}, field)
    unknown = [r for r in rows if r not in known]
    if unknown:
        raise ValidationError(
            {
                "rows": _("These rows are not in the worksheet (any more): %(ids)s")
                % {"ids": ", ".join(unknown)}
            }
        )
    choice, _created = SectionChoice.objects.update_or_create(
        coalition=coalition,
        section_key=section,
        worksheet_key=ws.key,
        field_key=field,
        defaults={
            "rows": list(dict.fromkeys(rows)),
            "updated_by": actor.user,
            "updated_at": timezone.now(),
        },
    )
    coalition_event_record(
        coalition,
        EventKind.PUBLICATION_CHANGED,
        actor.user,
        label=_("%(what)s: %(n)s rows chosen") % {"what": label, "n": len(choice.rows)},
    )
    return choice


@transaction.atomic
def section_publication_save(
    *,
    actor: Membership,
    section: str,
    visibility: Mapping[tuple[str, str], str],
    choices: Mapping[tuple[str, str], Sequence[str] | None],
) -> None:
    """Save a section's page of choices at once: field visibilities (``(worksheet, field
    path) -> "public" | "internal" | ""``) and rows (``(worksheet, field) -> ids | None``).
    All or nothing; only what changed is written (and logged)."""
    from plans.map.presentation import visibility as current_visibility
    from plans.map.selectors import publication_for

    require(actor, Can.RUN)
    pub = publication_for(actor.coalition)
    for (worksheet, path), value in visibility.items():
        ws = _feeding_worksheet(worksheet)
        field_key, _dot, column_key = path.partition(".")
        try:
            now = current_visibility(ws, pub, field_key, column_key)
        except KeyError:
            now = ""  # the service below says what is wrong
        if value != now:
            map_visibility_set(actor=actor, worksheet=worksheet, field_path=path, visibility=value)
            # A table's visibility decides its columns': read them again.
            pub = publication_for(actor.coalition)
    for (worksheet, field_key), rows in choices.items():
        key = f"{section}:{worksheet}:{field_key}"
        before = pub.chosen.get(key)
        if (rows is None and before is None) or (
            rows is not None and before is not None and set(rows) == set(before)
        ):
            continue
        section_rows_choose(
            actor=actor, section=section, worksheet=worksheet, field=field_key, rows=rows
        )


# --- PDF export --------------------------------------------------------------------------------

EXPORT_BUSY = _lazy("This export is already being made; wait for it to finish.")


def pdf_export_check() -> None:
    """Refuse an export where this server cannot make PDFs, saying why."""
    problem = pdf_unavailable_message()
    if problem:
        raise ValidationError(problem)


# --- the plan's cover and front matter ------------------------------------------------------


@transaction.atomic
def plan_settings_save(
    *,
    actor: Membership,
    acknowledgements: str = "",
    page_size: str = PageSize.LETTER,
    language: str = "",
    second_language: str = "",
    acknowledgements_translations: Mapping[str, str] | None = None,
    logo: File | None = None,
    remove_logo: bool = False,
) -> PlanSettings:
    """Change how the plan document looks (the project manager). A new logo is checked to be a
    real PNG, JPEG or WebP image of at most 2 MB before anything is saved; the old logo file is
    kept for the versions frozen with it.

    ``second_language`` makes the plan bilingual: each section's narrative is kept in both
    languages. Narratives stay with their language: when the plan's own language changes to
    the former second one, the sections' texts change places (and so do the
    acknowledgements, whose second-language text is ``acknowledgements_translations``)."""
    from plans.map.front import logo_check

    require(actor, Can.RUN)
    if page_size not in PageSize.values:
        raise ValidationError({"page_size": _("Choose US Letter or A4.")})
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages of the site.")})
    if second_language and second_language not in dict(settings.LANGUAGES):
        raise ValidationError({"second_language": _("Choose one of the languages of the site.")})
    if second_language and second_language == (language or settings.LANGUAGE_CODE):
        raise ValidationError(
            {"second_language": _("Choose a second language other than the plan's own.")}
        )
    checked = None
    data = b""
    if logo is not None:
        logo.seek(0)
        data = logo.read(LOGO_READ_LIMIT)
        checked = logo_check(data)
    chosen, _created = PlanSettings.objects.select_for_update().get_or_create(
        coalition_id=actor.coalition_id
    )
    chosen.acknowledgements = acknowledgements.strip()
    was = chosen.plan_language
    chosen.page_size, chosen.language = page_size, language
    chosen.second_language = second_language
    if acknowledgements_translations is not None:
        others = dict(chosen.acknowledgements_translations or {})
        for code, text in acknowledgements_translations.items():
            if code not in chosen.plan_languages[1:]:
                raise ValidationError(
                    {"acknowledgements_translations": _("Choose the plan's second language.")}
                )
            others[code] = text.strip()
        chosen.acknowledgements_translations = {c: t for c, t in others.items() if t}
    if chosen.plan_language != was:
        _narratives_follow_language(actor.coalition, was, chosen.plan_language)
        others = dict(chosen.acknowledgements_translations or {})
        if chosen.acknowledgements:
            others[was] = chosen.acknowledgements
        chosen.acknowledgements = others.pop(chosen.plan_language, "")
        chosen.acknowledgements_translations = others
    if remove_logo and checked is None:
        chosen.logo, chosen.logo_name, chosen.logo_type = "", "", ""
        chosen.logo_width = chosen.logo_height = 0
    if checked is not None and logo is not None:
        chosen.logo_type = checked.content_type
        chosen.logo_width, chosen.logo_height = checked.width, checked.height
        chosen.logo_name = os.path.basename(logo.name or "")[:200]
        chosen.logo.save(chosen.logo_name or "logo", ContentFile(data), save=False)
    chosen.updated_by, chosen.updated_at = actor.user, timezone.now()
    chosen.full_clean()
    chosen.save()
    coalition_event_record(actor.coalition, EventKind.PLAN_SETTINGS_CHANGED, actor.user)
    return chosen


def _narratives_follow_language(coalition: Coalition, was: str, now: str) -> None:
    """The plan's own language changed from ``was`` to ``now``: each section's narrative
    written in ``now`` becomes the main one and the former main one is kept under ``was``."""
    for section in MapSectionDraft.objects.select_for_update().filter(coalition=coalition):
        others = dict(section.translations or {})
        if section.narrative.strip():
            others[was] = section.narrative
        section.narrative = others.pop(now, "")
        section.translations = others
        section.save(update_fields=["narrative", "translations"])


# More than the largest logo allowed, so an oversized file is read far enough to be refused.
LOGO_READ_LIMIT = 2 * 1024 * 1024 + 1


@transaction.atomic
def plan_partners_set(*, actor: Membership, listed: Iterable[int]) -> list[Membership]:
    """The project manager ticks which members' organisations the plan names (all at once)."""
    from coalitions.services import membership_listing_set

    require(actor, Can.RUN)
    wanted = set(listed)
    changed = []
    for membership in actor.coalition.memberships.exclude(organisation=""):
        if membership.listed_in_plan != (membership.pk in wanted):
            changed.append(
                membership_listing_set(
                    actor_membership=actor, membership=membership, listed=membership.pk in wanted
                )
            )
    return changed


# --- exports: the plan and its summary, as PDF and Word ----------------------------------------

EXPORT_STEPS = 4  # document, HTML (or Word layout), file, stored


def _export_what(version: MapVersion | None, kind: str, fmt: str, language: str = "") -> str:
    """The audit log's words for an export: "the summary of version 2 (Word)"."""
    if kind == ExportKind.PROGRESS:
        return f"{_('a progress report')} ({ExportFormat(fmt).label})"
    of = _("version %(n)s") % {"n": version.number} if version else _("the draft")
    what = _("the summary of %(of)s") % {"of": of} if kind == ExportKind.SUMMARY else of
    how = ", ".join(str(x) for x in (ExportFormat(fmt).label, export_language_label(language)) if x)
    return f"{what} ({how})"


def export_language_label(language: str) -> str:
    """A reader's words for an export's language: "Spanish", "Both languages"; empty for
    the plan's own language."""
    if language == BOTH_LANGUAGES:
        return str(_("Both languages, one after the other"))
    return str(dict(settings.LANGUAGES).get(language, "")) if language else ""


@transaction.atomic
def plan_export_start(
    *,
    actor: Membership,
    version: MapVersion | None = None,
    kind: str = ExportKind.PLAN,
    format: str = ExportFormat.PDF,  # noqa: A002 - the API's and the model's name
    language: str = "",
    report: ProgressReport | None = None,
) -> PlanExport:
    """Create the export row of a frozen version (or of the current draft): the full plan or
    its summary, as PDF or Word, in one of the plan's languages (empty: its own) or in
    ``BOTH_LANGUAGES``, one after the other in one file; or of a frozen progress report
    (``kind`` progress, with ``report``). Queue the rendering once the row is committed."""
    from plans.map.tasks import plan_export_run_task

    if version is None:
        require(actor, Can.CONTRIBUTE)
    else:
        _require_in(actor, Can.CONTRIBUTE, version)
    if kind not in ExportKind.values:
        raise ValidationError({"kind": _("Choose the full plan or the summary.")})
    if (kind == ExportKind.PROGRESS) != (report is not None):
        raise ValidationError(
            {"kind": _("A progress report is exported from the progress reports page.")}
        )
    if report is not None:
        _require_in(actor, Can.CONTRIBUTE, report)
    if format not in ExportFormat.values:
        raise ValidationError({"format": _("Choose PDF or Word.")})
    if format == ExportFormat.PDF:
        pdf_export_check()
    coalition = actor.coalition
    export_language_check(coalition, version, language)
    export = job_save_once(
        PlanExport(
            coalition=coalition,
            version=version,
            report=report,
            kind=kind,
            format=format,
            language=language,
            started_by=actor.user,
            progress_total=EXPORT_STEPS,
        ),
        busy_message=EXPORT_BUSY,
    )
    label = _export_what(version, kind, format, language)
    coalition_event_record(coalition, EventKind.EXPORT_STARTED, actor.user, label=label)
    job_enqueue_on_commit(export, plan_export_run_task)
    return export


@transaction.atomic
def plan_export_retry(*, actor: Membership, export: PlanExport) -> PlanExport:
    """Queue a failed export again (who may start an export may retry it)."""
    if export.version is None:
        require(actor, Can.CONTRIBUTE)
    else:
        _require_in(actor, Can.CONTRIBUTE, export.version)
    if export.coalition_id != actor.coalition_id:
        raise PermissionDenied
    if export.format == ExportFormat.PDF:
        pdf_export_check()
    export = job_retry(export, busy_message=EXPORT_BUSY)
    coalition_event_record(
        actor.coalition,
        EventKind.EXPORT_STARTED,
        actor.user,
        label=_export_what(export.version, export.kind, export.format, export.language),
    )
    return export


def export_languages(coalition: Coalition, version: MapVersion | None) -> list[str]:
    """The languages an export can be made in: the version's, or the draft's (the plan's)."""
    from plans.map.front import plan_languages

    return version.languages if version is not None else plan_languages(coalition)


def export_language_check(coalition: Coalition, version: MapVersion | None, language: str) -> None:
    languages = export_languages(coalition, version)
    if language == BOTH_LANGUAGES and len(languages) > 1:
        return
    if language and language not in languages:
        names = dict(settings.LANGUAGES)
        raise ValidationError(
            {
                "language": _("This plan is written in %(languages)s; choose one of them.")
                % {"languages": ", ".join(str(names.get(code, code)) for code in languages)}
            }
        )


def export_document(export: PlanExport) -> dict[str, Any]:
    """What an export renders, in its first language (see ``export_documents``)."""
    return export_documents(export)[0]


def export_documents(export: PlanExport) -> list[dict[str, Any]]:
    """What an export renders: the version's stored document, or the draft as the public
    would read it; for a summary, the summary made from that same document. One document per
    language the export asked for (both of a bilingual plan's, in the plan's order)."""
    from plans.map.document import PUBLIC, build_document, upgrade_document
    from plans.map.summary import summary_document

    if export.kind == ExportKind.PROGRESS and export.report is not None:
        return [dict(export.report.document)]  # frozen when the report was made
    version = export.version
    available = export_languages(export.coalition, version)
    if export.language == BOTH_LANGUAGES:
        languages = available
    else:
        languages = [export.language if export.language in available else available[0]]
    documents = []
    for language in languages:
        # The draft as the public would read it: exports are what leaves the coalition. A
        # version frozen before the plan was made of blocks is read in today's shape.
        document = (
            upgrade_document(version.document_in(language))
            if version is not None
            else build_document(export.coalition, audience=PUBLIC, language=language)
        )
        documents.append(
            summary_document(document) if export.kind == ExportKind.SUMMARY else document
        )
    return documents


def plan_export_run(*, export: PlanExport) -> PlanExport:
    """Render an export: the full plan or its summary, as PDF (WeasyPrint) or Word
    (python-docx), from one document.

    Run by ``plan_export_run_task`` through ``core.jobs.job_run``, which claims the row and,
    if rendering raises, logs the traceback and fails the row with the error for the page.
    """
    if export.format == ExportFormat.PDF:
        problem = pdf_unavailable_message()
        if problem:
            job_fail(export, problem)
            return export
    from plans.map.pdf import document_pdf, documents_pdf
    from plans.map.word import documents_docx

    job_progress(export, done=0, total=EXPORT_STEPS)
    documents = export_documents(export)
    job_progress(export, done=1)
    if export.format == ExportFormat.DOCX:
        content, pages = documents_docx(documents), 0
        job_progress(export, done=2)
    else:
        # The PDF renderer reports step 2 (HTML ready) itself; 3 is the PDF, 4 the stored file.
        def progress(n: int) -> None:
            job_progress(export, done=n)

        if len(documents) == 1:
            content, pages = document_pdf(documents[0], progress=progress)
        else:
            content, pages = documents_pdf(documents, progress=progress)
    job_progress(export, done=3)
    with transaction.atomic():
        export.file.save(f"export-{export.pk}.{export.format}", ContentFile(content), save=False)
        export.size, export.pages = len(content), pages
        export.save(update_fields=["file", "size", "pages"])
    job_progress(export, done=EXPORT_STEPS)
    if pages:
        job_succeed(export, _("%(n)s pages.") % {"n": pages})
    else:
        job_succeed(export)
    return export
