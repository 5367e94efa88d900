"""The whole workspace as one JSON file, and back into a fresh coalition.

People are written by email, not by database id, so the file can be read into another
installation. Person answers (which hold membership ids) are rewritten both ways. Both ways
are for the project manager (the file holds everyone's individual answers) and are recorded
in the coalition's audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from accounts.models import User
from coalitions.models import Coalition, EventKind, Membership
from coalitions.permissions import Can, require
from coalitions.services import coalition_event_record
from plans import definitions, services
from plans.content import Field, Worksheet
from plans.display import records
from plans.models import (
    Assignment,
    ChecklistTick,
    Comment,
    Revision,
    StepState,
    WorksheetResponse,
)

FORMAT = "mobility-action-planner/workspace"
FORMAT_VERSION = 1


def _map_people(f: Field, value: Any, convert: Callable[[Any], Any]) -> Any:
    if value is None:
        return None
    if f.type == "person":
        return [convert(v) for v in value] if isinstance(value, list) else convert(value)
    if f.type == "table":
        people = [c for c in f.columns if c.type == "person"]
        if not people:
            return value

        def row(cells: Mapping) -> dict:
            return {
                k: (_map_people(c, v, convert) if (c := f.column(k)) else v)
                for k, v in cells.items()
            }

        if isinstance(value, Mapping):
            return {k: row(v) for k, v in value.items()}
        return [row(r) for r in value]
    return value


def map_people(ws: Worksheet, data: Mapping[str, Any], convert: Callable[[Any], Any]) -> dict:
    """``data`` with every person answer passed through ``convert``."""

    def one(record: Mapping[str, Any]) -> dict:
        out = dict(record)
        for f in ws.fields:
            if f.key in out:
                out[f.key] = _map_people(f, out[f.key], convert)
        return out

    if ws.repeats:
        return {**data, "records": [one(r) for r in records(ws, data)]}
    return one(data)


def _email(user: Any) -> str | None:
    return user.email if user else None


def _at(value: Any) -> str | None:
    return value.isoformat() if value else None


def workspace_export(*, actor: Membership) -> dict[str, Any]:
    """Everything the workspace holds, as a JSON-ready mapping."""
    require(actor, Can.RUN)
    coalition = actor.coalition
    payload = _export(coalition)
    coalition_event_record(coalition, EventKind.WORKSPACE_EXPORTED, actor.user)
    return payload


def _export(coalition: Coalition) -> dict[str, Any]:
    members = {m.pk: m for m in coalition.memberships.select_related("user")}
    to_email = lambda v: members[v].user.email if v in members else None  # noqa: E731
    responses = []
    for r in (
        WorksheetResponse.objects.filter(coalition=coalition)
        .select_related("owner__user", "updated_by")
        .prefetch_related("revisions__author")
        .order_by("worksheet_key", "owner_id")
    ):
        ws = definitions.worksheet(r.worksheet_key)
        responses.append(
            {
                "worksheet": r.worksheet_key,
                "owner": r.owner.user.email if r.owner else None,
                "version": r.version,
                "status": r.status,
                "data": map_people(ws, r.data, to_email),
                "updated_by": _email(r.updated_by),
                "updated_at": _at(r.updated_at),
                "completed_at": _at(r.completed_at),
                "revisions": [
                    {
                        "version": rev.version,
                        "data": map_people(ws, rev.data, to_email),
                        "author": _email(rev.author),
                        "note": rev.note,
                        "created_at": _at(rev.created_at),
                        "first_version": rev.first_version,
                        "saves": rev.saves,
                        "started_at": _at(rev.started_at),
                    }
                    for rev in sorted(r.revisions.all(), key=lambda x: x.version)
                ],
            }
        )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "coalition": {"name": coalition.name, "geography": coalition.geography.fips},
        "members": sorted(m.user.email for m in members.values()),
        "responses": responses,
        "steps": [
            {
                "step": s.step,
                "status": s.status,
                "updated_by": _email(s.updated_by),
                "updated_at": _at(s.updated_at),
                "completed_at": _at(s.completed_at),
                "reopened_count": s.reopened_count,
            }
            for s in StepState.objects.filter(coalition=coalition).select_related("updated_by")
        ],
        "checklist": [
            {
                "step": t.step,
                "item": t.item_key,
                "ticked_by": _email(t.ticked_by),
                "ticked_at": _at(t.ticked_at),
            }
            for t in ChecklistTick.objects.filter(coalition=coalition).select_related("ticked_by")
        ],
        "assignments": [
            {
                "step": a.step,
                "worksheet": a.worksheet_key,
                "owner": a.owner.user.email if a.owner else None,
                "working_group": a.working_group.name if a.working_group else None,
                "due_date": a.due_date.isoformat() if a.due_date else None,
                "note": a.note,
                "created_by": _email(a.created_by),
                "created_at": _at(a.created_at),
            }
            for a in Assignment.objects.filter(coalition=coalition)
            .select_related("owner__user", "working_group", "created_by")
            .order_by("pk")
        ],
        "comments": [
            {
                "worksheet": c.worksheet_key,
                "field": c.field_key,
                "author": _email(c.author),
                "body": c.body,
                "mentions": sorted(m.user.email for m in c.mentions.all()),
                "created_at": _at(c.created_at),
            }
            for c in Comment.objects.filter(coalition=coalition)
            .select_related("author")
            .prefetch_related("mentions__user")
            .order_by("created_at", "pk")
        ],
    }


def _check(payload: Any, coalition: Coalition) -> None:
    if not isinstance(payload, Mapping) or payload.get("format") != FORMAT:
        raise ValidationError(_("This file is not a workspace export."))
    if payload.get("format_version") != FORMAT_VERSION:
        raise ValidationError(_("This export was made by a version of the app we cannot read."))
    if WorksheetResponse.objects.filter(coalition=coalition, version__gt=0).exists():
        raise ValidationError(
            _("This coalition already has answers. Import into a new, empty coalition.")
        )
    known = {w.key for w in definitions.worksheets()}
    unknown = {r.get("worksheet") for r in payload.get("responses", [])} - known
    if unknown:
        raise ValidationError(
            _("Unknown worksheets in the file: %(keys)s") % {"keys": ", ".join(sorted(unknown))}
        )


def _people_named(payload: Mapping[str, Any]) -> set[str]:
    """Everyone whose membership an answer, an assignment or a mention points at."""
    named: set[str] = set()

    def collect(email: Any) -> Any:
        if email:
            named.add(str(email).lower())
        return email

    for r in payload.get("responses", []):
        ws = definitions.worksheet(r["worksheet"])
        collect(r.get("owner"))
        for data in [r.get("data") or {}, *[v.get("data") or {} for v in r.get("revisions", [])]]:
            map_people(ws, data, collect)
    for a in payload.get("assignments", []):
        collect(a.get("owner"))
    for c in payload.get("comments", []):
        for e in c.get("mentions", []):
            collect(e)
    return named


def _check_answers(payload: Mapping[str, Any], member_id: Callable[[Any], Any], ids: set) -> None:
    """Imported answers pass the same checks as typed ones."""
    problems = []
    for r in payload.get("responses", []):
        ws = definitions.worksheet(r["worksheet"])
        data = map_people(ws, r.get("data") or {}, member_id)
        _clean, errors = services.worksheet_answers_merge(ws, {}, data, ids)
        problems += [f"{ws.number} {key}" for key in errors]
    if problems:
        raise ValidationError(
            _("Some answers in the file are not valid: %(where)s")
            % {"where": ", ".join(problems[:20])}
        )


@transaction.atomic
def workspace_import(*, actor: Membership, payload: Any) -> dict[str, Any]:
    """Read an export into the actor's coalition, empty, whose members include everyone it names.

    Answers that name a person need that person to be a member here, so missing members are
    reported (invite them first) instead of silently dropping their answers. Authors of
    versions, comments, ticks and assignments are matched only to members here, by email;
    the others are listed in ``authors_not_members`` and shown as "Former member". A file that is
    not shaped like an export is refused with a message, and nothing is imported.
    """
    require(actor, Can.RUN)
    coalition = actor.coalition
    try:
        counts = _import(coalition=coalition, payload=payload)
    except (KeyError, TypeError, ValueError, AttributeError, IntegrityError) as exc:
        raise ValidationError(
            _("The file is damaged or was changed by hand, so nothing was imported.")
        ) from exc
    source = payload.get("coalition") or {}
    name = source.get("name") if isinstance(source, Mapping) else None
    coalition_event_record(
        coalition,
        EventKind.WORKSPACE_IMPORTED,
        actor.user,
        label=f"“{name}”" if isinstance(name, str) and name else "",
        responses=counts["responses"],
    )
    return counts


def _import(*, coalition: Coalition, payload: Any) -> dict[str, Any]:
    _check(payload, coalition)
    members = {m.user.email.lower(): m for m in coalition.memberships.select_related("user")}
    needed = _people_named(payload)
    missing = sorted(needed - set(members))
    if missing:
        raise ValidationError(
            _("Invite these people to the coalition first: %(emails)s")
            % {"emails": ", ".join(missing)}
        )
    not_members: set[str] = set()

    def user_of(email: Any) -> User | None:
        # Authors are matched only among this coalition's members: looking up every account
        # would let a file forge authorship and tell whether an address has an account (and
        # its name). Others become "Former member" and are reported.
        if not email:
            return None
        member = members.get(str(email).lower())
        if member is None:
            not_members.add(str(email).lower()[:254])
            return None
        return member.user

    member_id = lambda e: members[e.lower()].pk if e else None  # noqa: E731
    _check_answers(payload, member_id, {m.pk for m in members.values()})
    when = lambda v: parse_datetime(v) if v else None  # noqa: E731
    for r in payload.get("responses", []):
        ws = definitions.worksheet(r["worksheet"])
        response = WorksheetResponse.objects.create(
            coalition=coalition,
            worksheet_key=ws.key,
            owner=members[r["owner"].lower()] if r.get("owner") else None,
            version=r["version"],
            status=r["status"],
            data=map_people(ws, r["data"], member_id),
            updated_by=user_of(r.get("updated_by")),
            updated_at=when(r.get("updated_at")) or timezone.now(),
            completed_at=when(r.get("completed_at")),
        )
        Revision.objects.bulk_create(
            Revision(
                coalition=coalition,
                response=response,
                version=rev["version"],
                # Files from before revisions were coalesced hold one save per revision.
                first_version=rev.get("first_version") or rev["version"],
                saves=rev.get("saves") or 1,
                data=map_people(ws, rev["data"], member_id),
                author=user_of(rev.get("author")),
                note=rev.get("note", ""),
                started_at=when(rev.get("started_at") or rev.get("created_at")) or timezone.now(),
                created_at=when(rev.get("created_at")) or timezone.now(),
            )
            for rev in r.get("revisions", [])
        )
    for s in payload.get("steps", []):
        StepState.objects.update_or_create(
            coalition=coalition,
            step=s["step"],
            defaults={
                "status": s["status"],
                "updated_by": user_of(s.get("updated_by")),
                "updated_at": when(s.get("updated_at")) or timezone.now(),
                "completed_at": when(s.get("completed_at")),
                "reopened_count": s.get("reopened_count", 0),
            },
        )
    for t in payload.get("checklist", []):
        ChecklistTick.objects.create(
            coalition=coalition,
            step=t["step"],
            item_key=t["item"],
            ticked_by=user_of(t.get("ticked_by")),
            ticked_at=when(t.get("ticked_at")) or timezone.now(),
        )
    groups = {g.name: g for g in coalition.working_groups.all()}
    for a in payload.get("assignments", []):
        group_name = a.get("working_group")
        if group_name and group_name not in groups:
            groups[group_name] = coalition.working_groups.create(name=group_name)
        Assignment.objects.create(
            coalition=coalition,
            step=a["step"],
            worksheet_key=a.get("worksheet", ""),
            owner=members[a["owner"].lower()] if a.get("owner") else None,
            working_group=groups[group_name] if group_name else None,
            due_date=parse_date(a["due_date"]) if a.get("due_date") else None,
            note=a.get("note", ""),
            created_by=user_of(a.get("created_by")),
            created_at=when(a.get("created_at")) or timezone.now(),
        )
    for c in payload.get("comments", []):
        comment = Comment.objects.create(
            coalition=coalition,
            worksheet_key=c["worksheet"],
            field_key=c.get("field", ""),
            author=user_of(c.get("author")),
            body=c["body"],
            created_at=when(c.get("created_at")) or timezone.now(),
        )
        comment.mentions.set([members[e.lower()] for e in c.get("mentions", [])])
    return {
        "responses": len(payload.get("responses", [])),
        "comments": len(payload.get("comments", [])),
        "authors_not_members": sorted(not_members),
    }
