"""Every write of implementation tracking (Step 10): action status, progress notes, ticked
milestones, early wins, progress reports, the public scorecard and the next plan cycle.

Each service takes the acting membership, checks its role, validates before saving and records
an audit event where a project manager would want to know who did it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalitions.models import EventKind, Membership
from coalitions.permissions import Can, require, role_allows
from coalitions.services import coalition_event_record
from plans.implementation.models import (
    Channel,
    EarlyWin,
    PlanCycle,
    ProgressNote,
    ProgressReport,
    ScorecardPublication,
)
from plans.map.blocks import date_words
from plans.map.models import (
    STATUSES_WITH_REASON,
    ExportFormat,
    ExportKind,
    ImplementationStatus,
    MapSectionDraft,
    MapVersion,
    Milestone,
    PlanExport,
    PriorityArea,
    SectionStatus,
    StrategicAction,
)

MAX_REPORT_DAYS = 3 * 366


def _require_in(actor: Membership, can: Can, coalition_id: int) -> None:
    """The record must be the actor's coalition's (else 404-like refusal) and the role enough."""
    if coalition_id != actor.coalition_id:
        raise PermissionDenied
    require(actor, can)


# --- the status of an action ----------------------------------------------------------------


@transaction.atomic
def strategic_action_status_set(
    *,
    actor: Membership,
    action: StrategicAction,
    status: str,
    reason: str = "",
    owner: Membership | None = None,
    note: str = "",
) -> StrategicAction:
    """Set where an action stands (and who owns it). A stalled or dropped action needs a
    reason; a change of status writes a progress note, so the notes are the history."""
    _require_in(actor, Can.CONTRIBUTE, action.coalition_id)
    if status not in ImplementationStatus.values:
        raise ValidationError({"status": _("Choose one of the statuses in the list.")})
    reason = reason.strip()
    if status in STATUSES_WITH_REASON and not reason:
        raise ValidationError(
            {
                "reason": _("Say why the action is %(status)s.")
                % {"status": ImplementationStatus(status).label.lower()}
            }
        )
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason under 2,000 characters.")})
    if owner is not None and owner.coalition_id != action.coalition_id:
        raise ValidationError({"owner": _("The owner must be a member of the coalition.")})
    changed = status != action.status
    action.status = status
    action.status_reason = reason if status in STATUSES_WITH_REASON else ""
    action.owner = owner
    if changed:
        action.status_changed_at = timezone.now()
    action.updated_by, action.updated_at = actor.user, timezone.now()
    action.save(
        update_fields=[
            "status",
            "status_reason",
            "owner",
            "status_changed_at",
            "updated_by",
            "updated_at",
        ]
    )
    if changed or note.strip():
        ProgressNote.objects.create(
            action=action,
            author=actor.user,
            text=note.strip()[:3000],
            status=status if changed else "",
        )
    if changed:
        coalition_event_record(
            actor.coalition,
            EventKind.ACTION_STATUS_CHANGED,
            actor.user,
            label=_("“%(action)s”: %(status)s")
            % {"action": action.title, "status": ImplementationStatus(status).label},
        )
    return action


def progress_note_add(
    *, actor: Membership, action: StrategicAction, text: str, public: bool = False
) -> ProgressNote:
    """A dated note on an action. Internal unless ``public``: then it may appear on the
    published scorecard (if the project manager publishes it)."""
    _require_in(actor, Can.CONTRIBUTE, action.coalition_id)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > 3000:
        raise ValidationError({"text": _("Keep the note under 3,000 characters.")})
    return ProgressNote.objects.create(action=action, author=actor.user, text=text, public=public)


def progress_note_may_change(actor: Membership, note: ProgressNote) -> bool:
    """Who may correct or delete a note: its author (while a member who may contribute) or a
    project manager."""
    if not role_allows(actor.role, Can.CONTRIBUTE):
        return False
    return note.author_id == actor.user_id or role_allows(actor.role, Can.RUN)


def _require_note(actor: Membership, note: ProgressNote) -> None:
    _require_in(actor, Can.CONTRIBUTE, note.action.coalition_id)
    if not progress_note_may_change(actor, note):
        raise PermissionDenied(
            _("Only the note's author or a project manager may correct or delete it.")
        )


def _note_label(note: ProgressNote) -> str:
    return _("the progress note of %(date)s on “%(action)s”") % {
        "date": date_words(timezone.localdate(note.created_at)),
        "action": note.action.title,
    }


@transaction.atomic
def progress_note_update(
    *, actor: Membership, note: ProgressNote, text: str, public: bool | None = None
) -> ProgressNote:
    """Correct a note's text (its author or a project manager). ``public`` (may the note
    appear on the public scorecard) stays its author's choice. A note that records a change
    of status keeps its status: only its words change."""
    _require_note(actor, note)
    if public is not None and public != note.public and note.author_id != actor.user_id:
        raise PermissionDenied(_("Only the note's author chooses whether it may be published."))
    text = text.strip()
    if not text and not note.status:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > 3000:
        raise ValidationError({"text": _("Keep the note under 3,000 characters.")})
    note.text = text
    if public is not None:
        note.public = public
    note.save(update_fields=["text", "public"])
    coalition_event_record(
        actor.coalition, EventKind.NOTE_CORRECTED, actor.user, label=_note_label(note)
    )
    return note


@transaction.atomic
def progress_note_delete(*, actor: Membership, note: ProgressNote) -> None:
    """Delete a note (its author or a project manager). A note that records a change of
    status is the action's history (progress reports read it): its words can be corrected
    or cleared, but it stays."""
    _require_note(actor, note)
    if note.status:
        raise ValidationError(
            _(
                "This note records a change of status, which stays in the action's history. "
                "Correct or clear its words instead."
            )
        )
    label = _note_label(note)
    note.delete()
    coalition_event_record(actor.coalition, EventKind.RECORD_DELETED, actor.user, label=label)


@transaction.atomic
def milestone_done_set(
    *, actor: Membership, milestone: Milestone, done_on: dt.date | None
) -> Milestone:
    """Tick a milestone done on a date (not in the future), or untick it (``None``)."""
    _require_in(actor, Can.CONTRIBUTE, milestone.action.coalition_id)
    if done_on is not None and done_on > timezone.localdate():
        raise ValidationError(
            {
                "done_on": _("%(date)s is in the future; tick a milestone once it is done.")
                % {"date": date_words(done_on)}
            }
        )
    milestone.done_on = done_on
    milestone.done_by = actor.user if done_on else None
    milestone.save(update_fields=["done_on", "done_by"])
    return milestone


# --- early wins (W10.1) -------------------------------------------------------------------------


@transaction.atomic
def early_win_save(
    *,
    actor: Membership,
    date: dt.date,
    description: str,
    action: StrategicAction | None = None,
    evidence: str = "",
    shared_with: Iterable[str] = (),
    public: bool = False,
    win: EarlyWin | None = None,
) -> EarlyWin:
    """Log an early win (or change one). Only a project manager may publish it (``public``)."""
    if win is None:
        require(actor, Can.CONTRIBUTE)
        win = EarlyWin(coalition=actor.coalition, created_by=actor.user)
    else:
        _require_in(actor, Can.CONTRIBUTE, win.coalition_id)
    if public != win.public and not role_allows(actor.role, Can.RUN):
        raise PermissionDenied(_("Only a project manager may publish an early win."))
    if action is not None and action.coalition_id != actor.coalition_id:
        raise ValidationError({"action": _("Choose one of the coalition's strategic actions.")})
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Say what happened.")})
    if date > timezone.localdate():
        raise ValidationError(
            {"date": _("%(date)s is in the future.") % {"date": date_words(date)}}
        )
    channels = list(dict.fromkeys(shared_with))
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise ValidationError({"shared_with": _("Choose from the list of audiences.")})
    win.action, win.date, win.description = action, date, description
    win.evidence, win.shared_with, win.public = evidence.strip(), channels, public
    win.full_clean()
    win.save()
    return win


def early_win_delete(*, actor: Membership, win: EarlyWin) -> None:
    _require_in(actor, Can.CONTRIBUTE, win.coalition_id)
    if win.public and not role_allows(actor.role, Can.RUN):
        raise PermissionDenied(_("Only a project manager may delete a published early win."))
    label = _("the early win of %(date)s") % {"date": date_words(win.date)}
    win.delete()
    coalition_event_record(actor.coalition, EventKind.RECORD_DELETED, actor.user, label=label)


@transaction.atomic
def early_wins_import_from_worksheet(*, actor: Membership) -> int:
    """Make records of the W10.1 worksheet's rows (written before wins were records); a row
    already imported (same date and text) is skipped, so this can run again. The worksheet's
    answers stay as they were, readable."""
    from plans.implementation.selectors import early_win_rows_from_worksheet

    require(actor, Can.CONTRIBUTE)
    coalition = actor.coalition
    have = set(coalition.early_wins.values_list("date", "description"))
    actions = {a.title.strip().casefold(): a for a in coalition.strategic_actions.all()}
    made = 0
    for row in early_win_rows_from_worksheet(coalition):
        if (row["date"], row["description"]) in have:
            continue
        EarlyWin.objects.create(
            coalition=coalition,
            action=actions.get(row["action_title"].strip().casefold()),
            date=row["date"],
            description=row["description"],
            evidence=row["evidence"],
            shared_with=[c for c in row["shared_with"] if c in Channel.values],
            public=False,  # published again only by a project manager's choice
            created_by=actor.user,
        )
        made += 1
    return made


# --- the public scorecard ------------------------------------------------------------------------


@transaction.atomic
def scorecard_publish(*, actor: Membership, show_reasons: bool = False) -> ScorecardPublication:
    """Publish the scorecard at its public address (opt-in; ``scorecard_unpublish`` revokes).
    ``show_reasons``: also show why actions stalled or were dropped."""
    require(actor, Can.RUN)
    publication, _created = ScorecardPublication.objects.select_for_update().get_or_create(
        coalition=actor.coalition
    )
    publication.published_at = timezone.now()
    publication.published_by = actor.user
    publication.show_reasons = show_reasons
    publication.save()
    coalition_event_record(actor.coalition, EventKind.SCORECARD_PUBLISHED, actor.user)
    return publication


@transaction.atomic
def scorecard_unpublish(*, actor: Membership) -> ScorecardPublication | None:
    require(actor, Can.RUN)
    publication = ScorecardPublication.objects.filter(coalition=actor.coalition).first()
    if publication is None or publication.published_at is None:
        return publication
    publication.published_at = None
    publication.save(update_fields=["published_at"])
    coalition_event_record(actor.coalition, EventKind.SCORECARD_UNPUBLISHED, actor.user)
    return publication


# --- progress reports -------------------------------------------------------------------------


@transaction.atomic
def progress_report_start(
    *,
    actor: Membership,
    period_start: dt.date,
    period_end: dt.date,
    formats: Iterable[str] = (ExportFormat.PDF,),
    include_reasons: bool = False,
) -> tuple[ProgressReport, list[PlanExport]]:
    """Freeze a progress report for a period (its document, in the plan's language) and
    start its files through the plan's export job. ``include_reasons``: say why actions
    stalled (internal words; a project manager's choice)."""
    from plans.implementation.report import build_report_document
    from plans.map.models import PlanSettings
    from plans.map.services import plan_export_start

    require(actor, Can.CONTRIBUTE)
    if include_reasons and not role_allows(actor.role, Can.RUN):
        raise PermissionDenied(_("Only a project manager may put stall reasons in a report."))
    if period_end < period_start:
        raise ValidationError({"period_end": _("The end of the period comes before its start.")})
    if (period_end - period_start).days > MAX_REPORT_DAYS:
        raise ValidationError({"period_end": _("A progress report covers at most three years.")})
    chosen = list(dict.fromkeys(formats))
    if not chosen or any(f not in ExportFormat.values for f in chosen):
        raise ValidationError({"formats": _("Choose PDF, Word or both.")})
    coalition = actor.coalition
    plan_settings = PlanSettings.objects.filter(coalition=coalition).first()
    language = plan_settings.plan_language if plan_settings else PlanSettings().plan_language
    document = build_report_document(
        coalition,
        period_start=period_start,
        period_end=period_end,
        language=language,
        include_reasons=include_reasons,
    )
    report = ProgressReport.objects.create(
        coalition=coalition,
        period_start=period_start,
        period_end=period_end,
        language=language,
        include_reasons=include_reasons,
        document=document,
        created_by=actor.user,
    )
    coalition_event_record(
        coalition,
        EventKind.PROGRESS_REPORT_MADE,
        actor.user,
        label=document["subtitle"],
    )
    exports = [
        plan_export_start(actor=actor, report=report, kind=ExportKind.PROGRESS, format=fmt)
        for fmt in chosen
    ]
    return report, exports


# --- the next cycle ------------------------------------------------------------------------------


@transaction.atomic
def plan_cycle_start(*, actor: Membership, version: MapVersion, note: str = "") -> PlanCycle:
    """Start a new cycle of the plan from a frozen version (the annual review, W8.5 and
    W10.5): the sections go back to draft for the next round of review, everything else
    (records, statuses, notes) carries on, and the next frozen version is compared with
    ``version``."""
    _require_in(actor, Can.RUN, version.coalition_id)
    coalition = actor.coalition
    last = PlanCycle.objects.select_for_update().filter(coalition=coalition).first()
    if last is not None and last.base_version_id == version.pk:
        raise ValidationError(
            _("A cycle was already started from version %(n)s.") % {"n": version.number}
        )
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep the note under 2,000 characters.")})
    cycle = PlanCycle.objects.create(
        coalition=coalition,
        number=(last.number if last else 1) + 1,
        base_version=version,
        note=note.strip(),
        started_by=actor.user,
    )
    MapSectionDraft.objects.filter(coalition=coalition).update(status=SectionStatus.DRAFT)
    coalition_event_record(
        coalition, EventKind.CYCLE_STARTED, actor.user, label=str(version.number)
    )
    return cycle


def cycle_candidate_adopt(*, actor: Membership, candidate: Mapping[str, Any]) -> PriorityArea:
    """Make a candidate of the next cycle (a W7.1 "later" or a W10.5 row) a priority area."""
    from plans.map.services import priority_area_save

    require(actor, Can.RUN)
    name = str(candidate.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("The candidate has no name.")})
    if actor.coalition.priority_areas.filter(name__iexact=name).exists():
        raise ValidationError(
            {"name": _("“%(name)s” is already a priority area.") % {"name": name}}
        )
    predictor = str(candidate.get("predictor") or "")
    return priority_area_save(
        actor=actor,
        name=name[:150],
        pillar=str(candidate.get("pillar") or ""),
        predictors=[predictor] if predictor else [],
        rationale=str(candidate.get("rationale") or "")[:2000],
    )
