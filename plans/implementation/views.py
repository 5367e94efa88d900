"""Implementation pages (Step 10): the scorecard, an action's implementation, early wins,
progress reports, publishing the scorecard and the next cycle. Thin: access helper, form,
service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalitions.models import Coalition, Membership
from coalitions.permissions import Can, require
from coalitions.web import coalition_render, coalition_view, form_save, message_save
from core.system import pdf_unavailable_message
from plans.implementation import forms, selectors, services


@coalition_view(Can.VIEW)
@require_GET
def scorecard(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    filters = selectors.Filters.from_query(request.GET)
    # Read once for the card and its filter menu.
    areas = list(coalition.priority_areas.all())
    return coalition_render(
        request,
        "plans/implementation/scorecard.html",
        coalition,
        membership,
        card=selectors.scorecard(coalition, filters, areas=areas),
        filters=filters,
        choices=selectors.filter_choices(coalition, areas),
        publication=selectors.publication(coalition),
        publication_form=forms.PublicationForm(),
    )


def _action_page(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    action_id: int,
    **forms_: object,
) -> HttpResponse:
    action = selectors.action_get(coalition, action_id)
    notes = list(selectors.progress_notes(action))
    status_form = forms_.get("status_form") or forms.ActionStatusForm(
        coalition=coalition,
        initial={"status": action.status, "reason": action.status_reason, "owner": action.owner},
    )
    return coalition_render(
        request,
        "plans/implementation/action.html",
        coalition,
        membership,
        action=action,
        status_form=status_form,
        note_form=forms_.get("note_form") or forms.NoteForm(),
        notes=notes,
        # The notes this person may correct or delete: their own, or all for a project manager.
        changeable=[n.pk for n in notes if services.progress_note_may_change(membership, n)],
        milestones=action.milestones.select_related("done_by"),
        wins=action.early_wins.all(),
    )


@coalition_view(Can.VIEW)
@require_GET
def action(
    request: HttpRequest, coalition: Coalition, membership: Membership, action_id: int
) -> HttpResponse:
    return _action_page(request, coalition, membership, action_id)


@coalition_view(Can.CONTRIBUTE)
@require_POST
def action_status(
    request: HttpRequest, coalition: Coalition, membership: Membership, action_id: int
) -> HttpResponse:
    action = selectors.action_get(coalition, action_id)
    form = forms.ActionStatusForm(request.POST, coalition=coalition)
    if form.is_valid():
        d = form.cleaned_data
        saved = form_save(
            form,
            lambda: services.strategic_action_status_set(
                actor=membership,
                action=action,
                status=d["status"],
                reason=d["reason"],
                owner=d["owner"],
                note=d["note"],
            ),
        )
        if saved is not None:
            messages.success(request, _("The status is saved."))
            return redirect("implementation:action", coalition.pk, action.pk)
    return _action_page(request, coalition, membership, action_id, status_form=form)


@coalition_view(Can.CONTRIBUTE)
@require_POST
def note_add(
    request: HttpRequest, coalition: Coalition, membership: Membership, action_id: int
) -> HttpResponse:
    action = selectors.action_get(coalition, action_id)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        saved = form_save(
            form,
            lambda: services.progress_note_add(
                actor=membership,
                action=action,
                text=form.cleaned_data["text"],
                public=form.cleaned_data["public"],
            ),
        )
        if saved is not None:
            messages.success(request, _("The note is saved."))
            return redirect("implementation:action", coalition.pk, action.pk)
    return _action_page(request, coalition, membership, action_id, note_form=form)


@coalition_view(Can.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def note_edit(
    request: HttpRequest, coalition: Coalition, membership: Membership, note_id: int
) -> HttpResponse:
    """Correct a progress note (its author or a project manager)."""
    note = selectors.progress_note_get(coalition, note_id)
    if not services.progress_note_may_change(membership, note):
        raise PermissionDenied
    mine = note.author_id == membership.user_id
    form = forms.NoteForm(
        request.POST or None,
        initial={"text": note.text, "public": note.public},
        status_note=bool(note.status),
        author=mine,
    )
    if request.method == "POST" and form.is_valid():
        saved = form_save(
            form,
            lambda: services.progress_note_update(
                actor=membership,
                note=note,
                text=form.cleaned_data["text"],
                public=form.cleaned_data["public"] if mine else None,
            ),
        )
        if saved is not None:
            messages.success(request, _("The note is saved."))
            return redirect("implementation:action", coalition.pk, note.action_id)
    return coalition_render(
        request, "plans/implementation/note_edit.html", coalition, membership, form=form, note=note
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def note_delete(
    request: HttpRequest, coalition: Coalition, membership: Membership, note_id: int
) -> HttpResponse:
    note = selectors.progress_note_get(coalition, note_id)
    action_id = note.action_id
    message_save(
        request,
        lambda: services.progress_note_delete(actor=membership, note=note),
        _("The note is deleted."),
    )
    return redirect("implementation:action", coalition.pk, action_id)


@coalition_view(Can.CONTRIBUTE)
@require_POST
def milestone_done(
    request: HttpRequest, coalition: Coalition, membership: Membership, milestone_id: int
) -> HttpResponse:
    milestone = selectors.milestone_get(coalition, milestone_id)
    form = forms.MilestoneDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date as a date, for example 2026-03-31."))
    else:
        undo = form.cleaned_data["undo"]
        done_on = None if undo else form.cleaned_data["done_on"]
        if done_on is None and not undo:
            messages.error(request, _("Say on which day the milestone was reached."))
        else:
            message_save(
                request,
                lambda: services.milestone_done_set(
                    actor=membership, milestone=milestone, done_on=done_on
                ),
                _("“%(m)s” is marked done.") % {"m": milestone.title}
                if done_on
                else _("“%(m)s” is open again.") % {"m": milestone.title},
            )
    return redirect("implementation:action", coalition.pk, milestone.action_id)


# --- early wins -----------------------------------------------------------------------------


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def early_wins(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    form = forms.EarlyWinForm(request.POST or None, coalition=coalition)
    if request.method == "POST":
        require(membership, Can.CONTRIBUTE)
        if form.is_valid() and _win_save(form, membership) is not None:
            messages.success(request, _("The early win is logged."))
            return redirect("implementation:early_wins", coalition.pk)
    return coalition_render(
        request,
        "plans/implementation/early_wins.html",
        coalition,
        membership,
        form=form,
        wins=selectors.early_win_rows(coalition, limit=500),
        worksheet_rows=len(selectors.early_win_rows_from_worksheet(coalition)),
    )


def _win_save(form: forms.EarlyWinForm, membership: Membership, win: object = None) -> object:
    """Save through the service; a refusal to publish goes on the form, keeping what was typed."""
    try:
        return _win_service(form, membership, win)
    except PermissionDenied as exc:
        form.add_error("public", str(exc))
        return None


def _win_service(form: forms.EarlyWinForm, membership: Membership, win: object) -> object:
    d = form.cleaned_data
    return form_save(
        form,
        lambda: services.early_win_save(
            actor=membership,
            date=d["date"],
            description=d["description"],
            action=d["action"],
            evidence=d["evidence"],
            shared_with=d["shared_with"],
            public=d["public"],
            win=win,  # type: ignore[arg-type]
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def early_win_edit(
    request: HttpRequest, coalition: Coalition, membership: Membership, win_id: int
) -> HttpResponse:
    win = selectors.early_win_get(coalition, win_id)
    initial = {
        "date": win.date,
        "description": win.description,
        "action": win.action,
        "evidence": win.evidence,
        "shared_with": win.shared_with,
        "public": win.public,
    }
    form = forms.EarlyWinForm(request.POST or None, coalition=coalition, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _win_save(form, membership, win)
        if saved is not None:
            messages.success(request, _("The early win is saved."))
            return redirect("implementation:early_wins", coalition.pk)
    return coalition_render(
        request,
        "plans/implementation/early_win_edit.html",
        coalition,
        membership,
        form=form,
        win=win,
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def early_win_delete(
    request: HttpRequest, coalition: Coalition, membership: Membership, win_id: int
) -> HttpResponse:
    win = selectors.early_win_get(coalition, win_id)
    services.early_win_delete(actor=membership, win=win)
    messages.success(request, _("The early win is deleted."))
    return redirect("implementation:early_wins", coalition.pk)


@coalition_view(Can.CONTRIBUTE)
@require_POST
def early_wins_import(
    request: HttpRequest, coalition: Coalition, membership: Membership
) -> HttpResponse:
    made = services.early_wins_import_from_worksheet(actor=membership)
    messages.success(
        request, _("%(n)s early wins were made from the worksheet's rows.") % {"n": made}
    )
    return redirect("implementation:early_wins", coalition.pk)


# --- progress reports ------------------------------------------------------------------------


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    form = (
        forms.ReportForm(request.POST)
        if request.method == "POST"
        else forms.ReportForm.with_this_year()
    )
    if request.method == "POST":
        require(membership, Can.CONTRIBUTE)
        if form.is_valid():
            d = form.cleaned_data
            try:
                made = form_save(
                    form,
                    lambda: services.progress_report_start(
                        actor=membership,
                        period_start=d["period_start"],
                        period_end=d["period_end"],
                        formats=d["formats"],
                        include_reasons=d["include_reasons"],
                    ),
                )
            except PermissionDenied as exc:
                form.add_error("include_reasons", str(exc))
                made = None
            if made is not None:
                messages.success(
                    request, _("The report is being made. This page shows its progress.")
                )
                return redirect("implementation:reports", coalition.pk)
    return coalition_render(
        request,
        "plans/implementation/reports.html",
        coalition,
        membership,
        form=form,
        reports=selectors.progress_reports(coalition),
        pdf_unavailable=pdf_unavailable_message(),
    )


# --- publishing the scorecard ------------------------------------------------------------------


@coalition_view(Can.RUN)
@require_POST
def publication(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    if request.POST.get("action") == "unpublish":
        services.scorecard_unpublish(actor=membership)
        messages.success(request, _("The scorecard is no longer public."))
    else:
        form = forms.PublicationForm(request.POST)
        form.is_valid()
        services.scorecard_publish(
            actor=membership, show_reasons=form.cleaned_data.get("show_reasons", False)
        )
        messages.success(request, _("The scorecard is public."))
    return redirect("implementation:scorecard", coalition.pk)


@require_GET
def public_scorecard(request: HttpRequest, token: str) -> HttpResponse:
    published = selectors.published_scorecard(token)
    coalition = published.coalition
    plan = coalition.map_versions.filter(published_at__isnull=False).order_by("-number").first()
    return render(
        request,
        "plans/implementation/public.html",
        {
            "coalition": coalition,
            "published": published,
            "card": selectors.scorecard(
                coalition, public=True, show_reasons=published.show_reasons
            ),
            "plan": plan,
        },
    )


# --- the next cycle ---------------------------------------------------------------------------


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def next_cycle(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    form = forms.CycleStartForm(request.POST or None, coalition=coalition)
    if request.method == "POST":
        require(membership, Can.RUN)
        if form.is_valid():
            d = form.cleaned_data
            cycle = form_save(
                form,
                lambda: services.plan_cycle_start(
                    actor=membership, version=d["version"], note=d["note"]
                ),
            )
            if cycle is not None:
                messages.success(
                    request,
                    _("Cycle %(n)s has started. The plan's sections are drafts again.")
                    % {"n": cycle.number},
                )
                return redirect("implementation:next_cycle", coalition.pk)
    return coalition_render(
        request,
        "plans/implementation/next_cycle.html",
        coalition,
        membership,
        form=form,
        cycles=selectors.cycles(coalition),
        candidates=selectors.cycle_candidates(coalition),
    )


@coalition_view(Can.RUN)
@require_POST
def candidate_adopt(
    request: HttpRequest, coalition: Coalition, membership: Membership
) -> HttpResponse:
    wanted = request.POST.get("name", "")
    candidate = next(
        (c for c in selectors.cycle_candidates(coalition) if c["name"] == wanted), None
    )
    if candidate is None:
        messages.error(request, _("That candidate is no longer on the list."))
    else:
        message_save(
            request,
            lambda: services.cycle_candidate_adopt(actor=membership, candidate=candidate),
            _("“%(name)s” is now a priority area of the plan.") % {"name": wanted},
        )
    return redirect("implementation:next_cycle", coalition.pk)


@coalition_view(Can.VIEW)
@require_GET
def cycle_compare(
    request: HttpRequest, coalition: Coalition, membership: Membership, cycle_id: int
) -> HttpResponse:
    """The two plans side by side for the council: the cycle's base version against the first
    version frozen after it (or, until then, the current draft)."""
    found = selectors.cycle_comparison(coalition, selectors.cycle_get(coalition, cycle_id))
    return coalition_render(
        request,
        "plans/map/compare.html",
        coalition,
        membership,
        version=found.base,
        later=found.later,
        changes=found.changes,
        cycle=found.cycle,
    )
