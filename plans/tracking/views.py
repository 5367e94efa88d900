"""Pages of values over time: one page per measure and per headline goal (values table, entry
table, paste box, local dataset, chart, status), value deletion, dismissing a notice."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from coalitions.models import Coalition, Membership
from coalitions.permissions import Can, role_allows
from coalitions.web import coalition_render, coalition_view, form_save
from metrics.charts.formatting import display_unit, format_value, unit_label, value_input_text
from metrics.profiles.reading import subgroup_name_text
from plans.map import metric_data
from plans.map.models import HeadlineGoal, Measure
from plans.tracking import charts, forms, selectors, services, status
from plans.tracking.periods import period_label


def _row_dicts(problems: list[services.RowProblem]) -> list[dict[str, str]]:
    return [p.data for p in problems]


def _report(request: HttpRequest, result: services.ValuesResult) -> None:
    if result.saved:
        messages.success(
            request,
            ngettext("%(count)s value saved.", "%(count)s values saved.", len(result.saved))
            % {"count": len(result.saved)},
        )
    if result.problems:
        messages.error(
            request,
            ngettext(
                "%(count)s row was not saved: see the reasons below and fix it.",
                "%(count)s rows were not saved: see the reasons below and fix them.",
                len(result.problems),
            )
            % {"count": len(result.problems)},
        )


def _post(
    request: HttpRequest, membership: Membership, owner: Measure | HeadlineGoal, ctx: dict
) -> bool:
    """Handle one of the page's forms; True when the page should redirect (all saved)."""
    action = request.POST.get("action")
    result = None
    if action == "targets":
        return _post_targets(request, membership, owner, ctx)
    if action == "rows":
        formset = forms.ValueRowFormSet(request.POST, prefix="rows")
        ctx["formset"] = formset
        if formset.is_valid():
            rows = [f.cleaned_data for f in formset.forms if not f.is_blank()]
            result = services.values_add(actor=membership, owner=owner, rows=rows)
    elif action == "paste":
        paste = forms.PasteForm(request.POST)
        ctx["paste_form"] = paste
        if paste.is_valid():
            rows = services.paste_rows(paste.cleaned_data["pasted"])
            result = form_save(
                paste, lambda: services.values_add(actor=membership, owner=owner, rows=rows)
            )
            if result is not None and result.problems:
                # keep only the bad rows in the box, to fix and send again
                ctx["paste_form"] = forms.PasteForm(
                    initial={"pasted": "\n".join(_tsv(p.data) for p in result.problems)}
                )
    elif action == "dataset":
        dataset_form = forms.DatasetForm(request.POST, datasets=ctx["datasets"])
        ctx["dataset_form"] = dataset_form
        if dataset_form.is_valid():
            done = form_save(
                dataset_form,
                lambda: services.values_from_dataset(
                    actor=membership, owner=owner, dataset=dataset_form.cleaned_data["dataset"]
                ),
            )
            if done is not None:
                messages.success(
                    request,
                    _("%(copied)s values copied; %(kept)s kept as typed by hand.")
                    % {"copied": done[0], "kept": done[1]},
                )
                return True
    if result is None:
        return False
    _report(request, result)
    ctx["problems"] = result.problems
    if result.problems and action == "rows":
        ctx["formset"] = forms.ValueRowFormSet(prefix="rows", initial=_row_dicts(result.problems))
    return not result.problems


def _post_targets(
    request: HttpRequest, membership: Membership, owner: Measure | HeadlineGoal, ctx: dict
) -> bool:
    """Save the subgroups' own baselines and targets: all rows or none."""
    if not role_allows(membership.role, Can.MANAGE_DATA):
        raise PermissionDenied
    formset = forms.SubgroupTargetFormSet(request.POST, prefix="targets")
    ctx["targets_formset"] = formset
    if not formset.is_valid():
        return False
    rows = [f.cleaned_data for f in formset.forms]
    found = form_save(
        formset.forms[0] if formset.forms else forms.SubgroupTargetForm(),
        lambda: services.subgroup_targets_save(actor=membership, owner=owner, rows=rows),
    )
    if found is None:
        return False
    if found.problems:
        ctx["target_problems"] = found.problems
        messages.error(request, _("Nothing was saved: see the reasons below and fix them."))
        return False
    messages.success(request, _("The subgroups' baselines and targets were saved."))
    return True


def _date_input(value: Any) -> str:
    """A baseline or target date as a person would type it back: a year for 31 December."""
    if value is None:
        return ""
    return str(value.year) if (value.month, value.day) == (12, 31) else value.isoformat()


def _targets_formset(owner: Measure | HeadlineGoal, targets: list) -> Any:
    """One row per subgroup of the owner, with its saved baseline and target."""
    by_name = {t.subgroup: t for t in targets}
    initial = []
    for name in services.owner_subgroups(owner):
        t = by_name.get(name)
        initial.append(
            {
                "subgroup": name,
                "baseline_value": value_input_text(t.baseline_value, owner.unit) if t else "",
                "baseline_date": _date_input(t.baseline_date) if t else "",
                "target_value": value_input_text(t.target_value, owner.unit) if t else "",
                "target_date": _date_input(t.target_date) if t else "",
            }
        )
    return forms.SubgroupTargetFormSet(prefix="targets", initial=initial)


def _target_rows(formset: Any, problems: list[services.RowProblem]) -> list[dict[str, Any]]:
    """The entry table's rows: the subgroup's label, its form, the reasons it was not saved."""
    by_row = {p.row: p for p in problems}
    return [
        {
            "label": subgroup_name_text(str(form["subgroup"].value() or "")),
            "form": form,
            "problem": by_row.get(number),
        }
        for number, form in enumerate(formset.forms, start=1)
    ]


def _tsv(data: dict[str, str]) -> str:
    cells = [data.get(c, "") for c in services.COLUMNS]
    while cells and not cells[-1]:
        cells.pop()
    return "\t".join(cells)


def _value_rows(owner: Measure | HeadlineGoal, values: list) -> list[dict[str, Any]]:
    unit = display_unit(owner.unit)
    return [
        {
            "obj": v,
            "period": period_label(v.period),
            "value": format_value(v.value, unit),
            "bounds": (
                f"{format_value(v.lower, unit)} – {format_value(v.upper, unit)}"
                if v.lower is not None and v.upper is not None
                else ""
            ),
        }
        for v in values
    ]


def _page(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    owner: Measure | HeadlineGoal,
    found: status.MeasureStatus,
) -> HttpResponse:
    can_edit = role_allows(membership.role, Can.CONTRIBUTE)
    ctx: dict[str, Any] = {
        "owner": owner,
        "is_goal": isinstance(owner, HeadlineGoal),
        "formset": forms.ValueRowFormSet(prefix="rows"),
        "paste_form": forms.PasteForm(),
        "datasets": metric_data.local_datasets(coalition),
        "problems": [],
    }
    ctx["dataset_form"] = forms.DatasetForm(
        datasets=ctx["datasets"],
        initial={"dataset": getattr(owner, "local_dataset_id", None)},
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if _post(request, membership, owner, ctx):
            return redirect(request.path)
    values = list(selectors.values_of(owner))
    targets = list(owner.subgroup_targets.all())
    unit = display_unit(owner.unit)
    targets_formset = ctx.pop("targets_formset", None) or _targets_formset(owner, targets)
    by_subgroup = {t.subgroup: t for t in targets}
    target_rows = _target_rows(targets_formset, ctx.pop("target_problems", []))
    return coalition_render(
        request,
        "plans/tracking/values.html",
        coalition,
        membership,
        **ctx,
        status=found,
        values=_value_rows(owner, values),
        chart_block={"type": "chart", "spec": charts.chart_spec(owner, values)},
        subgroup_charts=[
            {
                "type": "chart",
                "spec": charts.subgroup_chart_spec(owner, values, by_subgroup[s.subgroup]),
            }
            for s in found.subgroup_statuses
            if s.subgroup in by_subgroup
        ],
        targets_formset=targets_formset,
        target_rows=target_rows,
        can_set_targets=role_allows(membership.role, Can.MANAGE_DATA),
        unit_text=unit_label(unit),
        baseline_text=format_value(owner.baseline_value, unit)
        if owner.baseline_value is not None
        else "",
        target_text=format_value(owner.target_value, unit)
        if owner.target_value is not None
        else "",
        subgroups=services.owner_subgroups(owner),
        date_range=services.date_range(owner, timezone.localdate()),
    )


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def measure(
    request: HttpRequest, coalition: Coalition, membership: Membership, measure_id: int
) -> HttpResponse:
    owner = selectors.measure_get(coalition, measure_id)
    found = status.measure_statuses(coalition)[owner.pk]
    return _page(request, coalition, membership, owner, found)


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def goal(
    request: HttpRequest, coalition: Coalition, membership: Membership, goal_id: int
) -> HttpResponse:
    owner = selectors.goal_get(coalition, goal_id)
    found = status.goal_statuses(coalition)[owner.pk]
    return _page(request, coalition, membership, owner, found)


@coalition_view(Can.CONTRIBUTE)
@require_POST
def value_delete(
    request: HttpRequest, coalition: Coalition, membership: Membership, value_id: int
) -> HttpResponse:
    value = selectors.value_get(coalition, value_id)
    owner = value.measure or value.goal
    services.value_delete(actor=membership, value=value)
    messages.success(request, _("The value was deleted."))
    if isinstance(owner, HeadlineGoal):
        return redirect("tracking:goal", coalition.pk, owner.pk)
    return redirect("tracking:measure", coalition.pk, owner.pk)  # type: ignore[union-attr]


@coalition_view(Can.VIEW)
@require_POST
def change_dismiss(
    request: HttpRequest, coalition: Coalition, membership: Membership, change_id: int
) -> HttpResponse:
    change = selectors.release_change_get(coalition, change_id)
    services.release_change_dismiss(actor=membership, change=change)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "coalitions:detail", *([] if target else [coalition.pk]))
