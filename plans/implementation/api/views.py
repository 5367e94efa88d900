"""The implementation API under /api/coalitions/{coalition_pk}/: thin views over services.

Reads need any role; writes a member (statuses, notes, milestones, early wins, reports) or the
project manager (publishing the scorecard, a new cycle), checked here and by the services.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coalitions.api.permissions import CoalitionScopedMixin
from coalitions.models import Membership
from coalitions.permissions import Can
from plans.implementation import selectors, services
from plans.implementation.api import serializers as s
from plans.map import selectors as map_selectors
from plans.map.models import MapVersion, StrategicAction


class _Scoped(CoalitionScopedMixin, APIView):
    read_action = Can.VIEW
    write_action = Can.CONTRIBUTE


def _get(finder: Any, *args: Any) -> Any:
    try:
        return finder(*args)
    except Http404:
        raise NotFound() from None


def _member(coalition_id: int, pk: int | None) -> Membership | None:
    if pk is None:
        return None
    found = Membership.objects.filter(coalition_id=coalition_id, pk=pk).first()
    if found is None:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({"owner": "No member of the coalition has this id."})
    return found


class ActionStatusView(_Scoped):
    """Where a strategic action stands. POST sets it (stalled and dropped need a reason); a
    change of status also writes a progress note."""

    @extend_schema(responses=s.ActionStatusSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        action = _get(selectors.action_get, self.coalition, pk)
        return Response(s.ActionStatusSerializer(action).data)

    @extend_schema(request=s.ActionStatusSerializer, responses=s.ActionStatusSerializer)
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        action = _get(selectors.action_get, self.coalition, pk)
        ser = s.ActionStatusSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        owner_id = d.get("owner_id", action.owner_id)
        action = services.strategic_action_status_set(
            actor=self.membership,
            action=action,
            status=d["status"],
            reason=d.get("status_reason", ""),
            owner=_member(self.coalition.pk, owner_id),
            note=d.get("note", ""),
        )
        return Response(s.ActionStatusSerializer(action).data)


class ProgressNoteListView(_Scoped):
    """An action's progress notes, newest first; POST adds one."""

    @extend_schema(responses=s.ProgressNoteSerializer(many=True))
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        action = _get(selectors.action_get, self.coalition, pk)
        return Response(s.ProgressNoteSerializer(selectors.progress_notes(action), many=True).data)

    @extend_schema(request=s.ProgressNoteSerializer, responses={201: s.ProgressNoteSerializer})
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        action = _get(selectors.action_get, self.coalition, pk)
        ser = s.ProgressNoteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        note = services.progress_note_add(
            actor=self.membership,
            action=action,
            text=ser.validated_data["text"],
            public=ser.validated_data.get("public", False),
        )
        return Response(s.ProgressNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class ProgressNoteDetailView(_Scoped):
    """One progress note. Its author or a project manager corrects it (PATCH ``text``; the
    author alone sets ``public``) or deletes it; a note that records a change of status stays
    (its words can be corrected or cleared). Both are in the audit log."""

    @extend_schema(responses=s.ProgressNoteSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        note = _get(selectors.progress_note_get, self.coalition, pk)
        return Response(s.ProgressNoteSerializer(note).data)

    @extend_schema(request=s.ProgressNoteSerializer, responses=s.ProgressNoteSerializer)
    def patch(self, request: Request, coalition_pk: int, pk: int) -> Response:
        note = _get(selectors.progress_note_get, self.coalition, pk)
        ser = s.ProgressNoteSerializer(note, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        note = services.progress_note_update(
            actor=self.membership,
            note=note,
            text=d.get("text", note.text),
            public=d.get("public"),
        )
        return Response(s.ProgressNoteSerializer(note).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        note = _get(selectors.progress_note_get, self.coalition, pk)
        services.progress_note_delete(actor=self.membership, note=note)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MilestoneListView(_Scoped):
    """An action's milestones with the day each was done (empty: open)."""

    @extend_schema(responses=s.MilestoneProgressSerializer(many=True))
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        action = _get(selectors.action_get, self.coalition, pk)
        return Response(s.MilestoneProgressSerializer(action.milestones.all(), many=True).data)


class MilestoneDoneView(_Scoped):
    """POST ticks a milestone done on a day; DELETE opens it again."""

    @extend_schema(request=s.MilestoneDoneSerializer, responses=s.MilestoneProgressSerializer)
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        milestone = _get(selectors.milestone_get, self.coalition, pk)
        ser = s.MilestoneDoneSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.milestone_done_set(
            actor=self.membership, milestone=milestone, done_on=ser.validated_data["done_on"]
        )
        return Response(s.MilestoneProgressSerializer(milestone).data)

    @extend_schema(request=None, responses=s.MilestoneProgressSerializer)
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        milestone = _get(selectors.milestone_get, self.coalition, pk)
        services.milestone_done_set(actor=self.membership, milestone=milestone, done_on=None)
        return Response(s.MilestoneProgressSerializer(milestone).data)


def _action(coalition_id: int, pk: int | None) -> StrategicAction | None:
    if pk is None:
        return None
    found = StrategicAction.objects.filter(coalition_id=coalition_id, pk=pk).first()
    if found is None:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({"action": "No strategic action of the coalition has this id."})
    return found


class EarlyWinListView(_Scoped):
    """The Early Wins Log (W10.1). Only a project manager may set ``public``."""

    @extend_schema(responses=s.EarlyWinSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        wins = self.coalition.early_wins.all()
        return Response(s.EarlyWinSerializer(wins, many=True).data)

    @extend_schema(request=s.EarlyWinSerializer, responses={201: s.EarlyWinSerializer})
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.EarlyWinSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        win = services.early_win_save(
            actor=self.membership,
            date=d["date"],
            description=d["description"],
            action=_action(self.coalition.pk, d.get("action_id")),
            evidence=d.get("evidence", ""),
            shared_with=d.get("shared_with", []),
            public=d.get("public", False),
        )
        return Response(s.EarlyWinSerializer(win).data, status=status.HTTP_201_CREATED)


class EarlyWinDetailView(_Scoped):
    @extend_schema(responses=s.EarlyWinSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        return Response(
            s.EarlyWinSerializer(_get(selectors.early_win_get, self.coalition, pk)).data
        )

    @extend_schema(request=s.EarlyWinSerializer, responses=s.EarlyWinSerializer)
    def patch(self, request: Request, coalition_pk: int, pk: int) -> Response:
        win = _get(selectors.early_win_get, self.coalition, pk)
        ser = s.EarlyWinSerializer(win, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        win = services.early_win_save(
            actor=self.membership,
            win=win,
            date=d.get("date", win.date),
            description=d.get("description", win.description),
            action=_action(self.coalition.pk, d.get("action_id", win.action_id)),
            evidence=d.get("evidence", win.evidence),
            shared_with=d.get("shared_with", win.shared_with),
            public=d.get("public", win.public),
        )
        return Response(s.EarlyWinSerializer(win).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        win = _get(selectors.early_win_get, self.coalition, pk)
        services.early_win_delete(actor=self.membership, win=win)
        return Response(status=status.HTTP_204_NO_CONTENT)


FILTERS = [
    OpenApiParameter("priority", int, description="A priority area's id."),
    OpenApiParameter("group", int, description="A working group's id."),
    OpenApiParameter("owner", int, description="The owner's membership id."),
    OpenApiParameter("status", str, description="An implementation status key."),
]


class ScorecardView(_Scoped):
    """Priorities → headline goals → strategic actions → measures, with statuses and latest
    values; the same filters as the page."""

    @extend_schema(parameters=FILTERS, responses=s.ScorecardSerializer)
    def get(self, request: Request, coalition_pk: int) -> Response:
        filters = selectors.Filters.from_query(request.query_params)
        return Response(selectors.scorecard(self.coalition, filters).as_dict())


class ScorecardPublicationView(_Scoped):
    """The public scorecard: POST publishes it (project manager), DELETE withdraws it."""

    write_action = Can.RUN

    def _data(self, request: Request) -> dict:
        found = selectors.publication(self.coalition)
        published = bool(found and found.is_published)
        return {
            "published": published,
            "published_at": found.published_at if found else None,
            "show_reasons": bool(found and found.show_reasons),
            "public_url": request.build_absolute_uri(found.public_path)
            if found and published
            else "",
        }

    @extend_schema(responses=s.PublicationSerializer)
    def get(self, request: Request, coalition_pk: int) -> Response:
        return Response(s.PublicationSerializer(self._data(request)).data)

    @extend_schema(request=s.PublicationSerializer, responses=s.PublicationSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.PublicationSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.scorecard_publish(
            actor=self.membership, show_reasons=ser.validated_data["show_reasons"]
        )
        return Response(s.PublicationSerializer(self._data(request)).data)

    @extend_schema(request=None, responses=s.PublicationSerializer)
    def delete(self, request: Request, coalition_pk: int) -> Response:
        services.scorecard_unpublish(actor=self.membership)
        return Response(s.PublicationSerializer(self._data(request)).data)


class ReportListView(_Scoped):
    """Progress reports, newest first. POST freezes one for a period and starts its files
    (PDF, Word) through the plan's export job; each file's ``download_url`` appears once made."""

    @extend_schema(responses=s.ProgressReportSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        found = selectors.progress_reports(self.coalition)
        return Response(s.ProgressReportSerializer(found, many=True).data)

    @extend_schema(request=s.ReportStartSerializer, responses={202: s.ProgressReportSerializer})
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.ReportStartSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        report, _exports = services.progress_report_start(
            actor=self.membership, **ser.validated_data
        )
        report = selectors.report_get(self.coalition, report.pk)
        return Response(s.ProgressReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


class ReportDetailView(_Scoped):
    @extend_schema(responses=s.ProgressReportSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        report = _get(selectors.report_get, self.coalition, pk)
        return Response(s.ProgressReportSerializer(report).data)


class CycleListView(_Scoped):
    """Plan cycles and the next cycle's candidate priorities. POST (project manager) starts a
    new cycle from a frozen version (``base_version``)."""

    write_action = Can.RUN

    @extend_schema(responses=s.CyclesSerializer)
    def get(self, request: Request, coalition_pk: int) -> Response:
        data = {
            "cycles": selectors.cycles(self.coalition),
            "candidates": selectors.cycle_candidates(self.coalition),
        }
        return Response(s.CyclesSerializer(data).data)

    @extend_schema(request=s.CycleSerializer, responses={201: s.CycleSerializer})
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.CycleSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        version: MapVersion = _get(
            map_selectors.version_get, self.coalition, ser.validated_data["base_version_id"]
        )
        cycle = services.plan_cycle_start(
            actor=self.membership, version=version, note=ser.validated_data.get("note", "")
        )
        return Response(s.CycleSerializer(cycle).data, status=status.HTTP_201_CREATED)


class CycleComparisonView(_Scoped):
    """The two plans of a cycle compared, as the council reads them on the cycle's compare
    page."""

    @extend_schema(responses=s.CycleComparisonSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        cycle = _get(selectors.cycle_get, self.coalition, pk)
        found = selectors.cycle_comparison(self.coalition, cycle)
        return Response(s.CycleComparisonSerializer(found).data)
