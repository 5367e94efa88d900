"""Pages of the strategy (Steps 7–8) and the MAP (Step 9). Every view goes through the helper."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.services import absolute_url
from coalitions.models import Coalition, Membership
from coalitions.permissions import Can, role_allows
from coalitions.web import (
    coalition_page_context,
    coalition_view,
    form_add_errors,
    form_save,
    message_save,
)
from core.models import JobStatus
from core.system import pdf_unavailable_message
from metrics.charts.formatting import value_input_text
from plans import theory_of_change
from plans.implementation.models import ScorecardPublication
from plans.map import checks, forms, front, goal_display, metric_data, selectors, services
from plans.map import document as doc_module
from plans.map.blocks import date_words
from plans.map.document_cache import document_for_page
from plans.map.models import (
    MAX_GOALS_PER_AREA,
    PLAN_EXPORT_KINDS,
    ExportFormat,
    HeadlineGoal,
    PlanExport,
    StrategicAction,
)
from plans.tracking.status import measure_statuses


def _initial(record: Any, form_class: type[Form]) -> dict[str, Any]:
    """A record's values for the fields its form declares (none for a new record)."""
    return {f: getattr(record, f) for f in form_class.base_fields} if record else {}


def _edit_page(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    form: Any,
    title: str,
    back: str,
) -> HttpResponse:
    return render(
        request,
        "plans/map/edit.html",
        coalition_page_context(coalition, membership, form=form, page_title=title, back=back),
    )


# --- strategy -----------------------------------------------------------------------------


@coalition_view(Can.VIEW)
@require_GET
def strategy(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    return render(
        request,
        "plans/map/strategy.html",
        coalition_page_context(
            coalition,
            membership,
            vision=selectors.vision(coalition),
            areas=selectors.priority_areas(coalition),
            theories=selectors.theories(coalition),
            actions=selectors.strategic_actions(coalition),
            gaps=selectors.coverage_count(coalition),
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def import_worksheets(
    request: HttpRequest, coalition: Coalition, membership: Membership
) -> HttpResponse:
    made = services.strategy_import_from_worksheets(actor=membership)
    messages.success(
        request,
        _(
            "From the worksheets: %(v)s vision, %(p)s priority areas, %(t)s theories of change, "
            "%(a)s strategic actions."
        )
        % {
            "v": made["vision"],
            "p": made["priorities"],
            "t": made["theories"],
            "a": made["actions"],
        },
    )
    return redirect("map:strategy", coalition.pk)


@coalition_view(Can.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def vision(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    current = selectors.vision(coalition)
    form = forms.VisionForm(request.POST or None, initial=_initial(current, forms.VisionForm))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = form_save(
            form,
            lambda: services.vision_save(
                actor=membership,
                statement=d["statement"],
                adopted_on=d["adopted_on"],
                adopted_how=d["adopted_how"],
            ),
        )
        if saved:
            messages.success(request, _("Vision saved."))
            return redirect("map:strategy", coalition.pk)
    return _edit_page(
        request, coalition, membership, form, _("Community vision statement"), "map:strategy"
    )


@coalition_view(Can.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def priority_edit(
    request: HttpRequest, coalition: Coalition, membership: Membership, priority_id: int = 0
) -> HttpResponse:
    area = selectors.priority_area_get(coalition, priority_id) if priority_id else None
    initial = _initial(area, forms.PriorityAreaForm)
    form = forms.PriorityAreaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if form_save(
            form,
            lambda: services.priority_area_save(
                actor=membership,
                area=area,
                name=d["name"],
                pillar=d["pillar"],
                predictors=d["predictors"],
                rationale=d["rationale"],
            ),
        ):
            return redirect("map:strategy", coalition.pk)
    return render(
        request,
        "plans/map/priority_edit.html",
        coalition_page_context(
            coalition,
            membership,
            form=form,
            area=area,
            goals=[goal_display.goal_row(g) for g in selectors.headline_goals(coalition, area)]
            if area
            else [],
            max_goals=MAX_GOALS_PER_AREA,
            page_title=_("Priority area"),
            back="map:strategy",
        ),
    )


def _goal_initial(goal: HeadlineGoal) -> dict[str, Any]:
    return {
        "metric_variable": goal.metric_variable,
        "local_dataset": goal.local_dataset,
        "indicator": goal.indicator,
        "baseline": value_input_text(goal.baseline_value, goal.unit),
        "baseline_date": goal.baseline_date,
        "target": value_input_text(goal.target_value, goal.unit),
        "target_date": goal.target_date,
        "subgroup": goal.subgroup,
        "gap_target": goal_display.gap_input_text(goal),
        "note": goal.note,
    }


@coalition_view(Can.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def goal_edit(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    priority_id: int,
    goal_id: int = 0,
) -> HttpResponse:
    """One headline goal of a priority area: its indicator, baseline, target and gap target."""
    area = selectors.priority_area_get(coalition, priority_id)
    goal = selectors.headline_goal_get(coalition, goal_id) if goal_id else None
    if goal is not None and goal.priority_area_id != area.pk:
        raise Http404
    initial = _goal_initial(goal) if goal else {}
    form = forms.HeadlineGoalForm(request.POST or None, initial=initial, coalition=coalition)
    if (
        request.method == "POST"
        and form.is_valid()
        and form_save(
            form,
            lambda: services.headline_goal_save(
                actor=membership, priority_area=area, goal=goal, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Headline goal saved."))
        return redirect("map:priority_edit", coalition.pk, area.pk)
    source = (
        metric_data.goal_source(
            coalition, variable=goal.metric_variable, dataset=goal.local_dataset
        )
        if goal
        else None
    )
    return render(
        request,
        "plans/map/goal_edit.html",
        coalition_page_context(
            coalition,
            membership,
            form=form,
            area=area,
            goal=goal,
            subgroups=metric_data.goal_subgroups(coalition, source) if source else [],
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def goal_delete(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    priority_id: int,
    goal_id: int,
) -> HttpResponse:
    goal = selectors.headline_goal_get(coalition, goal_id)
    services.headline_goal_delete(goal=goal, actor=membership)
    messages.info(request, _("Headline goal deleted."))
    return redirect("map:priority_edit", coalition.pk, goal.priority_area_id)


@coalition_view(Can.CONTRIBUTE)
@require_POST
def priority_delete(
    request: HttpRequest, coalition: Coalition, membership: Membership, priority_id: int
) -> HttpResponse:
    area = selectors.priority_area_get(coalition, priority_id)
    services.priority_area_delete(area=area, actor=membership)
    return redirect("map:strategy", coalition.pk)


def _theory_preview(data: Any) -> dict[str, Any]:
    """How the plan will print a theory of change with these answers, and which parts to
    rephrase (the same rules as the pre-freeze check)."""
    parts = {part: str(data.get(part) or "") for part in theory_of_change.PARTS}
    joined = theory_of_change.sentence(parts)
    own = str(data.get("statement") or "").strip()
    if own in {joined, *theory_of_change.earlier_sentences(parts)}:
        own = ""
    return {
        "sentence": own or joined,
        "own": bool(own),
        "problems": [] if own else list(theory_of_change.part_problems(parts).values()),
    }


@coalition_view(Can.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def theory_edit(
    request: HttpRequest, coalition: Coalition, membership: Membership, theory_id: int = 0
) -> HttpResponse:
    theory = selectors.theory_get(coalition, theory_id) if theory_id else None
    initial = _initial(theory, forms.TheoryForm)
    form = forms.TheoryForm(request.POST or None, initial=initial, coalition=coalition)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if form_save(
            form,
            lambda: services.theory_save(
                actor=membership,
                theory=theory,
                **d,
            ),
        ):
            messages.success(request, _("Theory of change saved."))
            return redirect("map:strategy", coalition.pk)
    return render(
        request,
        "plans/map/theory_edit.html",
        coalition_page_context(
            coalition,
            membership,
            form=form,
            theory=theory,
            preview=_theory_preview(request.POST if request.method == "POST" else initial),
            pattern=theory_of_change.pattern(),
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def theory_preview(
    request: HttpRequest, coalition: Coalition, membership: Membership
) -> HttpResponse:
    """The sentence as people type (HTMX); nothing is saved."""
    return render(
        request, "plans/map/_theory_preview.html", {"preview": _theory_preview(request.POST)}
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def theory_delete(
    request: HttpRequest, coalition: Coalition, membership: Membership, theory_id: int
) -> HttpResponse:
    theory = selectors.theory_get(coalition, theory_id)
    services.theory_delete(theory=theory, actor=membership)
    return redirect("map:strategy", coalition.pk)


def _action_initial(action: StrategicAction) -> dict[str, Any]:
    initial = _initial(action, forms.ActionForm)
    for kind in forms.ELEMENT_FIELDS:
        initial[kind] = "\n".join(e.text for e in action.elements.all() if e.kind == kind)
    return initial


@coalition_view(Can.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def action_edit(
    request: HttpRequest, coalition: Coalition, membership: Membership, action_id: int = 0
) -> HttpResponse:
    action = selectors.strategic_action_get(coalition, action_id) if action_id else None
    initial = _action_initial(action) if action else {}
    form = forms.ActionForm(request.POST or None, initial=initial, coalition=coalition)
    # A post without the milestone rows (an older form, a script) leaves them as they are.
    with_rows = request.method != "POST" or "milestones-TOTAL_FORMS" in request.POST
    milestones = forms.MilestoneFormSet(
        (request.POST or None) if with_rows else None,
        prefix="milestones",
        initial=[
            {"id": m.pk, "title": m.title, "due_date": m.due_date}
            for m in (action.milestones.all() if action else [])
        ],
    )
    if request.method == "POST" and form.is_valid() and (not with_rows or milestones.is_valid()):
        fields = {k: v for k, v in form.cleaned_data.items() if k not in forms.ELEMENT_FIELDS}
        rows = [f.row() for f in milestones.forms] if with_rows else []
        try:
            services.strategic_action_save(
                actor=membership,
                action=action,
                fields=fields,
                elements=form.element_lines(),
                milestones=[r for r in rows if r is not None] if with_rows else None,
            )
        except ValidationError as exc:
            _milestone_errors_place(exc, form, milestones, rows)
        else:
            messages.success(request, _("Strategic action saved; the measurement plan follows it."))
            return redirect("map:strategy", coalition.pk)
    return render(
        request,
        "plans/map/action_edit.html",
        coalition_page_context(
            coalition,
            membership,
            form=form,
            milestones=milestones,
            page_title=_("Strategic action"),
            back="map:strategy",
        ),
    )


def _milestone_errors_place(
    exc: ValidationError, form: Form, formset: Any, rows: list[dict[str, Any] | None]
) -> None:
    """A service error about a milestone goes on that milestone's row; the rest on the form."""
    saved = [i for i, r in enumerate(rows) if r is not None]  # index in the service's list
    errors = dict(getattr(exc, "error_dict", {}))
    for error in errors.pop("milestones", []):
        code = error.code or ""
        index = int(code.removeprefix(services.MILESTONE_CODE)) if code else -1
        target = formset.forms[saved[index]] if 0 <= index < len(saved) else None
        if target is not None:
            target.add_error("due_date" if target.cleaned_data.get("title") else "title", error)
        else:
            form.add_error(None, error)
    if errors:
        form_add_errors(form, ValidationError(errors))
    elif not hasattr(exc, "error_dict"):
        form_add_errors(form, exc)


@coalition_view(Can.CONTRIBUTE)
@require_POST
def action_delete(
    request: HttpRequest, coalition: Coalition, membership: Membership, action_id: int
) -> HttpResponse:
    action = selectors.strategic_action_get(coalition, action_id)
    services.strategic_action_delete(action=action, actor=membership)
    messages.info(request, _("Action deleted. Its measures are flagged in the measurement plan."))
    return redirect("map:strategy", coalition.pk)


# --- measurement plan ------------------------------------------------------------------------


@coalition_view(Can.VIEW)
@require_GET
def measures(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    return render(
        request,
        "plans/map/measures.html",
        coalition_page_context(
            coalition,
            membership,
            groups=selectors.measurement_plan(coalition),
            release_name=metric_data.active_release_name(),
            statuses=measure_statuses(coalition),
        ),
    )


@coalition_view(Can.VIEW)
@require_GET
def coverage(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    return render(
        request,
        "plans/map/coverage.html",
        coalition_page_context(coalition, membership, rows=selectors.coverage(coalition)),
    )


@coalition_view(Can.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def measure_edit(
    request: HttpRequest, coalition: Coalition, membership: Membership, measure_id: int
) -> HttpResponse:
    measure = selectors.measure_get(coalition, measure_id)
    initial = _initial(measure, forms.MeasureForm)
    form = forms.MeasureForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and form_save(
            form,
            lambda: services.measure_save(
                measure=measure,
                actor=membership,
                fields=form.cleaned_data,
            ),
        )
    ):
        return redirect("map:measures", coalition.pk)
    baseline = metric_data.baseline_for(coalition, measure.metric_variable)
    return render(
        request,
        "plans/map/measure_edit.html",
        coalition_page_context(
            coalition, membership, form=form, measure=measure, baseline=baseline
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def measure_dismiss(
    request: HttpRequest, coalition: Coalition, membership: Membership, measure_id: int
) -> HttpResponse:
    measure = selectors.measure_get(coalition, measure_id)
    try:
        services.measure_dismiss(measure=measure, actor=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("map:measures", coalition.pk)


# --- the MAP -----------------------------------------------------------------------------------


@coalition_view(Can.VIEW)
@require_GET
def plan(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    rounds = list(selectors.review_rounds(coalition)[:5])
    # One round is open at a time, the newest; an older one still open is read on its own.
    open_round = next((r for r in rounds if r.closed_at is None), None)
    if open_round is None and len(rounds) == 5:
        open_round = selectors.open_round(coalition)
    return render(
        request,
        "plans/map/plan.html",
        coalition_page_context(
            coalition,
            membership,
            sections=selectors.sections_overview(coalition),
            open_round=open_round,
            rounds=rounds,
            my_reviews=selectors.my_pending_reviews(coalition, membership),
            versions=selectors.versions(coalition),
            exports=selectors.exports(coalition)[:10],
            pdf_unavailable=pdf_unavailable_message(),
            export_kinds=PLAN_EXPORT_KINDS,
            export_formats=ExportFormat.choices,
            export_languages=selectors.export_language_choices(front.plan_languages(coalition)),
        ),
    )


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def section(
    request: HttpRequest, coalition: Coalition, membership: Membership, key: str
) -> HttpResponse:
    spec = selectors.section_spec(key)
    # Display flags only: map_section_save refuses a viewer's post and a non-manager's owner.
    can_run = role_allows(membership.role, Can.RUN)
    can_edit = role_allows(membership.role, Can.CONTRIBUTE)
    draft = selectors.section_draft(coalition, key)
    languages = front.plan_languages(coalition)
    initial = _initial(draft, forms.SectionForm)
    for code, text in ((draft.translations or {}) if draft else {}).items():
        initial[f"narrative_{code}"] = text
    form = forms.SectionForm(
        request.POST or None,
        initial=initial,
        coalition=coalition,
        can_run=can_run,
        languages=languages,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        extra = {"owner": d["owner"], "status": d["status"]} if can_run else {}
        if form_save(
            form,
            lambda: services.map_section_save(
                actor=membership,
                key=key,
                narrative=d["narrative"],
                translations=form.translations(),
                **extra,
            ),
        ):
            messages.success(request, _("Section saved."))
            return redirect("map:section", coalition.pk, key)
    preview = document_for_page(coalition)
    current = next(s for s in preview["sections"] if s["key"] == key)
    return render(
        request,
        "plans/map/section.html",
        coalition_page_context(
            coalition,
            membership,
            spec=spec,
            draft=draft,
            form=form if can_edit else None,
            section=current,
            doc=preview,
            bilingual=len(languages) > 1,
        ),
    )


@coalition_view(Can.RUN)
@require_http_methods(["GET", "POST"])
def review_request(
    request: HttpRequest, coalition: Coalition, membership: Membership
) -> HttpResponse:
    form = forms.ReviewRequestForm(request.POST or None, coalition=coalition)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if form_save(
            form,
            lambda: services.review_round_start(
                actor=membership,
                reviewers=[(m, d["reviewer_type"]) for m in d["reviewers"]],
                note=d["note"],
                site_url=absolute_url(request, "/"),
            ),
        ):
            messages.success(request, _("Review requested. Every section is now in review."))
            return redirect("map:plan", coalition.pk)
    return _edit_page(request, coalition, membership, form, _("Ask for review"), "map:plan")


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def review_decide(
    request: HttpRequest, coalition: Coalition, membership: Membership, review_id: int
) -> HttpResponse:
    review = selectors.review_get(coalition, review_id)
    # Display flag only: review_decide refuses anyone but the reviewer.
    mine = review.reviewer_id == membership.pk
    form = forms.DecisionForm(request.POST or None) if mine or request.method == "POST" else None
    if (
        form is not None
        and request.method == "POST"
        and form.is_valid()
        and form_save(
            form,
            lambda: services.review_decide(
                review=review,
                actor=membership,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            ),
        )
    ):
        messages.success(request, _("Your decision is recorded."))
        return redirect("map:plan", coalition.pk)
    return render(
        request,
        "plans/map/review.html",
        coalition_page_context(
            coalition, membership, review=review, form=form if mine else None, mine=mine
        ),
    )


def _check_page(
    request: HttpRequest,
    coalition: Coalition,
    membership: Membership,
    findings: list[checks.Finding],
    form: Form,
) -> HttpResponse:
    return render(
        request,
        "plans/map/check.html",
        coalition_page_context(
            coalition,
            membership,
            form=form,
            findings=findings,
            groups=checks.grouped(findings),
            next_number=selectors.versions(coalition).count() + 1,
        ),
    )


@coalition_view(Can.RUN)
@require_GET
def version_check(
    request: HttpRequest, coalition: Coalition, membership: Membership
) -> HttpResponse:
    """Check before freezing: what is missing or unfinished, and the freeze button."""
    # The page reads the cached public draft; the freeze itself checks what it freezes.
    public = document_for_page(coalition, audience=doc_module.PUBLIC)
    findings = checks.freeze_check(coalition, document=public)
    form = forms.FreezeForm(findings=bool(findings))
    return _check_page(request, coalition, membership, findings, form)


@coalition_view(Can.RUN)
@require_POST
def version_freeze(
    request: HttpRequest, coalition: Coalition, membership: Membership
) -> HttpResponse:
    # The service checks again, on the document it freezes; this only shapes the form.
    public = document_for_page(coalition, audience=doc_module.PUBLIC)
    findings = checks.freeze_check(coalition, document=public)
    form = forms.FreezeForm(request.POST, findings=bool(findings))
    if form.is_valid():
        try:
            version = services.map_version_freeze(
                actor=membership, override_reason=form.cleaned_data["override_reason"]
            )
        except ValidationError as exc:
            # The findings themselves are listed on the page again, as they are now.
            by_field = exc.message_dict if hasattr(exc, "error_dict") else {}
            for message in by_field.get("override_reason") or exc.messages[:1]:
                form.add_error("override_reason", message)
        else:
            messages.success(request, _("Version %(n)s is frozen.") % {"n": version.number})
            return redirect("map:version", coalition.pk, version.pk)
    return _check_page(request, coalition, membership, findings, form)


@coalition_view(Can.VIEW)
@require_GET
def version(
    request: HttpRequest, coalition: Coalition, membership: Membership, version_id: int
) -> HttpResponse:
    v = selectors.version_get(coalition, version_id)
    language = request.GET.get("lang") or ""
    language = language if language in v.languages else v.languages[0]
    return render(
        request,
        "plans/map/version.html",
        coalition_page_context(
            coalition,
            membership,
            version=v,
            doc=doc_module.upgrade_document(v.document_in(language)),
            languages=selectors.language_links(v.languages, language),
            exports=v.exports.all(),
            next_version=selectors.next_version(v),
            pdf_unavailable=pdf_unavailable_message(),
            check_groups=checks.grouped(v.check_findings or []),
            export_kinds=PLAN_EXPORT_KINDS,
            export_formats=ExportFormat.choices,
            export_languages=selectors.export_language_choices(v.languages),
        ),
    )


@coalition_view(Can.VIEW)
@require_GET
def version_compare(
    request: HttpRequest, coalition: Coalition, membership: Membership, version_id: int
) -> HttpResponse:
    v = selectors.version_get(coalition, version_id)
    later = selectors.next_version(v)
    newer = later.document if later else document_for_page(coalition)
    return render(
        request,
        "plans/map/compare.html",
        coalition_page_context(
            coalition,
            membership,
            version=v,
            later=later,
            changes=doc_module.compare_documents(v.document, newer),
        ),
    )


@coalition_view(Can.RUN)
@require_POST
def version_publish(
    request: HttpRequest, coalition: Coalition, membership: Membership, version_id: int
) -> HttpResponse:
    v = selectors.version_get(coalition, version_id)
    message_save(
        request,
        lambda: services.map_version_publish(version=v, actor=membership),
        _("Version %(n)s is public.") % {"n": v.number},
    )
    return redirect("map:version", coalition.pk, v.pk)


@coalition_view(Can.RUN)
@require_POST
def version_unpublish(
    request: HttpRequest, coalition: Coalition, membership: Membership, version_id: int
) -> HttpResponse:
    v = selectors.version_get(coalition, version_id)
    services.map_version_unpublish(version=v, actor=membership)
    messages.success(request, _("Version %(n)s is no longer public.") % {"n": v.number})
    return redirect("map:version", coalition.pk, v.pk)


# --- the cover and front matter ----------------------------------------------------------------


@coalition_view(Can.RUN)
@require_http_methods(["GET", "POST"])
def cover(request: HttpRequest, coalition: Coalition, membership: Membership) -> HttpResponse:
    chosen = front.plan_settings(coalition)
    initial = {
        "acknowledgements": chosen.acknowledgements,
        "page_size": chosen.page_size,
        "language": chosen.language,
        "second_language": chosen.second_language,
    }
    languages = chosen.plan_languages
    for code in languages[1:]:
        initial[f"acknowledgements_{code}"] = chosen.acknowledgements_in(code)
    form = forms.PlanSettingsForm(request.POST or None, request.FILES or None, initial=initial)
    forms.add_acknowledgements_fields(form, languages)
    if request.method == "POST" and form.is_valid():
        saved = form_save(
            form,
            lambda: services.plan_settings_save(
                actor=membership,
                acknowledgements=form.cleaned_data["acknowledgements"],
                page_size=form.cleaned_data["page_size"],
                language=form.cleaned_data["language"],
                second_language=form.cleaned_data["second_language"],
                acknowledgements_translations={
                    code: form.cleaned_data.get(f"acknowledgements_{code}") or ""
                    for code in languages[1:]
                    if code == form.cleaned_data["second_language"]
                },
                logo=form.cleaned_data.get("logo") or None,
                remove_logo=form.cleaned_data["remove_logo"],
            ),
        )
        if saved is not None:
            messages.success(request, _("The cover and front matter are saved."))
            return redirect("map:cover", coalition.pk)
    return render(
        request,
        "plans/map/cover.html",
        coalition_page_context(
            coalition,
            membership,
            form=form,
            chosen=chosen,
            partner_rows=front.partner_rows(coalition),
            partners=front.partners(coalition),
        ),
    )


@coalition_view(Can.RUN)
@require_POST
def cover_partners(
    request: HttpRequest, coalition: Coalition, membership: Membership
) -> HttpResponse:
    listed = [int(v) for v in request.POST.getlist("listed") if v.isdigit()]
    message_save(
        request,
        lambda: services.plan_partners_set(actor=membership, listed=listed),
        _("The partner list is saved."),
    )
    return redirect("map:cover", coalition.pk)


@coalition_view(Can.RUN)
@require_GET
def cover_logo(
    request: HttpRequest, coalition: Coalition, membership: Membership
) -> HttpResponseBase:
    """The current logo, for the cover page's preview (never a public media URL)."""
    chosen = front.plan_settings(coalition)
    if not chosen.logo:
        raise Http404
    response = FileResponse(chosen.logo.open("rb"), content_type=chosen.logo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- exports: the plan and its summary, as PDF and Word ----------------------------------------


@coalition_view(Can.CONTRIBUTE)
@require_POST
def export_start(
    request: HttpRequest, coalition: Coalition, membership: Membership
) -> HttpResponse:
    form = forms.ExportStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to export and in which format."))
        return redirect("map:plan", coalition.pk)
    version_id = form.cleaned_data.get("version")
    v = selectors.version_get(coalition, version_id) if version_id else None
    message_save(
        request,
        lambda: services.plan_export_start(
            actor=membership,
            version=v,
            kind=form.cleaned_data["kind"],
            format=form.cleaned_data["format"],
            language=form.cleaned_data["language"],
        ),
        _("The file is being made. This page shows its progress."),
    )
    return redirect("map:plan", coalition.pk)


@coalition_view(Can.VIEW)
@require_GET
def export_status(
    request: HttpRequest, coalition: Coalition, membership: Membership, export_id: int
) -> HttpResponse:
    return render(
        request,
        "plans/map/_export_row.html",
        {
            "export": selectors.export_get(coalition, export_id),
            "coalition": coalition,
            "can_contribute": role_allows(membership.role, Can.CONTRIBUTE),
            "pdf_unavailable": pdf_unavailable_message(),
        },
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def export_retry(
    request: HttpRequest, coalition: Coalition, membership: Membership, export_id: int
) -> HttpResponse:
    export = selectors.export_get(coalition, export_id)
    message_save(
        request,
        lambda: services.plan_export_retry(actor=membership, export=export),
        _("The export is being made again. This page shows its progress."),
    )
    return redirect("map:plan", coalition.pk)


def _file_response(export: PlanExport, *, attachment: bool) -> FileResponse:
    if export.status != JobStatus.SUCCEEDED or not export.file:
        raise Http404
    response = FileResponse(
        export.file.open("rb"),
        content_type=export.content_type,
        filename=export.download_name,
        as_attachment=attachment,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@coalition_view(Can.VIEW)
@require_GET
def export_download(
    request: HttpRequest, coalition: Coalition, membership: Membership, export_id: int
) -> HttpResponseBase:
    export = selectors.export_get(coalition, export_id)
    response = _file_response(export, attachment=True)
    response["Cache-Control"] = "private, no-store"
    return response


# --- the public page (Step 9) ----------------------------------------------------------------


@require_GET
def public_plan(request: HttpRequest, token: str) -> HttpResponse:
    """A published version in one of its languages (``?lang=es``; the plan's own by default),
    the whole page in that language, with links to the others at the same address."""
    v = selectors.published_version(token)
    language = request.GET.get("lang") or ""
    language = language if language in v.languages else v.languages[0]
    with translation.override(language):
        return render(
            request,
            "plans/map/public.html",
            {
                "version": v,
                "doc": doc_module.upgrade_document(v.document_in(language)),
                "files": selectors.published_files(v, language=language),
                "frozen_on": date_words(v.frozen_at.date().isoformat()),
                "languages": selectors.language_links(v.languages, language),
                # The published scorecard sits next to the plan (plans.implementation).
                "scorecard": ScorecardPublication.objects.filter(
                    coalition_id=v.coalition_id, published_at__isnull=False
                ).first(),
            },
        )


@require_GET
def public_file(request: HttpRequest, token: str, kind: str, fmt: str) -> HttpResponseBase:
    """The published version's latest file of one kind and format (the PDF opens in the
    browser; a Word file downloads)."""
    v = selectors.published_version(token)
    language = request.GET.get("lang") or ""
    export = selectors.published_export(v, kind=kind, format=fmt, language=language)
    if export is None:
        raise Http404
    return _file_response(export, attachment=fmt != ExportFormat.PDF)


# --- what the plan publishes -----------------------------------------------------------------


def _publication_post(post: Any, section: str) -> tuple[dict, dict]:
    """The page's choices: ``vis|ws|path`` selects, ``mode|ws|field`` radios ("all" or
    "chosen") with their ``row|ws|field`` ticks."""
    visibility, choices = {}, {}
    for name, value in post.items():
        kind, _sep, rest = name.partition("|")
        worksheet, _sep, path = rest.partition("|")
        if kind == "vis":
            visibility[(worksheet, path)] = value
        elif kind == "mode":
            rows = post.getlist(f"row|{worksheet}|{path}") if value == "chosen" else None
            choices[(worksheet, path)] = rows
    return visibility, choices


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def section_publication(
    request: HttpRequest, coalition: Coalition, membership: Membership, key: str
) -> HttpResponse:
    """What a section publishes: each feeding field's visibility and the rows chosen."""
    spec = selectors.section_spec(key)
    if request.method == "POST":
        visibility, choices = _publication_post(request.POST, key)
        if message_save(
            request,
            lambda: services.section_publication_save(
                actor=membership, section=key, visibility=visibility, choices=choices
            ),
            _("What this section publishes is saved."),
        ):
            return redirect("map:section_publication", coalition.pk, key)
    return render(
        request,
        "plans/map/publication.html",
        coalition_page_context(
            coalition,
            membership,
            spec=spec,
            worksheets=selectors.section_publication(coalition, key),
            can_choose=role_allows(membership.role, Can.RUN),
        ),
    )


@coalition_view(Can.VIEW)
@require_GET
def preview_public(request: HttpRequest, coalition: Coalition, membership: Membership):
    """Exactly what freezing and publishing now would show the public, in the public page's
    own template, in each of the plan's languages (``?lang=``)."""
    languages = front.plan_languages(coalition)
    language = request.GET.get("lang") or ""
    language = language if language in languages else languages[0]
    return render(
        request,
        "plans/map/public.html",
        coalition_page_context(
            coalition,
            membership,
            doc=document_for_page(coalition, audience=doc_module.PUBLIC, language=language),
            preview=True,
            languages=selectors.language_links(languages, language),
        ),
    )
