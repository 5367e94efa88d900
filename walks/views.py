"""The coalition's data walk pages: build a walk, open it, moderate, read results, send to plan.

The residents' pages (no account) are in ``walks.public``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Coalition, Membership
from coalitions.permissions import Can
from coalitions.web import coalition_render, coalition_view, form_save, message_save
from core.models import JobStatus
from plans.map import metric_data
from walks import selectors, services
from walks.content import default_questions
from walks.forms import DataWalkForm, FacilitateForm, StationForm, TagForm
from walks.models import ContactDetail, Demographic, Language, Moderation, WalkStatus
from walks.posters import station_link
from walks.stations import local_choices, station_chart, station_data


def _to_walk(coalition: Coalition, walk_pk: int, anchor: str = "") -> HttpResponse:
    response = redirect("walks:walk", coalition.pk, walk_pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@coalition_view(Can.VIEW)
def walk_list(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    return coalition_render(
        request,
        "walks/list.html",
        coalition,
        membership,
        walks=selectors.walks_for(coalition),
    )


@coalition_view(Can.MANAGE_DATA)
def walk_create(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    form = DataWalkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        walk = form_save(
            form, lambda: services.data_walk_save(actor=membership, fields=form.cleaned_data)
        )
        if walk is not None:
            messages.success(request, _("The walk is made. Now add its stations."))
            return _to_walk(coalition, walk.pk)
    return coalition_render(request, "walks/walk_form.html", coalition, membership, form=form)


@coalition_view(Can.MANAGE_DATA)
def walk_edit(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    form = DataWalkForm(request.POST) if request.method == "POST" else DataWalkForm.for_walk(walk)
    if request.method == "POST" and form.is_valid():
        saved = form_save(
            form,
            lambda: services.data_walk_save(actor=membership, walk=walk, fields=form.cleaned_data),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return _to_walk(coalition, walk.pk)
    return coalition_render(
        request, "walks/walk_form.html", coalition, membership, form=form, walk=walk
    )


@coalition_view(Can.VIEW)
def walk_detail(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    stations = []
    for station in walk.stations.order_by("position"):
        data = station_data(coalition, station.variable)
        stations.append(
            {
                "station": station,
                "data": data,
                "chart": station_chart(data, chart_id=f"station-{station.pk}"),
            }
        )
    site = _site(request)
    return coalition_render(
        request,
        "walks/detail.html",
        coalition,
        membership,
        walk=walk,
        stations=stations,
        link=site + reverse("walks_public:start", args=[walk.token]),
        link_es=station_link(walk, 1, site=site, language="es") if stations else "",
        exports=walk.exports.all()[:5],
        exporting=walk.exports.filter(status__in=(JobStatus.PENDING, JobStatus.RUNNING)).exists(),
        languages=Language.choices,
        heard=services.residents_heard(walk),
        pending=selectors.moderation_queue(walk).filter(status=Moderation.PENDING).count(),
    )


def _station_form_page(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    walk_pk: int,
    station_pk: int | None,
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    station = selectors.station_get(walk, station_pk) if station_pk else None
    metrics: list[Any] = list(metric_data.metric_choices())
    local = local_choices(coalition)
    if local:
        metrics = [(_("Mobility Metrics"), metrics), (_("Your local data"), local)]
    if request.method == "POST":
        form = StationForm(request.POST, metrics=metrics)
        if form.is_valid():
            saved = form_save(
                form,
                lambda: services.station_save(
                    actor=membership,
                    walk=walk,
                    station=station,
                    variable=form.cleaned_data["variable"],
                    caption_en=form.cleaned_data["caption_en"],
                    caption_es=form.cleaned_data["caption_es"],
                    questions_en=form.questions("en"),
                    questions_es=form.questions("es"),
                    quick_reaction=form.cleaned_data["quick_reaction"],
                ),
            )
            if saved is not None:
                messages.success(request, _("Station saved."))
                return _to_walk(coalition, walk.pk, f"station-{saved.pk}")
    else:
        form = StationForm(
            initial=StationForm.initial_for(station, default_questions()), metrics=metrics
        )
    preview = None
    if station is not None:
        data = station_data(coalition, station.variable)
        preview = {"data": data, "chart": station_chart(data, chart_id="preview")}
    return coalition_render(
        request,
        "walks/station_form.html",
        coalition,
        membership,
        form=form,
        walk=walk,
        station=station,
        preview=preview,
    )


@coalition_view(Can.MANAGE_DATA)
def station_add(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int
) -> HttpResponse:
    return _station_form_page(request, coalition, membership, walk_pk, None)


@coalition_view(Can.MANAGE_DATA)
def station_edit(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    walk_pk: int,
    station_pk: int,
) -> HttpResponse:
    return _station_form_page(request, coalition, membership, walk_pk, station_pk)


@require_POST
@coalition_view(Can.MANAGE_DATA)
def station_delete(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    walk_pk: int,
    station_pk: int,
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    station = selectors.station_get(walk, station_pk)
    message_save(
        request,
        lambda: services.station_delete(actor=membership, station=station),
        _("Station removed."),
    )
    return _to_walk(coalition, walk.pk, "stations")


@require_POST
@coalition_view(Can.MANAGE_DATA)
def station_move(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    walk_pk: int,
    station_pk: int,
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    station = selectors.station_get(walk, station_pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.station_move(actor=membership, station=station, offset=offset)
    return _to_walk(coalition, walk.pk, f"station-{station.pk}")


@require_POST
@coalition_view(Can.MANAGE_DATA)
def walk_status(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    status = request.POST.get("status", "")
    done = (
        _("The link is open to residents.")
        if status == WalkStatus.OPEN
        else _("The link is closed; residents see that the walk has ended.")
    )
    message_save(
        request,
        lambda: services.data_walk_status_set(actor=membership, walk=walk, status=status),
        done,
    )
    return _to_walk(coalition, walk.pk)


@require_POST
@coalition_view(Can.MANAGE_DATA)
def walk_export(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    message_save(
        request,
        lambda: services.walk_export_start(
            actor=membership,
            walk=walk,
            language=request.POST.get("language", "en"),
            site=_site(request),
        ),
        _("The posters are being made. Their link appears below when they are ready."),
    )
    return _to_walk(coalition, walk.pk, "posters")


@coalition_view(Can.VIEW)
def walk_export_file(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int, export_pk: int
) -> FileResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    export = walk.exports.filter(pk=export_pk, status=JobStatus.SUCCEEDED).first()
    if export is None or not export.file:
        raise Http404
    name = f"data-walk-posters-{walk.pk}-{export.language}.pdf"
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)


@coalition_view(Can.VIEW)
def walk_export_status(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    walk_pk: int,
    export_pk: int,
) -> HttpResponse:
    """The poster job's line on the walk page, polled by HTMX while the job runs."""
    walk = selectors.walk_get(coalition, walk_pk)
    export = walk.exports.filter(pk=export_pk).first()
    if export is None:
        raise Http404
    return coalition_render(
        request, "walks/_export_item.html", coalition, membership, walk=walk, e=export
    )


@coalition_view(Can.MANAGE_DATA)
def moderation(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    return coalition_render(
        request,
        "walks/moderation.html",
        coalition,
        membership,
        walk=walk,
        answers=selectors.moderation_queue(walk),
    )


@require_POST
@coalition_view(Can.MANAGE_DATA)
def answer_moderate(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int, answer_pk: int
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    answer = selectors.answer_get(coalition, answer_pk)
    if answer.station.walk_id != walk.pk:
        raise Http404
    status = request.POST.get("status", "")
    message_save(
        request,
        lambda: services.answer_moderate(actor=membership, answer=answer, status=status),
        _("Approved.") if status == Moderation.APPROVED else _("Rejected."),
    )
    return redirect("walks:moderation", coalition.pk, walk.pk)


@coalition_view(Can.MANAGE_DATA)
def results(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    shares = {
        str(Demographic(key).label): selectors.demographic_shares(walk, key)
        for key in walk.demographics
        if key != Demographic.NEIGHBOURHOOD
    }
    return coalition_render(
        request,
        "walks/results.html",
        coalition,
        membership,
        walk=walk,
        results=selectors.station_results(walk),
        reactions=Moderation,
        heard=services.residents_heard(walk),
        shares={k: v for k, v in shares.items() if v},
        representation=selectors.representation_rows(walk),
    )


@require_POST
@coalition_view(Can.MANAGE_DATA)
def answer_tag(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int, answer_pk: int
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    answer = selectors.answer_get(coalition, answer_pk)
    if answer.station.walk_id != walk.pk:
        raise Http404
    form = TagForm(request.POST)
    if form.is_valid():
        message_save(
            request,
            lambda: services.answer_tag(
                actor=membership,
                answer=answer,
                themes=form.theme_names(),
                is_quote=form.cleaned_data["is_quote"],
            ),
            _("Saved."),
        )
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    response = redirect("walks:results", coalition.pk, walk.pk)
    response["Location"] += f"#answer-{answer.pk}"
    return response


@require_POST
@coalition_view(Can.MANAGE_DATA)
def send_to_plan(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    result: list[services.SendResult] = []
    ok = message_save(
        request,
        lambda: result.append(services.data_walk_send_to_plan(actor=membership, walk=walk)),
        _("Sent to the plan."),
    )
    if ok and result:
        sent = result[0]
        messages.info(
            request,
            _(
                "Added %(themes)s themes and %(quotes)s quotes to worksheets 5.2 and 6.3 "
                "(residents heard: %(residents)s)."
            )
            % {"themes": sent.themes, "quotes": sent.quotes, "residents": sent.residents},
        )
    return redirect("walks:results", coalition.pk, walk.pk)


@coalition_view(Can.CONTRIBUTE)
def facilitate(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    walk_pk: int,
    station_pk: int,
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    station = selectors.station_get(walk, station_pk)
    form = FacilitateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = form_save(
            form,
            lambda: services.facilitated_record(
                actor=membership,
                station=station,
                counts=form.counts(),
                quotes=form.quote_lines(),
            ),
        )
        if made is not None:
            messages.success(request, _("The group's reactions are recorded."))
            nxt = walk.stations.filter(position__gt=station.position).order_by("position").first()
            if nxt is not None:
                return redirect("walks:facilitate", coalition.pk, walk.pk, nxt.pk)
            return _to_walk(coalition, walk.pk)
    data = station_data(coalition, station.variable)
    return coalition_render(
        request,
        "walks/facilitate.html",
        coalition,
        membership,
        walk=walk,
        station=station,
        data=data,
        chart=station_chart(data, chart_id="facilitate", width=420),
        form=form,
    )


@coalition_view(Can.RUN)
def contacts(
    request: HttpRequest, coalition: Coalition, membership: Membership, walk_pk: int
) -> HttpResponse:
    walk = selectors.walk_get(coalition, walk_pk)
    return coalition_render(
        request,
        "walks/contacts.html",
        coalition,
        membership,
        walk=walk,
        contacts=ContactDetail.objects.filter(participant__walk=walk).order_by("created_at"),
    )
