"""Profile, metric, disparity and peer pages of a coalition's jurisdiction."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalitions.permissions import Can, require, role_allows
from coalitions.web import coalition_page_context, coalition_view, message_save
from metrics.models import CoalitionPeer, Geography, Metric, MetricNote
from metrics.profiles import charts, selectors, services
from metrics.profiles.counties import principal_county, state_counties
from metrics.profiles.disparities import Gap
from metrics.profiles.models import NoteStep
from metrics.profiles.peers import suggest_peers
from metrics.profiles.reading import (
    COMPARISON_TEXT,
    DIRECTION_TEXT,
    GAP_SIDE_TEXT,
    Reading,
    display,
    gap_note_text,
    gap_overlap_text,
    gap_size_text,
    subgroup_type_text,
)
from metrics.selectors import geography_search_matches, release_active


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your note"),
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "An insight, a question or a caveat about this metric. The coalition sees it."
        ),
    )
    step = forms.TypedChoiceField(
        label=gettext_lazy("For"), choices=NoteStep.choices, coerce=int, initial=NoteStep.STEP_2
    )


def _weak(request) -> bool:
    return request.GET.get("weak") == "1"


def _ctx(coalition, membership, **extra):
    return coalition_page_context(
        coalition,
        membership,
        comparison_text=COMPARISON_TEXT,
        direction_text=DIRECTION_TEXT,
        **extra,
    )


@coalition_view()
@require_GET
def profile(request, coalition, membership):
    data = selectors.geography_profile(
        coalition.geography, include_weak=_weak(request), coalition=coalition
    )
    return render(
        request,
        "metrics/profile.html",
        _ctx(coalition, membership, profile=data, **_county_choice(coalition, membership)),
    )


def _county_choice(coalition, membership) -> dict:
    """What the county setting shows: the principal county, and the choices for those who
    may change it (a city's coalition only)."""
    if coalition.geography.kind != "city":
        return {}
    choices = (
        state_counties(coalition.geography)
        if role_allows(membership.role, Can.MANAGE_DATA)
        else None
    )
    return {
        "county_link": principal_county(coalition.geography, choices),
        "county_choices": choices or [],
    }


@coalition_view(Can.MANAGE_DATA)
@require_POST
def county_comparison(request, coalition, membership):
    wanted = request.POST.get("county") or ""
    county = Geography.objects.filter(pk=wanted).first() if wanted.isdigit() else None
    if wanted and county is None:
        messages.error(request, _("Choose a county from the list."))
        return redirect("profiles:profile", pk=coalition.pk)
    message_save(
        request,
        lambda: services.coalition_county_comparison_set(actor=membership, county=county),
        _("%(name)s is now shown beside your city's values.") % {"name": county.full_name}
        if county
        else _("Your county's values are no longer shown."),
    )
    return redirect("profiles:profile", pk=coalition.pk)


def _metric(variable: str, kind: str) -> Metric:
    metric = Metric.objects.select_related("predictor__pillar").filter(variable=variable).first()
    if metric is None or kind not in metric.levels.split(","):
        raise Http404("No such metric for this place")
    return metric


@coalition_view()
@require_http_methods(["GET", "POST"])
def metric_detail(request, coalition, membership, variable):
    geography = coalition.geography
    metric = _metric(variable, geography.kind)
    form = NoteForm(request.POST or None)
    if request.method == "POST":
        require(membership, Can.CONTRIBUTE)  # before the form: a viewer's post is 403, not 400
        if form.is_valid():
            try:
                services.metric_note_add(actor=membership, metric=metric, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error("text", exc.messages)
            else:
                messages.success(request, _("Your note is pinned to this metric."))
                return redirect(request.get_full_path())
    include_weak = _weak(request)
    release = release_active()
    whole: list[Reading] = []
    medians: dict[int, float] = {}
    groups: dict = {}
    if release:
        whole = selectors.metric_series(geography, metric, release)
        medians = selectors.medians_for(release, geography.kind).get(metric.pk, {})
        groups = selectors.metric_subgroups(geography, metric, release)
    line = selectors.MetricLine(metric, whole, medians, include_weak)
    trend = charts.metric_trend(geography, metric, whole, medians, include_weak=include_weak)
    county = selectors.comparison_county(coalition)
    county_line = county_trend = None
    if county is not None and release and "county" in metric.level_list:
        theirs = selectors.metric_series(county, metric, release)
        county_line = selectors.MetricLine(metric, theirs, {}, include_weak)
        county_trend = charts.metric_trend(county, metric, theirs, {}, include_weak=include_weak)
    breakdowns = []
    chosen = request.GET.get("subgroup", "")
    gap = None
    for kind, series in groups.items():
        dots, year = charts.subgroup_dots(metric, kind, series, whole, include_weak=include_weak)
        members, total = charts.split_total(series, whole)
        breakdowns.append(
            {
                "kind": kind,
                "label": subgroup_type_text(kind),
                "chart": dots,
                "year": year,
                "groups": members,
            }
        )
        for group in members:
            if f"{kind}:{group.name}" == chosen:
                gap = charts.subgroup_gap(
                    geography, metric, group, total, include_weak=include_weak
                )
    return render(
        request,
        "metrics/metric_detail.html",
        _ctx(
            coalition,
            membership,
            metric=metric,
            line=line,
            trend=trend,
            breakdowns=breakdowns,
            gap=gap,
            chosen=chosen,
            include_weak=include_weak,
            form=form,
            notes=selectors.metric_notes(coalition, metric),
            latest_text=display(line.shown, metric.unit),
            computed_medians=geography.kind != "county",
            county=county,
            county_line=county_line,
            county_trend=county_trend,
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def note_delete(request, coalition, membership, note_id):
    note = get_object_or_404(
        MetricNote.objects.select_related("metric"), pk=note_id, coalition=coalition
    )
    services.metric_note_delete(actor=membership, note=note)
    messages.success(request, _("Note deleted."))
    return redirect("profiles:metric", pk=coalition.pk, variable=note.metric.variable)


@coalition_view()
@require_GET
def peers(request, coalition, membership):
    geography = coalition.geography
    include_weak = _weak(request)
    chosen = selectors.coalition_peers(coalition)
    release = release_active()
    suggestions = (
        suggest_peers(geography, release, exclude={p.geography_id for p in chosen})
        if release
        else []
    )
    metrics = selectors.catalog_for(geography.kind)
    places, readings, medians = selectors.peer_readings(coalition, chosen, release)
    table = []
    selected_metric = None
    chart = None
    wanted = request.GET.get("metric", "")
    for metric in metrics:
        home = readings.get(geography.pk, {}).get(metric.pk, {}) if places else {}
        years = [y for y, r in home.items() if r.number is not None]
        if not years:
            continue
        year = max(years)
        cells = []
        for place in places:
            reading = readings[place.pk].get(metric.pk, {}).get(year)
            hidden = reading is not None and reading.is_weak and not include_weak
            text = (
                _("Weak: hidden")
                if hidden
                else display(reading, metric.unit)
                if reading and reading.number is not None
                else _("No data")
            )
            # The place's name goes beside its value when a phone stacks the table.
            cells.append({"place": place.name, "text": text})
        median = medians.get(metric.pk, {}).get(year)
        table.append({"metric": metric, "year": year, "cells": cells, "median": median})
        if metric.variable == wanted or (not wanted and selected_metric is None):
            selected_metric = metric
            rows = [
                (p, readings[p.pk].get(metric.pk, {}).get(year), p.pk == geography.pk)
                for p in places
            ]
            chart = charts.peers_compare(metric, year, rows, median, include_weak=include_weak)
    query = request.GET.get("q", "")
    results = (
        [
            g
            for g in geography_search_matches(query)
            if g.kind == geography.kind and g.pk != geography.pk
        ]
        if query
        else []
    )
    return render(
        request,
        "metrics/peers.html",
        _ctx(
            coalition,
            membership,
            chosen=chosen,
            suggestions=suggestions,
            places=places,
            table=table,
            chart=chart,
            selected_metric=selected_metric,
            metrics=metrics,
            include_weak=include_weak,
            query=query,
            results=results,
            max_peers=services.MAX_PEERS,
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def peer_add(request, coalition, membership):
    geography = Geography.objects.filter(pk=request.POST.get("geography") or 0).first()
    if geography is None:
        messages.error(request, _("Choose a place from the list."))
    else:
        message_save(
            request,
            lambda: services.coalition_peer_add(actor=membership, geography=geography),
            _("%(name)s added to your comparison.") % {"name": geography.full_name},
        )
    return redirect("profiles:peers", pk=coalition.pk)


@coalition_view(Can.CONTRIBUTE)
@require_POST
def peer_remove(request, coalition, membership, peer_id):
    peer = get_object_or_404(CoalitionPeer, pk=peer_id, coalition=coalition)
    services.coalition_peer_remove(actor=membership, peer=peer)
    messages.success(request, _("Removed from your comparison."))
    return redirect("profiles:peers", pk=coalition.pk)


class GapNoteForm(NoteForm):
    gap = forms.CharField(widget=forms.HiddenInput)


GAPS_SHOWN = 25


@coalition_view()
@require_http_methods(["GET", "POST"])
def disparities(request, coalition, membership):
    """The largest gaps between a group and everyone, every metric; pin one as a note."""
    include_weak = _weak(request)
    data = selectors.geography_disparities(coalition.geography, include_weak=include_weak)
    gaps: dict[str, Gap] = {g.key: g for g in data.gaps}
    pinned = gaps.get(request.POST.get("gap") or request.GET.get("pin") or "")
    form = None
    if request.method == "POST":
        require(membership, Can.CONTRIBUTE)
        form = GapNoteForm(request.POST)
        if pinned is None:
            messages.error(request, _("That gap is not in the data of this place."))
            return redirect("profiles:disparities", pk=coalition.pk)
        if form.is_valid():
            try:
                services.metric_note_add(
                    actor=membership,
                    metric=pinned.metric,
                    text=form.cleaned_data["text"],
                    step=form.cleaned_data["step"],
                    subgroup_type=pinned.subgroup_type,
                    subgroup=pinned.group,
                )
            except ValidationError as exc:
                form.add_error("text", exc.messages)
            else:
                messages.success(request, _("The gap is pinned as a note."))
                return redirect("profiles:disparities", pk=coalition.pk)
    elif pinned is not None and role_allows(membership.role, Can.CONTRIBUTE):
        form = GapNoteForm(initial={"gap": pinned.key, "text": gap_note_text(pinned)})
    show_all = request.GET.get("all") == "1"
    rows = [
        {
            "gap": g,
            "overlap": gap_overlap_text(g),
            "size": gap_size_text(g),
            "side": GAP_SIDE_TEXT[g.worse],
        }
        for g in (data.gaps if show_all else data.gaps[:GAPS_SHOWN])
    ]
    return render(
        request,
        "metrics/disparities.html",
        _ctx(
            coalition,
            membership,
            data=data,
            rows=rows,
            more=0 if show_all else max(len(data.gaps) - GAPS_SHOWN, 0),
            include_weak=include_weak,
            pinned=pinned,
            form=form,
            pinned_notes=selectors.gap_notes(coalition),
        ),
    )
