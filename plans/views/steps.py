"""The steps: dashboard, step pages, checklists and status, assignments, my work."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalitions.models import Coalition, Membership
from coalitions.permissions import Can
from coalitions.web import coalition_page_context, coalition_view, form_save, message_save
from plans import definitions, selectors, services
from plans.display import render_markdown
from plans.forms import (
    AssignmentForm,
)
from plans.models import Assignment, StepStatus
from plans.permissions import may_edit_worksheet
from plans.views.common import step_or_404

# --- steps ------------------------------------------------------------------------------------


def _with_worksheets(assignments: Iterable[Assignment]) -> list[tuple[Assignment, Any]]:
    """Each assignment with its worksheet (None for a whole step), so pages show numbers."""
    return [(a, a.worksheet_key and definitions.worksheet(a.worksheet_key)) for a in assignments]


@coalition_view(Can.VIEW)
@require_GET
def steps_dashboard(request: HttpRequest, coalition: Coalition, membership: Membership):
    rows = selectors.steps_overview(coalition, membership)
    done = sum(r.done for r in rows)
    total = sum(r.total for r in rows)
    return render(
        request,
        "plans/dashboard.html",
        coalition_page_context(
            coalition,
            membership,
            rows=rows,
            done=done,
            total=total,
            steps_complete=sum(1 for r in rows if r.status == StepStatus.COMPLETE),
            overdue=_with_worksheets(selectors.overdue_assignments(coalition)),
            activity=selectors.recent_activity(coalition),
        ),
    )


def _step_row(coalition: Coalition, membership: Membership, number: int):
    step_or_404(number)
    rows = selectors.steps_overview(coalition, membership)
    return next(r for r in rows if r.step.number == number)


@coalition_view(Can.VIEW)
@require_GET
def step_detail(request: HttpRequest, coalition: Coalition, membership: Membership, number: int):
    row = _step_row(coalition, membership, number)
    checklist = [(item, row.ticks.get(item.key)) for item in row.step.checklist]
    return render(
        request,
        "plans/step.html",
        coalition_page_context(
            coalition,
            membership,
            row=row,
            step=row.step,
            checklist=checklist,
            has_assignments=bool(row.assignments or any(w.assignments for w in row.worksheets)),
            statuses=StepStatus.choices,
            guidance_html=render_markdown(row.step.guidance),
            readiness=(
                selectors.readiness_summary(coalition)
                if definitions.worksheet_by_role("readiness").step == number
                else None
            ),
        ),
    )


@coalition_view(Can.RUN)
@require_POST
def step_status(request: HttpRequest, coalition: Coalition, membership: Membership, number: int):
    step_or_404(number)
    status = request.POST.get("status", "")
    message_save(
        request,
        lambda: services.step_status_set(actor=membership, step=number, status=status),
        _("The step's status is saved."),
    )
    return redirect("plans:step", coalition.pk, number)


@coalition_view(Can.RUN)
@require_POST
def step_checklist(request: HttpRequest, coalition: Coalition, membership: Membership, number: int):
    step = step_or_404(number)
    ticked = set(request.POST.getlist("item"))
    for item in step.checklist:
        services.checklist_tick_set(
            actor=membership, step=number, item_key=item.key, ticked=item.key in ticked
        )
    messages.success(request, _("The review checklist is saved."))
    return redirect("plans:step", coalition.pk, number)


@coalition_view(Can.INVITE)
@require_http_methods(["GET", "POST"])
def assignment_create(
    request: HttpRequest, coalition: Coalition, membership: Membership, number: int
):
    step = step_or_404(number)
    members = coalition.memberships.select_related("user")
    groups = coalition.working_groups.all()
    form = AssignmentForm(request.POST or None, step=step, members=members, groups=groups)
    if request.method == "POST" and form.is_valid():
        owner_ref = form.cleaned_data["owner"]
        owner = members.filter(pk=owner_ref[1:]).first() if owner_ref[0] == "m" else None
        group = groups.filter(pk=owner_ref[1:]).first() if owner_ref[0] == "g" else None
        assigned = form_save(
            form,
            lambda: services.assignment_create(
                actor=membership,
                step=number,
                worksheet_key=form.cleaned_data["worksheet_key"],
                owner=owner,
                working_group=group,
                due_date=form.cleaned_data["due_date"],
                note=form.cleaned_data["note"],
            ),
        )
        if assigned is not None:
            messages.success(request, _("The work is assigned."))
            return redirect("plans:step", coalition.pk, number)
    return render(
        request,
        "plans/assign.html",
        coalition_page_context(coalition, membership, form=form, step=step),
    )


@coalition_view(Can.INVITE)
@require_POST
def assignment_delete(
    request: HttpRequest, coalition: Coalition, membership: Membership, assignment_id: int
):
    assignment = Assignment.objects.filter(coalition=coalition, pk=assignment_id).first()
    if assignment is None:
        raise Http404
    services.assignment_delete(actor=membership, assignment=assignment)
    messages.success(request, _("The assignment is removed."))
    return redirect("plans:step", coalition.pk, assignment.step)


@coalition_view(Can.VIEW)
@require_GET
def my_work(request: HttpRequest, coalition: Coalition, membership: Membership):
    today = timezone.localdate()
    mine = list(selectors.my_assignments(coalition, membership))
    individual = [
        (ws, selectors.own_response(coalition, ws.key, membership))
        for ws in definitions.worksheets()
        if ws.filled_by.mode == "individual" and may_edit_worksheet(membership, ws)
    ]
    return render(
        request,
        "plans/my_work.html",
        coalition_page_context(
            coalition,
            membership,
            assignments=_with_worksheets(mine),
            today=today,
            individual=individual,
            notifications=selectors.notifications_for(membership.user, coalition)[:20],
        ),
    )


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest, coalition: Coalition, membership: Membership):
    if request.method == "POST":
        services.notifications_mark_read(actor=membership)
        return redirect("plans:notifications", coalition.pk)
    items = selectors.notifications_for(membership.user, coalition)[:50]
    return render(
        request,
        "plans/notifications.html",
        coalition_page_context(coalition, membership, items=items),
    )


@coalition_view(Can.VIEW)
@require_GET
def readiness(request: HttpRequest, coalition: Coalition, membership: Membership):
    return render(
        request,
        "plans/readiness.html",
        coalition_page_context(
            coalition, membership, summary=selectors.readiness_summary(coalition)
        ),
    )
