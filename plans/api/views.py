"""The workspace API under /api/coalitions/{coalition_pk}/: steps, worksheets, answers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coalitions.api.permissions import CoalitionScopedMixin
from coalitions.permissions import Can
from plans import definitions, selectors, services
from plans.api.serializers import (
    CommentSerializer,
    ConflictSerializer,
    ResponseSerializer,
    ResponseWriteSerializer,
    RevisionDetailSerializer,
    RevisionSerializer,
    StepSerializer,
    StepStatusSerializer,
    WorksheetSerializer,
    worksheet_definition,
)
from plans.content import Worksheet
from plans.models import Revision, WorksheetResponse
from plans.permissions import may_edit_worksheet


class _Scoped(CoalitionScopedMixin, APIView):
    read_action = Can.VIEW
    write_action = Can.CONTRIBUTE

    def worksheet(self, key: str) -> Worksheet:
        try:
            return definitions.worksheet(key)
        except KeyError:
            raise NotFound("No such worksheet") from None


def _step_payload(row: Any) -> dict[str, Any]:
    return {
        "number": row.step.number,
        "title": row.step.title,
        "purpose": row.step.purpose,
        "status": row.status,
        "worksheets_complete": row.done,
        "worksheets_total": row.total,
        "worksheets": [w.worksheet.key for w in row.worksheets],
        "checklist": [
            {
                "key": item.key,
                "label": item.label,
                "ticked": item.key in row.ticks,
                "ticked_by": (
                    row.ticks[item.key].ticked_by.email
                    if item.key in row.ticks and row.ticks[item.key].ticked_by
                    else None
                ),
                "ticked_at": row.ticks[item.key].ticked_at if item.key in row.ticks else None,
            }
            for item in row.step.checklist
        ],
    }


class StepListView(_Scoped):
    """The ten steps with their status, worksheet progress and review checklist."""

    @extend_schema(responses=StepSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        rows = selectors.steps_overview(self.coalition, self.membership)
        return Response([_step_payload(r) for r in rows])


class StepDetailView(_Scoped):
    """One step; the project manager changes its status (a complete step can be reopened)."""

    write_action = Can.RUN

    def _row(self, number: int) -> Any:
        rows = selectors.steps_overview(self.coalition, self.membership)
        row = next((r for r in rows if r.step.number == number), None)
        if row is None:
            raise NotFound("No such step")
        return row

    @extend_schema(responses=StepSerializer)
    def get(self, request: Request, coalition_pk: int, number: int) -> Response:
        return Response(_step_payload(self._row(number)))

    @extend_schema(request=StepStatusSerializer, responses=StepSerializer)
    def patch(self, request: Request, coalition_pk: int, number: int) -> Response:
        self._row(number)
        serializer = StepStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.step_status_set(
            actor=self.membership, step=number, status=serializer.validated_data["status"]
        )
        return Response(_step_payload(self._row(number)))


def _worksheet_payload(
    view: _Scoped,
    ws: Worksheet,
    full: bool = False,
    responses: dict[str, WorksheetResponse] | None = None,
) -> dict[str, Any]:
    if responses is None:
        response = selectors.response_for(view.coalition, ws, view.membership)
    else:
        response = responses.get(ws.key)
    payload = {
        "key": ws.key,
        "number": ws.number,
        "title": ws.title,
        "step": ws.step,
        "mode": ws.filled_by.mode,
        "status": response.status if response and response.version else "not_started",
        "version": response.version if response else 0,
        "can_edit": may_edit_worksheet(view.membership, ws),
    }
    if full:
        payload["definition"] = worksheet_definition(ws)
    return payload


class WorksheetListView(_Scoped):
    """Every worksheet with its status (for individual worksheets: the caller's own answer)."""

    @extend_schema(responses=WorksheetSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        responses = selectors.responses_for_member(self.coalition, self.membership)
        return Response(
            [_worksheet_payload(self, ws, responses=responses) for ws in definitions.worksheets()]
        )


class WorksheetDetailView(_Scoped):
    """One worksheet's definition (fields, options, help) and status."""

    @extend_schema(responses=WorksheetSerializer)
    def get(self, request: Request, coalition_pk: int, key: str) -> Response:
        return Response(_worksheet_payload(self, self.worksheet(key), full=True))


def _response_payload(ws: Worksheet, response: WorksheetResponse | None) -> dict[str, Any]:
    return {
        "worksheet": ws.key,
        "version": response.version if response else 0,
        "status": response.status if response else "not_started",
        "data": response.data if response else {},
        "updated_by": response.updated_by.email if response and response.updated_by else None,
        "updated_at": response.updated_at if response and response.version else None,
    }


class ResponseView(_Scoped):
    """The answers: the coalition's shared response, or the caller's own individual one.

    PUT sends the version it started from. If someone saved since, the answer is 409 with the
    current version, and nothing is saved. Invalid answers give 400 with messages by field;
    then nothing is saved either.
    """

    @extend_schema(responses=ResponseSerializer)
    def get(self, request: Request, coalition_pk: int, key: str) -> Response:
        ws = self.worksheet(key)
        return Response(
            _response_payload(ws, selectors.response_for(self.coalition, ws, self.membership))
        )

    @extend_schema(
        request=ResponseWriteSerializer,
        responses={
            200: ResponseSerializer,
            400: OpenApiResponse(description="Answers with messages by field key"),
            409: ConflictSerializer,
        },
    )
    def put(self, request: Request, coalition_pk: int, key: str) -> Response:
        ws = self.worksheet(key)
        serializer = ResponseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = services.worksheet_response_save(
                actor=self.membership,
                worksheet_key=ws.key,
                data=serializer.validated_data["data"],
                base_version=serializer.validated_data["version"],
                owner=self.membership if ws.filled_by.mode == "individual" else None,
                all_or_nothing=True,
            )
        except services.WorksheetConflict as conflict:
            return Response(
                {
                    "detail": "Someone saved a newer version; nothing was saved. "
                    "Merge your changes into the current answers and send them again.",
                    "current_version": conflict.response.version,
                    "current": conflict.response.data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        if result.errors:
            return Response({"data": result.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_response_payload(ws, result.response))


class RevisionPagination(PageNumberPagination):
    page_size = selectors.HISTORY_PAGE_SIZE


class _Revisions(CoalitionScopedMixin, generics.GenericAPIView):
    read_action = Can.VIEW

    def worksheet_response(self) -> tuple[Worksheet, WorksheetResponse | None]:
        if not hasattr(self, "_worksheet_response"):
            try:
                ws = definitions.worksheet(self.kwargs["key"])
            except KeyError:
                raise NotFound("No such worksheet") from None
            response = selectors.response_for(self.coalition, ws, self.membership)
            self._worksheet_response = (ws, response)
        return self._worksheet_response


class RevisionListView(_Revisions, generics.ListAPIView):
    """The saved versions of the response, newest first, 25 a page, each with what it changed
    (a table's changed cells by row and column). The whole answers of one version:
    ``revisions/{version}/``."""

    serializer_class = RevisionSerializer
    pagination_class = RevisionPagination

    def get_queryset(self) -> QuerySet[Revision]:
        _ws, response = self.worksheet_response()
        if response is None:
            return Revision.objects.none()
        return response.revisions.select_related("author").order_by("-version")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ws, response = self.worksheet_response()
        page: list[Revision] = list(self.paginate_queryset(self.get_queryset()) or [])
        # What the page's oldest revision changed is measured against the one before it.
        older = (
            response.revisions.filter(version__lt=page[-1].version).order_by("-version").first()
            if page and response is not None
            else None
        )
        names = selectors.member_names(self.coalition)
        diffs = selectors.revision_diffs(ws, page, older, names)
        changes = {rev.version: d for rev, d in zip(page, diffs, strict=True)}
        data = RevisionSerializer(page, many=True, context={"changes": changes}).data
        return self.get_paginated_response(data)


class RevisionDetailView(_Revisions):
    """One saved version: the whole of its answers and what it changed."""

    serializer_class = RevisionDetailSerializer

    def get(self, request: Request, coalition_pk: int, key: str, version: int) -> Response:
        ws, response = self.worksheet_response()
        found = selectors.revision_with_previous(response, version) if response else None
        if found is None:
            raise NotFound("No such version")
        revision, previous = found
        names = selectors.member_names(self.coalition)
        changes = selectors.data_diff(ws, previous.data if previous else {}, revision.data, names)
        return Response(
            RevisionDetailSerializer(revision, context={"changes": {version: changes}}).data
        )


class CommentListView(_Scoped):
    """Comments on the worksheet (``field_key`` empty) or on one of its questions."""

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request: Request, coalition_pk: int, key: str) -> Response:
        ws = self.worksheet(key)
        comments = selectors.comments_for(self.coalition, ws.key)
        return Response(CommentSerializer(comments, many=True).data)

    @extend_schema(request=CommentSerializer, responses={201: CommentSerializer})
    def post(self, request: Request, coalition_pk: int, key: str) -> Response:
        ws = self.worksheet(key)
        serializer = CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(
            actor=self.membership,
            worksheet_key=ws.key,
            field_key=serializer.validated_data.get("field_key", ""),
            body=serializer.validated_data["body"],
            request_base=request.build_absolute_uri("/")[:-1],
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
