"""Every write to the planning workspace.

Each service that acts for a person takes the acting membership (``actor``) and works in its
coalition. It checks the role matrix of docs/permissions.md itself (``coalitions.permissions.
require`` and the worksheet rules of ``plans.permissions``: PermissionDenied, a 403), then
validates the data, keeps history and records in the coalition's audit log what a project
manager would want to know. Views only choose a page's minimum role and what it shows.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from coalitions.models import Coalition, EventKind, Membership, WorkingGroup
from coalitions.permissions import Can, require
from coalitions.services import coalition_event_record
from core.storage import storage_quota_check
from notifications.services import Deferred, notification_send
from plans import definitions, selectors
from plans.content import SUPERSEDING_RECORDS, Field, Worksheet
from plans.display import records, value_text
from plans.models import (
    Assignment,
    ChecklistTick,
    Comment,
    NotificationKind,
    ResponseStatus,
    Revision,
    StepState,
    StepStatus,
    WorksheetFile,
    WorksheetResponse,
)
from plans.permissions import require_own, require_worksheet_edit

logger = logging.getLogger(__name__)

MAX_RECORDS = 100


class WorksheetConflict(Exception):
    """Someone saved the response after the version this save started from."""

    def __init__(self, response: WorksheetResponse, attempted: Mapping[str, Any]):
        super().__init__(f"{response.worksheet_key} is at version {response.version}")
        self.response = response
        self.attempted = dict(attempted)


@dataclass
class SaveResult:
    response: WorksheetResponse
    errors: dict[str, list[str]] = field(default_factory=dict)
    changed: bool = False


# --- answers --------------------------------------------------------------------------------


def _person_ids(f: Field, value: Any) -> list[int]:
    if value is None:
        return []
    if f.type == "person":
        return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int)]
    if f.type == "table":
        rows = value.values() if isinstance(value, Mapping) else value
        people = [c for c in f.columns if c.type == "person"]
        return [i for row in rows for c in people for i in _person_ids(c, row.get(c.key))]
    return []


def _metric_names(f: Field, value: Any) -> list[str]:
    if value is None:
        return []
    if f.type == "metric":
        return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
    if f.type == "table":
        rows = value.values() if isinstance(value, Mapping) else value
        metrics = [c for c in f.columns if c.type == "metric"]
        return [v for row in rows for c in metrics for v in _metric_names(c, row.get(c.key))]
    return []


def _clean_record(
    ws: Worksheet, data: Mapping[str, Any], member_ids: set[int]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate the fields present in ``data``; return the clean ones and errors by field key."""
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in ws.fields:
        if f.key not in data or f.type == "guidance":
            continue
        value, errs = definitions.validate_value(f, data[f.key])
        if not errs and any(pid not in member_ids for pid in _person_ids(f, value)):
            errs = [_("Please choose a member of this coalition.")]
        unknown_metrics = [
            m for m in _metric_names(f, value) if m not in selectors.metric_catalog()
        ]
        if not errs and unknown_metrics:
            errs = [
                _("%(names)s is not a Mobility Metric; please pick one from the list.")
                % {"names": ", ".join(unknown_metrics)}
            ]
        if errs:
            errors[f.key] = list(errs)
        else:
            clean[f.key] = value
    unknown = [k for k in data if k not in {f.key for f in ws.fields}]
    if unknown:
        errors["__all__"] = [_("Unknown fields: %(keys)s") % {"keys": ", ".join(unknown)}]
    return clean, errors


def worksheet_answers_merge(
    ws: Worksheet, old: Mapping[str, Any], data: Mapping[str, Any], member_ids: set[int]
):
    """The new data: valid answers replace old ones; an invalid answer keeps what was saved.

    Pure (no writes): the conflict screen uses it to compare answers as a save would store them.
    """
    if not ws.repeats:
        clean, errors = _clean_record(ws, data, member_ids)
        return _drop_empty({**old, **clean}), errors
    incoming = data.get("records", old.get("records", []))
    if not isinstance(incoming, list):
        return dict(old), {"__all__": [_("The records could not be read.")]}
    if len(incoming) > MAX_RECORDS:
        return dict(old), {
            "__all__": [_("At most %(n)s records can be kept here.") % {"n": MAX_RECORDS}]
        }
    old_records = records(ws, old)
    new_records, errors = [], {}
    for i, rec in enumerate(incoming):
        base = dict(old_records[i]) if i < len(old_records) else {}
        clean, errs = _clean_record(ws, rec if isinstance(rec, Mapping) else {}, member_ids)
        new_records.append(_drop_empty({**base, **clean}))
        errors.update({f"{i}.{k}": v for k, v in errs.items()})
    return {**old, "records": new_records}, errors


def _blank(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(_blank(v) for v in value.values())
    if isinstance(value, list):
        return all(_blank(v) for v in value)
    return value is None or value == "" or value is False


def _drop_empty(record: dict[str, Any]) -> dict[str, Any]:
    # A blank answer (empty table, nothing ticked) is stored as no answer, so sending an
    # untouched form makes no new version.
    return {k: v for k, v in record.items() if not _blank(v)}


def superseded_message(f: Field) -> str:
    """Why an answer whose place records took (``superseded_by``) cannot change."""
    return str(SUPERSEDING_RECORDS[f.superseded_by][1])


def _as_saved(f: Field, value: Any) -> Any:
    # Old answers may be stored less tidily than a save stores them today (no empty cells).
    if value is None:
        return None
    clean, errors = definitions.validate_value(f, value)
    return value if errors else _drop_empty({f.key: clean}).get(f.key)


def _keep_superseded(ws: Worksheet, old: Mapping, new: dict, errors: dict | None = None) -> None:
    """Answers superseded by records keep what was saved; a change to one is an error.

    A save that leaves them as they were (or does not send them) is fine."""
    superseded = [f for f in ws.fields if f.superseded_by]
    if not superseded:
        return
    pairs: list[tuple[str, Mapping, dict]]
    if ws.repeats:
        before = records(ws, old)
        pairs = [
            (f"{i}.", before[i] if i < len(before) else {}, rec)
            for i, rec in enumerate(new.get("records") or [])
        ]
    else:
        pairs = [("", old, new)]
    for prefix, was, now in pairs:
        for f in superseded:
            same = _as_saved(f, was.get(f.key)) == _as_saved(f, now.get(f.key))
            # Kept exactly as stored, even when sent back tidier.
            if f.key in was:
                now[f.key] = was[f.key]
            else:
                now.pop(f.key, None)
            if not same and errors is not None:
                errors[prefix + f.key] = [superseded_message(f)]


def _check_sharing_change(
    actor: Membership, ws: Worksheet, old: Mapping, new: dict, errors: dict
) -> None:
    """Only the data lead (MANAGE_DATA) sets how individual answers are shared, and once answers
    are in, the setting may become more private, never more open."""
    for individual in definitions.worksheets():
        setting = definitions.sharing_setting(individual)
        if setting is None or setting[0].key != ws.key:
            continue
        key = setting[1].key
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        require(actor, Can.MANAGE_DATA)
        if before is None or after is None:
            continue
        answered = WorksheetResponse.objects.filter(
            coalition=actor.coalition,
            worksheet_key=individual.key,
            owner__isnull=False,
            version__gt=0,
        ).exists()
        order = selectors.sharing_order(individual)
        if answered and order.index(after) < order.index(before):
            errors[key] = [
                _(
                    "Members have already answered under the current setting, so it can only "
                    "become more private, not more open."
                )
            ]
            new[key] = before


def _response_for_update(
    coalition: Coalition, ws: Worksheet, owner: Membership | None
) -> WorksheetResponse:
    response, _created = WorksheetResponse.objects.get_or_create(
        coalition=coalition, worksheet_key=ws.key, owner=owner
    )
    # The row lock serialises two saves of the same response; the version check does the rest.
    return WorksheetResponse.objects.select_for_update().get(pk=response.pk)


def _only_mine(response: WorksheetResponse, base_version: int, editor: str) -> bool:
    """Every version after ``base_version`` was saved by this page (``editor``)."""
    if not editor or base_version > response.version or base_version < 0:
        return False
    since = list(
        response.revisions.filter(version__gt=base_version).values_list(
            "first_version", "version", "editor"
        )
    )
    # A coalesced revision covers versions first_version..version; together the revisions
    # since the base must cover every version, so none is missing from the check.
    covered = sum(last - max(first - 1, base_version) for first, last, _e in since)
    return covered == response.version - base_version and all(e == editor for *_v, e in since)


def _coalesce_into(response: WorksheetResponse, author: User, note: str) -> Revision | None:
    """The author's revision this save continues, if it is one person's continuous editing."""
    minutes = settings.REVISION_COALESCE_MINUTES
    if minutes <= 0 or note:
        return None
    latest = response.revisions.order_by("-version").first()
    if (
        latest is None
        or latest.author_id != author.pk
        or latest.note
        or latest.closed
        or latest.version != response.version - 1
    ):
        return None
    if response.updated_at - latest.started_at >= dt.timedelta(minutes=minutes):
        return None
    return latest


def _record_revision(
    response: WorksheetResponse, author: User, note: str, editor: str = ""
) -> Revision:
    latest = _coalesce_into(response, author, note)
    if latest is not None:
        latest.version = response.version
        latest.data = response.data
        latest.editor = editor[:32]
        latest.created_at = response.updated_at
        latest.saves += 1
        latest.save(update_fields=["version", "data", "editor", "created_at", "saves"])
        return latest
    return Revision.objects.create(
        coalition_id=response.coalition_id,
        response=response,
        version=response.version,
        first_version=response.version,
        data=response.data,
        author=author,
        note=note[:200],
        editor=editor[:32],
        started_at=response.updated_at,
        created_at=response.updated_at,
    )


def worksheet_response_save(
    *,
    actor: Membership,
    worksheet_key: str,
    data: Mapping[str, Any],
    base_version: int,
    owner: Membership | None = None,
    note: str = "",
    all_or_nothing: bool = False,
    editor: str = "",
) -> SaveResult:
    """Save the answers in ``data`` on top of version ``base_version``.

    ``owner`` is None for a coalition worksheet; for an individual one it is the actor (people
    give only their own answers). Fields missing from ``data`` keep their saved value; an
    invalid answer is reported in ``errors`` under its field key (``"<record>.<field>"`` for
    repeating worksheets) and the saved value stays. Raises ``WorksheetConflict`` when the
    response moved past ``base_version``: then nothing is saved. Saving what is already stored
    makes no version. With ``all_or_nothing`` (the API) any error means nothing is saved.
    ``editor`` names the open page saving: versions that page saved itself (its autosave racing
    its Save button) are not a conflict.
    """
    ws = definitions.worksheet(worksheet_key)
    require_worksheet_edit(actor, ws)
    if (owner is None) != (ws.filled_by.mode == "coalition"):
        raise ValidationError(_("This worksheet is not filled in that way."))
    if owner is not None and owner.pk != actor.pk:
        raise PermissionDenied(_("Only the member who gives these answers may change them."))
    coalition = actor.coalition
    if (
        owner is not None
        and ws.filled_by.sharing_setting
        and not selectors.sharing_mode(coalition, ws)
    ):
        raise ValidationError(
            _("The data lead has not yet said how answers will be shared. Please wait for that.")
        )
    try:
        return _save_locked(actor, ws, owner, data, base_version, note, all_or_nothing, editor)
    except WorksheetConflict as conflict:
        # What the conflict was about stays in the history: the next save, by anyone,
        # starts a new revision instead of continuing this one.
        conflict.response.revisions.filter(version=conflict.response.version).update(closed=True)
        raise


def _save_locked(
    actor: Membership,
    ws: Worksheet,
    owner: Membership | None,
    data: Mapping[str, Any],
    base_version: int,
    note: str,
    all_or_nothing: bool,
    editor: str,
) -> SaveResult:
    coalition = actor.coalition
    member_ids = set(coalition.memberships.values_list("pk", flat=True))
    with transaction.atomic():
        response = _response_for_update(coalition, ws, owner)
        if response.version != base_version and not _only_mine(response, base_version, editor):
            raise WorksheetConflict(response, data)
        new, errors = worksheet_answers_merge(ws, response.data, data, member_ids)
        _keep_superseded(ws, response.data, new, errors)
        _check_sharing_change(actor, ws, response.data, new, errors)
        if new == response.data or (errors and all_or_nothing):
            return SaveResult(response, errors, changed=False)
        response.data = new
        response.version += 1
        response.updated_by = actor.user
        response.updated_at = timezone.now()
        if response.status == ResponseStatus.NOT_STARTED:
            response.status = ResponseStatus.IN_PROGRESS
        response.save()
        _record_revision(response, actor.user, note, editor)
        _step_started(coalition, ws.step, actor.user)
    return SaveResult(response, errors, changed=True)


def _step_started(coalition: Coalition, step: int, user: User) -> None:
    """The first answer in a step moves it from "not started" to "in progress"."""
    state, created = StepState.objects.get_or_create(
        coalition=coalition,
        step=step,
        defaults={"status": StepStatus.IN_PROGRESS, "updated_by": user},
    )
    if not created and state.status == StepStatus.NOT_STARTED:
        StepState.objects.filter(pk=state.pk).update(
            status=StepStatus.IN_PROGRESS, updated_by=user, updated_at=timezone.now()
        )


def missing_required(ws: Worksheet, data: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for i, record in enumerate(records(ws, data)):
        for f in ws.fields:
            _v, errs = definitions.validate_value(f, record.get(f.key), check_required=True)
            if errs:
                errors[f"{i}.{f.key}" if ws.repeats else f.key] = list(errs)
    if ws.repeats and not records(ws, data):
        errors["__all__"] = [_("Add at least one record first.")]
    return errors


def _response_to_change(actor: Membership, worksheet_key: str) -> WorksheetResponse:
    """The response the actor works on, locked, once they may change it; none yet: an error."""
    ws = definitions.worksheet(worksheet_key)
    require_worksheet_edit(actor, ws)
    response = selectors.response_for(actor.coalition, ws, actor)
    if response is None or response.version == 0:
        raise ValidationError(_("Answer some questions first."))
    require_own(actor, response)
    return WorksheetResponse.objects.select_for_update().get(pk=response.pk)


@transaction.atomic
def worksheet_response_mark(
    *, actor: Membership, worksheet_key: str, complete: bool
) -> dict[str, list[str]]:
    """Mark the actor's response complete (every required answer given) or back in progress.

    Returns the answers still needed (nothing is changed then)."""
    response = _response_to_change(actor, worksheet_key)
    ws = definitions.worksheet(response.worksheet_key)
    if complete:
        errors = missing_required(ws, response.data)
        if errors:
            return errors
        response.status, response.completed_at = ResponseStatus.COMPLETE, timezone.now()
    else:
        response.status, response.completed_at = ResponseStatus.IN_PROGRESS, None
    response.save(update_fields=["status", "completed_at"])
    return {}


@transaction.atomic
def worksheet_response_restore(
    *, actor: Membership, worksheet_key: str, version: int
) -> WorksheetResponse:
    """Make an old version the current one again, as a new version (history is kept)."""
    response = _response_to_change(actor, worksheet_key)
    revision = response.revisions.filter(version=version).first()
    if revision is None:
        raise ValidationError(_("There is no version %(v)s.") % {"v": version})
    data = dict(revision.data)
    # Answers superseded by records stay as they are now: the records took their place.
    _keep_superseded(definitions.worksheet(worksheet_key), response.data, data)
    response.data = data
    response.version += 1
    response.updated_by = actor.user
    response.updated_at = timezone.now()
    response.save()
    _record_revision(response, actor.user, _("Restored version %(v)s") % {"v": version})
    return response


def worksheet_file_store(
    *, actor: Membership, worksheet_key: str, field_key: str, upload: Any
) -> dict:
    """Store an uploaded file for a file field and return the answer value that names it."""
    ws = definitions.worksheet(worksheet_key)
    require_worksheet_edit(actor, ws)
    f = ws.field(field_key)
    name = str(getattr(upload, "name", "") or "file")[:255]
    limit = (f.max_size_mb or 20) * 1024 * 1024
    if upload.size > limit:
        raise ValidationError(
            _("This file is larger than %(mb)s MB.") % {"mb": f.max_size_mb or 20}
        )
    value, errs = definitions.validate_value(f, {"id": 1, "name": name})
    if errs:
        raise ValidationError(list(errs))
    storage_quota_check(coalition_id=actor.coalition_id, adding=upload.size)
    stored = WorksheetFile.objects.create(
        coalition=actor.coalition,
        file=upload,
        original_name=name,
        size=upload.size,
        uploaded_by=actor.user,
    )
    return {"id": stored.pk, "name": name}


def _named_file_ids(value: Any) -> Iterator[int]:
    if isinstance(value, Mapping):
        if isinstance(value.get("id"), int) and isinstance(value.get("name"), str):
            yield value["id"]
        for item in value.values():
            yield from _named_file_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _named_file_ids(item)


def worksheet_files_discard(
    *, actor: Membership, file_ids: list[int], keep: Mapping[str, Any]
) -> int:
    """Delete files just stored for a save that the saved answers ``keep`` do not name.

    A save refused as stale (a conflict) or invalid leaves its uploads behind; they take
    room on disk and count towards the coalition's quota. Returns how many were removed."""
    named = set(_named_file_ids(keep))
    files = WorksheetFile.objects.filter(
        coalition=actor.coalition, pk__in=file_ids, uploaded_by=actor.user
    ).exclude(pk__in=named)
    count = 0
    for stored in files:
        stored.file.delete(save=False)
        stored.delete()
        count += 1
    return count


def measures_start(*, actor: Membership) -> SaveResult:
    """Start the measurement plan (W8.1) with one measure per logic-model element for each
    strategic action of the worksheet its ``strategic_action`` answers link to (W7.4)."""
    ws = definitions.worksheet_by_role("measures")
    require_worksheet_edit(actor, ws)
    coalition = actor.coalition
    current = selectors.shared_response(coalition, ws.key)
    if current and records(ws, current.data):
        raise ValidationError(_("Worksheet %(n)s already has measures.") % {"n": ws.number})
    actions = selectors.strategic_actions(coalition)
    if not actions:
        source = definitions.worksheet(ws.field("strategic_action").links_to)
        raise ValidationError(
            _("Add strategic actions in Worksheet %(n)s first.") % {"n": source.number}
        )
    limit = ws.field("strategic_action").max_length or 200
    kinds = [o.key for o in ws.field("element_type").options]
    rows = [{"strategic_action": a[:limit], "element_type": k} for a in actions for k in kinds]
    return worksheet_response_save(
        actor=actor,
        worksheet_key=ws.key,
        data={"records": rows[:MAX_RECORDS]},
        base_version=current.version if current else 0,
        note=_("Started with one measure per element for each strategic action"),
    )


# --- steps, checklists, assignments ---------------------------------------------------------


@transaction.atomic
def step_status_set(*, actor: Membership, step: int, status: str) -> StepState:
    """The project manager sets a step's status (reopening a complete one is counted)."""
    require(actor, Can.RUN)
    the_step = definitions.step(step)
    if status not in StepStatus.values:
        raise ValidationError(_("Unknown step status."))
    state, _created = StepState.objects.select_for_update().get_or_create(
        coalition=actor.coalition, step=step
    )
    before = state.status
    if state.status == StepStatus.COMPLETE and status != StepStatus.COMPLETE:
        state.reopened_count += 1
    state.status = status
    state.completed_at = timezone.now() if status == StepStatus.COMPLETE else None
    state.updated_by, state.updated_at = actor.user, timezone.now()
    state.save()
    if status != before:
        label = _("Step %(n)s: %(title)s") % {"n": the_step.number, "title": the_step.title}
        coalition_event_record(
            actor.coalition,
            EventKind.STEP_STATUS_CHANGED,
            actor.user,
            label=f"{label} ({StepStatus(status).label})",
            step=step,
            status=status,
        )
    return state


@transaction.atomic
def checklist_tick_set(
    *, actor: Membership, step: int, item_key: str, ticked: bool
) -> ChecklistTick | None:
    require(actor, Can.RUN)
    if item_key not in {i.key for i in definitions.step(step).checklist}:
        raise ValidationError(_("That is not an item of this step's checklist."))
    coalition = actor.coalition
    if not ticked:
        ChecklistTick.objects.filter(coalition=coalition, step=step, item_key=item_key).delete()
        return None
    tick, _created = ChecklistTick.objects.get_or_create(
        coalition=coalition,
        step=step,
        item_key=item_key,
        defaults={"ticked_by": actor.user, "ticked_at": timezone.now()},
    )
    return tick


@transaction.atomic
def assignment_create(
    *,
    actor: Membership,
    step: int,
    worksheet_key: str = "",
    owner: Membership | None = None,
    working_group: WorkingGroup | None = None,
    due_date: Any = None,
    note: str = "",
) -> Assignment:
    require(actor, Can.INVITE)
    definitions.step(step)
    if worksheet_key and definitions.worksheet(worksheet_key).step != step:
        raise ValidationError(_("That worksheet belongs to another step."))
    if (owner is None) == (working_group is None):
        raise ValidationError(_("Choose either a person or a working group."))
    for thing in (owner, working_group):
        if thing is not None and thing.coalition_id != actor.coalition_id:
            raise ValidationError(_("Choose someone from this coalition."))
    return Assignment.objects.create(
        coalition=actor.coalition,
        step=step,
        worksheet_key=worksheet_key,
        owner=owner,
        working_group=working_group,
        due_date=due_date,
        note=note[:300],
        created_by=actor.user,
    )


def assignment_delete(*, actor: Membership, assignment: Assignment) -> None:
    require(actor, Can.INVITE)
    if assignment.coalition_id != actor.coalition_id:
        raise PermissionDenied
    assignment.delete()


# --- comments and mentions ---------------------------------------------------------------------


def _worksheet_title(key: str) -> Deferred:
    # Titles follow the active language: rendered with the notification, in the reader's.
    return Deferred(lambda: str(definitions.worksheet(key).title))


_MENTION = re.compile(r"(?<![\w@])@([\w.\-]+)")


def mentioned_members(coalition: Coalition, body: str) -> list[Membership]:
    handles = {h.lower() for h in _MENTION.findall(body)}
    if not handles:
        return []
    members = coalition.memberships.select_related("user")
    return [m for m in members if selectors.member_handle(m).lower() in handles]


@transaction.atomic
def comment_create(
    *,
    actor: Membership,
    worksheet_key: str,
    field_key: str = "",
    body: str,
    request_base: str = "",
) -> Comment:
    """Add a comment; every @mentioned member gets a notification in the app and an email."""
    require(actor, Can.CONTRIBUTE)
    coalition = actor.coalition
    ws = definitions.worksheet(worksheet_key)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Please write a comment.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("A comment can be at most 5,000 characters long.")})
    if field_key and field_key not in {f.key for f in ws.fields}:
        raise ValidationError({"field_key": _("This worksheet has no such question.")})
    comment = Comment.objects.create(
        coalition=coalition,
        worksheet_key=ws.key,
        field_key=field_key,
        author=actor.user,
        body=body,
    )
    mentioned = [m for m in mentioned_members(coalition, body) if m.pk != actor.pk]
    comment.mentions.set(mentioned)
    url = reverse("plans:worksheet", args=[coalition.pk, ws.key]) + f"#comment-{comment.pk}"
    for m in mentioned:
        # In the recipient's language, and by email if they chose so (notifications).
        notification_send(
            user=m.user,
            coalition=coalition,
            kind=NotificationKind.MENTION,
            text=gettext_lazy("%(who)s mentioned you on %(ws)s %(title)s"),
            params={
                "who": actor.user.display_name,
                "ws": ws.number,
                "title": _worksheet_title(ws.key),
            },
            url=url,
            body=body,
            site_url=request_base or None,
        )
    return comment


def notifications_mark_read(*, actor: Membership, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications in their coalition read: all of them, or only those of
    ``ids`` (ids of someone else's notifications, or of another coalition's, are ignored).
    Returns how many were unread and are read now."""
    unread = selectors.unread_notifications(actor.user, actor.coalition)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


# --- compilation of individual answers --------------------------------------------------------


def compilation_copy(
    *,
    actor: Membership,
    worksheet_key: str,
    points: Iterable[tuple[int, str]],
    target_field: str,
) -> SaveResult:
    """Copy chosen answers (response id, field key) into a table of the compiled worksheet.

    Each point becomes one row; the text goes into the table's first long-text column (or
    short-text, shortened to fit). No name travels with it. For the data lead (MANAGE_DATA).
    """
    require(actor, Can.MANAGE_DATA)
    coalition = actor.coalition
    ws = definitions.worksheet(worksheet_key)
    target_ws = definitions.worksheet(ws.filled_by.compiled_in)
    table = target_ws.field(target_field)
    if table.type != "table" or table.fixed_rows:
        raise ValidationError(_("Choose a table to copy the points into."))
    column = next((c for c in table.columns if c.type == "long_text"), None) or next(
        (c for c in table.columns if c.type == "short_text"), None
    )
    if column is None:
        raise ValidationError(_("That table has no text column."))
    responses = {
        r.pk: r
        for r in WorksheetResponse.objects.filter(
            coalition=coalition, worksheet_key=ws.key, owner__isnull=False
        )
    }
    new_rows = []
    for response_id, field_key in points:
        response = responses.get(response_id)
        if response is None:
            raise ValidationError(_("One of the chosen answers is not in this coalition."))
        text = value_text(ws.field(field_key), response.data.get(field_key))
        if text:
            new_rows.append({column.key: text[: column.max_length or 200]})
    if not new_rows:
        raise ValidationError(_("Choose at least one answer that has text."))
    current = selectors.shared_response(coalition, target_ws.key)
    rows = list((current.data if current else {}).get(table.key) or []) + new_rows
    return worksheet_response_save(
        actor=actor,
        worksheet_key=target_ws.key,
        data={table.key: rows},
        base_version=current.version if current else 0,
        note=_("Copied %(n)s points from individual answers") % {"n": len(new_rows)},
    )
