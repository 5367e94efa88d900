"""Pages of the planning workspace. Every view resolves the coalition through the access helper."""

from __future__ import annotations

import csv
import json
import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalitions.models import Coalition, Membership
from coalitions.permissions import Can
from coalitions.views import _context, coalition_view
from plans import definitions, selectors, services, transfer
from plans.content import Worksheet
from plans.display import flat_rows, render_markdown, value_text
from plans.forms import (
    AssignmentForm,
    CommentForm,
    Context,
    ImportForm,
    build_widgets,
    errors_by_name,
    parse_post,
    with_blank_rows,
)
from plans.models import Assignment, ResponseStatus, StepStatus, WorksheetFile
from plans.permissions import may_assign, may_comment, may_compile, may_edit_worksheet, may_run


def _ctx(coalition: Coalition, membership: Membership, **extra: Any) -> dict[str, Any]:
    return _context(
        coalition,
        membership,
        unread=selectors.unread_notifications(membership.user, coalition).count(),
        can_compile=may_compile(membership),
        can_assign=may_assign(membership),
        can_step_run=may_run(membership),
        **extra,
    )


def _worksheet(key: str) -> Worksheet:
    try:
        return definitions.worksheet(key)
    except KeyError:
        raise Http404("No such worksheet") from None


def _step(number: int) -> Any:
    try:
        return definitions.step(number)
    except KeyError:
        raise Http404("No such step") from None


# --- steps ------------------------------------------------------------------------------------


@coalition_view(Can.VIEW)
@require_GET
def steps_dashboard(request: HttpRequest, coalition: Coalition, membership: Membership):
    rows = selectors.steps_overview(coalition, membership)
    done = sum(r.done for r in rows)
    total = sum(r.total for r in rows)
    return render(
        request,
        "plans/dashboard.html",
        _ctx(
            coalition,
            membership,
            rows=rows,
            done=done,
            total=total,
            steps_complete=sum(1 for r in rows if r.status == StepStatus.COMPLETE),
            overdue=selectors.overdue_assignments(coalition),
            activity=selectors.recent_activity(coalition),
        ),
    )


def _step_row(coalition: Coalition, membership: Membership, number: int):
    _step(number)
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
        _ctx(
            coalition,
            membership,
            row=row,
            step=row.step,
            checklist=checklist,
            has_assignments=bool(row.assignments or any(w.assignments for w in row.worksheets)),
            statuses=StepStatus.choices,
            guidance_html=render_markdown(row.step.guidance),
            readiness=selectors.readiness_summary(coalition) if number == 3 else None,
        ),
    )


@coalition_view(Can.RUN)
@require_POST
def step_status(request: HttpRequest, coalition: Coalition, membership: Membership, number: int):
    _step(number)
    status = request.POST.get("status", "")
    try:
        services.step_status_set(
            coalition=coalition,
            step=number,
            status=status,
            actor=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, _("The step's status is saved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("plans:step", coalition.pk, number)


@coalition_view(Can.RUN)
@require_POST
def step_checklist(request: HttpRequest, coalition: Coalition, membership: Membership, number: int):
    step = _step(number)
    ticked = set(request.POST.getlist("item"))
    for item in step.checklist:
        services.checklist_tick_set(
            coalition=coalition,
            step=number,
            item_key=item.key,
            ticked=item.key in ticked,
            actor=request.user,  # type: ignore[arg-type]
        )
    messages.success(request, _("The review checklist is saved."))
    return redirect("plans:step", coalition.pk, number)


@coalition_view(Can.INVITE)
@require_http_methods(["GET", "POST"])
def assignment_create(
    request: HttpRequest, coalition: Coalition, membership: Membership, number: int
):
    step = _step(number)
    members = coalition.memberships.select_related("user")
    groups = coalition.working_groups.all()
    form = AssignmentForm(request.POST or None, step=step, members=members, groups=groups)
    if request.method == "POST" and form.is_valid():
        owner_ref = form.cleaned_data["owner"]
        owner = members.filter(pk=owner_ref[1:]).first() if owner_ref[0] == "m" else None
        group = groups.filter(pk=owner_ref[1:]).first() if owner_ref[0] == "g" else None
        try:
            services.assignment_create(
                coalition=coalition,
                step=number,
                worksheet_key=form.cleaned_data["worksheet_key"],
                owner=owner,
                working_group=group,
                due_date=form.cleaned_data["due_date"],
                note=form.cleaned_data["note"],
                actor=request.user,  # type: ignore[arg-type]
            )
            messages.success(request, _("The work is assigned."))
            return redirect("plans:step", coalition.pk, number)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "plans/assign.html", _ctx(coalition, membership, form=form, step=step))


@coalition_view(Can.INVITE)
@require_POST
def assignment_delete(
    request: HttpRequest, coalition: Coalition, membership: Membership, assignment_id: int
):
    assignment = Assignment.objects.filter(coalition=coalition, pk=assignment_id).first()
    if assignment is None:
        raise Http404
    services.assignment_delete(assignment=assignment, actor=request.user)  # type: ignore[arg-type]
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
        _ctx(
            coalition,
            membership,
            assignments=[
                (a, a.worksheet_key and definitions.worksheet(a.worksheet_key)) for a in mine
            ],
            today=today,
            individual=individual,
            notifications=membership.user.notifications.filter(coalition=coalition)[:20],  # type: ignore[attr-defined]
        ),
    )


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest, coalition: Coalition, membership: Membership):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user, coalition=coalition)  # type: ignore[arg-type]
        return redirect("plans:notifications", coalition.pk)
    items = request.user.notifications.filter(coalition=coalition)[:50]  # type: ignore[union-attr]
    return render(request, "plans/notifications.html", _ctx(coalition, membership, items=items))


@coalition_view(Can.VIEW)
@require_GET
def readiness(request: HttpRequest, coalition: Coalition, membership: Membership):
    return render(
        request,
        "plans/readiness.html",
        _ctx(coalition, membership, summary=selectors.readiness_summary(coalition)),
    )


# --- worksheets -------------------------------------------------------------------------------


def _form_context(coalition: Coalition, ws: Worksheet, errors: dict) -> Context:
    members = list(coalition.memberships.select_related("user"))
    return Context(
        names=selectors.member_names(coalition),
        members=[(str(m.pk), str(m.user.name or m.user.email)) for m in members],
        organisations=sorted({m.organisation for m in members if m.organisation}),
        errors=errors,
        computed=lambda f: selectors.computed_text(coalition, ws, f),
        metric=lambda v: selectors.metric_value_for_coalition(coalition, v),
    )


def _conflict_key(coalition: Coalition, ws: Worksheet, owner: Membership | None) -> str:
    return f"conflict:{coalition.pk}:{ws.key}:{owner.pk if owner else 0}"


def _owner(ws: Worksheet, membership: Membership) -> Membership | None:
    return membership if ws.filled_by.mode == "individual" else None


def _blocked_reason(coalition: Coalition, ws: Worksheet, membership: Membership) -> str:
    if not may_edit_worksheet(membership, ws):
        return _("Your role can read this worksheet but not change it.")
    if (
        ws.filled_by.mode == "individual"
        and ws.filled_by.sharing_setting
        and selectors.sharing_mode(coalition, ws) is None
    ):
        return _(
            "The data lead has not yet said how answers will be shared. You can start once "
            "they have (Worksheet %(n)s)."
        ) % {"n": definitions.worksheet(ws.filled_by.compiled_in).number}
    return ""


def _save_from_post(
    request: HttpRequest, coalition: Coalition, ws: Worksheet, membership: Membership
) -> tuple[services.SaveResult | None, dict, dict]:
    """Save a submitted form; returns (result or None on conflict, submitted data, errors)."""
    data = parse_post(ws, request.POST)
    errors: dict[str, list[str]] = {}
    if not ws.repeats:
        for f in ws.fields:
            upload = request.FILES.get(f.key) if f.type == "file" else None
            if upload is not None:
                try:
                    data[f.key] = services.worksheet_file_store(
                        coalition=coalition,
                        f=f,
                        upload=upload,
                        actor=request.user,  # type: ignore[arg-type]
                    )
                except ValidationError as exc:
                    errors[f.key] = list(exc.messages)
            elif f.type == "file" and request.POST.get(f"{f.key}-clear") == "on":
                data[f.key] = None
    try:
        base = int(request.POST.get("version", "0"))
    except ValueError:
        base = -1
    owner = _owner(ws, membership)
    try:
        result = services.worksheet_response_save(
            coalition=coalition,
            worksheet_key=ws.key,
            data=data,
            base_version=base,
            actor=request.user,  # type: ignore[arg-type]
            owner=owner,
            editor=request.POST.get("editor", "")[:32],
        )
    except services.WorksheetConflict as conflict:
        request.session[_conflict_key(coalition, ws, owner)] = {
            "data": conflict.attempted,
            "base": base,
        }
        return None, data, errors
    errors.update(errors_by_name(ws, result.errors))
    return result, data, errors


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def worksheet(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = _worksheet(key)
    blocked = _blocked_reason(coalition, ws, membership)
    response = selectors.response_for(coalition, ws, membership)
    data: dict = dict(response.data) if response else {}
    errors: dict[str, list[str]] = {}
    add_row = ""
    if request.method == "POST":
        if blocked:
            raise PermissionDenied
        result, submitted, errors = _save_from_post(request, coalition, ws, membership)
        if result is None:
            return redirect("plans:worksheet_conflict", coalition.pk, ws.key)
        response = result.response
        add_row = request.POST.get("add_row", "")
        structural = add_row or "remove_row" in request.POST or "add_record" in request.POST
        if not errors and not structural:
            messages.success(request, _("Saved."))
            return redirect(reverse("plans:worksheet", args=[coalition.pk, ws.key]) + "#top")
        # Show what was typed, with the messages next to it; the valid part is already saved.
        data = {**response.data, **submitted} if errors else dict(response.data)
    printing = request.GET.get("print") == "1"
    read_only = bool(blocked) or printing
    shown = data if read_only else with_blank_rows(ws, data, add_row)
    ctx = _form_context(coalition, ws, errors)
    return render(
        request,
        "plans/worksheet.html",
        _ctx(
            coalition,
            membership,
            ws=ws,
            step=definitions.step(ws.step),
            response=response,
            version=response.version if response else 0,
            editor=secrets.token_hex(8),
            records=build_widgets(ws, shown, ctx),
            read_only=read_only,
            printing=printing,
            blocked=blocked,
            errors=errors,
            top_errors=errors.get("__all__", []),
            organisations=ctx.organisations,
            comments=selectors.comments_for(coalition, ws.key),
            comment_form=CommentForm(),
            can_comment=may_comment(membership),
            handles=[
                (selectors.member_handle(m), m.user.name or m.user.email)
                for m in coalition.memberships.select_related("user")
            ],
            sharing=selectors.sharing_label(coalition, ws) if ws.filled_by.sharing_setting else "",
            status_label=ResponseStatus(response.status).label if response else _("Not started"),
            is_complete=bool(response and response.status == ResponseStatus.COMPLETE),
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def worksheet_autosave(
    request: HttpRequest, coalition: Coalition, membership: Membership, key: str
):
    """The HTMX autosave: saves what validates and answers with the save state."""
    ws = _worksheet(key)
    if _blocked_reason(coalition, ws, membership):
        raise PermissionDenied
    result, _submitted, errors = _save_from_post(request, coalition, ws, membership)
    try:
        count = int(request.POST.get("records", "0")) if ws.repeats else 1
    except ValueError:
        count = 0
    prefixes = [f"r{i}-" for i in range(count)] if ws.repeats else [""]
    names = [p + f.key for p in prefixes for f in ws.fields if f.type != "guidance"]
    return render(
        request,
        "plans/_save_state.html",
        {
            "coalition": coalition,
            "ws": ws,
            "conflict": result is None,
            "version": result.response.version if result else request.POST.get("version", "0"),
            "saved_at": result.response.updated_at if result else None,
            "errors": errors,
            "error_names": names,
        },
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def worksheet_mark(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = _worksheet(key)
    if _blocked_reason(coalition, ws, membership):
        raise PermissionDenied
    response = selectors.response_for(coalition, ws, membership)
    if response is None or response.version == 0:
        messages.error(request, _("Answer some questions first."))
        return redirect("plans:worksheet", coalition.pk, ws.key)
    complete = request.POST.get("complete") == "1"
    errors = services.worksheet_response_mark(
        response=response,
        complete=complete,
        actor=request.user,  # type: ignore[arg-type]
    )
    if errors:
        labels = []
        for k in errors:
            field_key = k.split(".")[-1]
            try:
                labels.append(ws.field(field_key).label)
            except KeyError:
                labels.append(" ".join(errors[k]))
        messages.error(
            request,
            _("Not marked complete. These answers are still needed: %(list)s")
            % {"list": "; ".join(labels)},
        )
    elif complete:
        messages.success(request, _("Marked complete."))
    else:
        messages.success(request, _("Back in progress."))
    return redirect("plans:worksheet", coalition.pk, ws.key)


def _three_way(
    ws: Worksheet, base: dict, theirs: dict, mine: dict, sent: set[str]
) -> tuple[dict, list[str]]:
    """Merge what does not clash; return the merged data and the keys both sides changed.

    ``sent`` holds the answers the person's form carried; an answer left out was not touched.
    """
    keys = ["records"] if ws.repeats else [f.key for f in ws.fields if f.type != "guidance"]
    merged, clashes = dict(theirs), []
    for k in keys:
        if k not in sent:
            continue
        b, t, m = base.get(k), theirs.get(k), mine.get(k)
        if m in (t, b):
            continue
        if t == b:
            merged[k] = m
        else:
            clashes.append(k)
    return merged, clashes


def _conflict_rows(ws: Worksheet, clashes: list[str], theirs: dict, mine: dict, names: Any):
    rows = []
    for k in clashes:
        f = ws.field(k) if not ws.repeats else None

        def text(v: Any, f: Any = f) -> str:
            return value_text(f, v, names) if f else json.dumps(v, indent=1, ensure_ascii=False)

        texts = [v for v in (theirs.get(k), mine.get(k)) if isinstance(v, str) and v]
        rows.append(
            {
                "key": k,
                "label": f.label if f else ws.repeats,
                "theirs": text(theirs.get(k)),
                "mine": text(mine.get(k)),
                "mergeable": bool(f and f.type in ("long_text", "short_text")),
                "combined": "\n\n".join(texts),
            }
        )
    return rows


@coalition_view(Can.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def worksheet_conflict(
    request: HttpRequest, coalition: Coalition, membership: Membership, key: str
):
    """Both versions side by side; the person picks per answer. Nothing is overwritten."""
    ws = _worksheet(key)
    if _blocked_reason(coalition, ws, membership):
        raise PermissionDenied
    owner = _owner(ws, membership)
    session_key = _conflict_key(coalition, ws, owner)
    pending = request.session.get(session_key)
    response = selectors.response_for(coalition, ws, membership)
    if not pending or response is None:
        messages.info(request, _("There is nothing to reconcile."))
        return redirect("plans:worksheet", coalition.pk, ws.key)
    base_rev = response.revisions.filter(version=pending["base"]).first()
    base = base_rev.data if base_rev else {}
    # Clean "mine" the way a save would, so equal answers compare equal.
    mine_clean, _e = services._merge(
        ws, base, pending["data"], set(coalition.memberships.values_list("pk", flat=True))
    )
    merged, clashes = _three_way(ws, base, response.data, mine_clean, set(pending["data"]))
    if request.method == "POST":
        for k in clashes:
            choice = request.POST.get(f"choose-{k}", "theirs")
            if choice == "mine":
                merged[k] = mine_clean.get(k)
            elif choice == "both" and isinstance(merged.get(k), str):
                merged[k] = request.POST.get(f"merge-{k}", "")
        try:
            result = services.worksheet_response_save(
                coalition=coalition,
                worksheet_key=ws.key,
                data=merged,
                base_version=int(request.POST.get("version", "-1")),
                actor=request.user,  # type: ignore[arg-type]
                owner=owner,
                note=_("Merged after a conflict"),
            )
        except services.WorksheetConflict:
            messages.warning(request, _("Someone saved again in the meantime. Please look again."))
            return redirect("plans:worksheet_conflict", coalition.pk, ws.key)
        del request.session[session_key]
        if result.errors:
            messages.warning(
                request, _("Saved, except answers that need fixing; they are marked below.")
            )
        else:
            messages.success(request, _("Saved. Both versions are kept in the history."))
        return redirect("plans:worksheet", coalition.pk, ws.key)
    rows = _conflict_rows(ws, clashes, response.data, mine_clean, selectors.member_names(coalition))
    kept = [k for k in mine_clean if k not in clashes and mine_clean.get(k) != base.get(k)]
    return render(
        request,
        "plans/conflict.html",
        _ctx(
            coalition,
            membership,
            ws=ws,
            response=response,
            rows=rows,
            merged_count=len(kept),
            their_author=response.updated_by,
        ),
    )


@coalition_view(Can.VIEW)
@require_GET
def worksheet_history(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = _worksheet(key)
    response = selectors.response_for(coalition, ws, membership)
    names = selectors.member_names(coalition)
    history = selectors.revision_history(response, names) if response else []
    return render(
        request,
        "plans/history.html",
        _ctx(
            coalition,
            membership,
            ws=ws,
            response=response,
            history=history,
            can_restore=not _blocked_reason(coalition, ws, membership),
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def worksheet_restore(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = _worksheet(key)
    if _blocked_reason(coalition, ws, membership):
        raise PermissionDenied
    response = selectors.response_for(coalition, ws, membership)
    try:
        version = int(request.POST.get("version", ""))
        if response is None:
            raise ValueError
        services.worksheet_response_restore(response=response, version=version, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Version %(v)s is the current one again.") % {"v": version})
    except (ValueError, ValidationError):
        messages.error(request, _("Choose a version to restore."))
    return redirect("plans:worksheet_history", coalition.pk, ws.key)


@coalition_view(Can.VIEW)
@require_GET
def worksheet_export(
    request: HttpRequest, coalition: Coalition, membership: Membership, key: str, fmt: str
):
    ws = _worksheet(key)
    if fmt not in ("csv", "json"):
        raise Http404("Unknown format")
    response = selectors.response_for(coalition, ws, membership)
    data = response.data if response else {}
    filename = f"{slugify(coalition.name)}-{ws.key}"
    if fmt == "json":
        payload = {
            "worksheet": ws.key,
            "number": ws.number,
            "title": ws.title,
            "version": response.version if response else 0,
            "status": response.status if response else ResponseStatus.NOT_STARTED,
            "data": data,
        }
        as_json = JsonResponse(payload, json_dumps_params={"indent": 2, "ensure_ascii": False})
        as_json["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return as_json
    out = HttpResponse(content_type="text/csv; charset=utf-8")
    out["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    out.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.DictWriter(out, fieldnames=["record", "field", "question", "answer"])
    writer.writeheader()
    for row in flat_rows(ws, data, selectors.member_names(coalition)):
        # A leading = + - @ would run as a formula in a spreadsheet.
        writer.writerow({k: ("'" + v if v[:1] in "=+-@" else v) for k, v in row.items()})
    return out


@coalition_view(Can.CONTRIBUTE)
@require_POST
def worksheet_comment(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = _worksheet(key)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_create(
                coalition=coalition,
                worksheet_key=ws.key,
                field_key=form.cleaned_data["field_key"],
                body=form.cleaned_data["body"],
                actor=request.user,  # type: ignore[arg-type]
                request_base=request.build_absolute_uri("/")[:-1],
            )
            messages.success(request, _("Your comment is posted."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Please write a comment (at most 5,000 characters)."))
    return redirect(reverse("plans:worksheet", args=[coalition.pk, ws.key]) + "#comments")


@coalition_view(Can.VIEW)
@require_GET
def worksheet_file(
    request: HttpRequest, coalition: Coalition, membership: Membership, file_id: int
):
    """A file attached to a worksheet answer, only through its coalition."""
    stored = WorksheetFile.objects.filter(coalition=coalition, pk=file_id).first()
    if stored is None or not stored.file:
        raise Http404("No such file")
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.original_name)


# --- compilation ------------------------------------------------------------------------------


@coalition_view(Can.MANAGE_DATA)
@require_http_methods(["GET", "POST"])
def compilation(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = _worksheet(key)
    if ws.filled_by.mode != "individual" or not ws.filled_by.compiled_in:
        raise Http404("This worksheet is not compiled")
    target = definitions.worksheet(ws.filled_by.compiled_in)
    tables = [f for f in target.fields if f.type == "table" and not f.fixed_rows]
    if request.method == "POST":
        points = []
        for value in request.POST.getlist("point"):
            response_id, _sep, field_key = value.partition(":")
            if response_id.isdigit():
                points.append((int(response_id), field_key))
        try:
            result = services.compilation_copy(
                coalition=coalition,
                worksheet_key=ws.key,
                points=points,
                target_field=request.POST.get("target", ""),
                actor=request.user,  # type: ignore[arg-type]
            )
            if result.errors:
                messages.warning(request, " ".join(m for v in result.errors.values() for m in v))
            else:
                messages.success(
                    request,
                    _("Copied %(n)s points into Worksheet %(ws)s.")
                    % {"n": len(points), "ws": target.number},
                )
        except (ValidationError, KeyError) as exc:
            text = exc.messages if isinstance(exc, ValidationError) else [_("Unknown answer.")]
            messages.error(request, " ".join(text))
        return redirect("plans:compilation", coalition.pk, ws.key)
    return render(
        request,
        "plans/compilation.html",
        _ctx(
            coalition,
            membership,
            ws=ws,
            target=target,
            tables=tables,
            compiled=selectors.compilation(coalition, ws),
            sharing=selectors.sharing_label(coalition, ws, for_lead=True),
        ),
    )


# --- whole workspace ----------------------------------------------------------------------------


@coalition_view(Can.RUN)
@require_GET
def workspace_export(request: HttpRequest, coalition: Coalition, membership: Membership):
    payload = transfer.workspace_export(coalition)
    out = JsonResponse(payload, json_dumps_params={"indent": 1, "ensure_ascii": False})
    stamp = timezone.localdate().isoformat()
    out["Content-Disposition"] = (
        f'attachment; filename="{slugify(coalition.name)}-workspace-{stamp}.json"'
    )
    return out


@coalition_view(Can.RUN)
@require_http_methods(["GET", "POST"])
def workspace_import(request: HttpRequest, coalition: Coalition, membership: Membership):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            payload = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
            counts = transfer.workspace_import(
                coalition=coalition,
                payload=payload,
                actor=request.user,  # type: ignore[arg-type]
            )
            messages.success(
                request,
                _("Imported %(n)s worksheet answers.") % {"n": counts["responses"]},
            )
            return redirect("plans:steps", coalition.pk)
        except (UnicodeDecodeError, json.JSONDecodeError):
            form.add_error("file", _("This file is not a workspace export (not JSON)."))
        except ValidationError as exc:
            form.add_error("file", exc)
    return render(request, "plans/import.html", _ctx(coalition, membership, form=form))
